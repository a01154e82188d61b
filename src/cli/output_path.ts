/**
 * Output files (--trace, --html): checked before anything runs, written after.
 *
 * A path is refused before the run when it is empty, names a directory, lies under /proc or
 * /sys (kernel pseudo-filesystems: no place for a report), cannot be created or written, or
 * names an input file or another output's file.
 * Missing directories are made one level at a time: Node 20's `mkdirSync(..., {recursive})`
 * loops for ever when the kernel answers ENOENT for a child of a directory that exists (as
 * procfs does), which made `--trace /proc/x/y` spin at 100 % CPU.
 */
import { accessSync, constants, mkdirSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError, fsErrorText } from "./errors.js";

const PSEUDO_FILESYSTEMS = ["/proc", "/sys"];

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The nearest ancestor of `full` that exists (the root at worst), and the paths below it. */
function existingAncestor(full: string): { dir: string; missing: string[] } {
  const missing: string[] = [];
  let dir = dirname(full);
  while (statOrNull(dir) === null && dirname(dir) !== dir) {
    missing.unshift(dir);
    dir = dirname(dir);
  }
  return { dir, missing };
}

/**
 * Checks that `path` can take the output of `flag`; returns its absolute path.
 * @throws CliError naming the flag, the path and the problem.
 */
export function checkOutputPath(flag: string, path: string): string {
  const fail = (why: string): never => {
    throw new CliError(`${flag} ${JSON.stringify(path)}: ${why}`);
  };
  if (path.trim() === "") fail("the path is empty");
  const full = resolve(path);
  if (PSEUDO_FILESYSTEMS.some((p) => full === p || full.startsWith(`${p}/`))) {
    fail("is under /proc or /sys, kernel pseudo-filesystems; give a regular file");
  }
  const st = statOrNull(full);
  if (st?.isDirectory() === true || /[/\\]$/.test(path)) fail("is a directory; give a file name");
  try {
    if (st !== null) {
      accessSync(full, constants.W_OK);
    } else {
      const { dir } = existingAncestor(full);
      if (statOrNull(dir)?.isDirectory() !== true) fail(`${dir} is not a directory`);
      accessSync(dir, constants.W_OK | constants.X_OK);
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    fail(`cannot be written: ${fsErrorText(e)}`);
  }
  return full;
}

/** Whether two paths name one regular file, or one file still to be made. */
function sameOutput(a: string, b: string): boolean {
  const sa = statOrNull(a);
  const sb = statOrNull(b);
  if (sa === null || sb === null) return sa === sb && resolve(a) === resolve(b);
  return sa.isFile() && sb.isFile() && sa.dev === sb.dev && sa.ino === sb.ino;
}

/**
 * Refuses, before the run, an output path that names one of the input files (writing it would
 * lose the scenario) or the file of an earlier output flag (it would overwrite that output).
 * Devices such as /dev/null may take several outputs.
 * @throws CliError naming the flag, the path and the file it collides with.
 */
export function checkOutputsApart(
  outputs: readonly (readonly [flag: string, path: string])[],
  inputs: readonly string[],
): void {
  for (const [i, [flag, path]] of outputs.entries()) {
    const fail = (why: string): never => {
      throw new CliError(`${flag} ${JSON.stringify(path)}: ${why}`);
    };
    const input = inputs.find((f) => sameOutput(path, f) && statOrNull(f) !== null);
    if (input !== undefined) {
      fail(`is the input file ${JSON.stringify(input)}; writing it would lose it`);
    }
    const earlier = outputs.slice(0, i).find(([, p]) => sameOutput(path, p));
    if (earlier !== undefined) fail(`is also the file of ${earlier[0]}; give each its own file`);
  }
}

/** mkdir, tolerating a directory made meanwhile by someone else. */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const exists = (e as NodeJS.ErrnoException).code === "EEXIST";
    if (!exists || statOrNull(dir)?.isDirectory() !== true) throw e;
  }
}

/**
 * Writes an output file, making its missing directories; returns its absolute path.
 * @throws CliError with the reason (a full disk, a vanished directory) on one line.
 */
export function writeOutput(flag: string, path: string, text: string): string {
  const full = resolve(path);
  try {
    for (const dir of existingAncestor(full).missing) makeDir(dir);
    writeFileSync(full, text);
  } catch (e) {
    throw new CliError(`cannot write ${flag} ${JSON.stringify(path)}: ${fsErrorText(e)}`);
  }
  return full;
}
