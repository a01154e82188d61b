/**
 * Output files (--trace, --html): checked before anything runs, written after.
 *
 * A path is refused before the run when it is empty, names a directory, lies under /proc or
 * /sys (kernel pseudo-filesystems: no place for a report), or cannot be created or written.
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
