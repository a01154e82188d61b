/**
 * @internal Runs one CLI fuzz case in-process: makes its files and output paths in a fresh
 * directory (also the working directory, for relative paths), calls `vdrm(argv, io)` with an
 * Io that captures what it prints, and checks what a user sees: an exit code of the verdict
 * table and never 70, a message for bad input, clean output, and nothing run when a scenario
 * file is invalid.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertCleanText, FUZZ } from "../scenario/_test_fuzz.js";
import { escapeControls, loadScenarioFile, VERDICTS } from "../scenario/mod.js";
import type { Arg, CliCase, FileArg, OutKind } from "./_test_fuzz_argv.js";
import { EXIT } from "./exit.js";
import { capturingIo } from "./_test_io.js";
import { vdrm } from "./program.js";

interface Made {
  readonly argv: string[];
  /** Scenario files (positional arguments of `run`). */
  readonly scenarios: string[];
  /** Output paths that did not exist before the case. */
  readonly outputs: string[];
  /** Everything the user gave, for assertCleanText(). */
  readonly input: string;
  /** Regular files given as input (scenarios, fixtures) and their bytes before the run. */
  readonly kept: { readonly path: string; readonly bytes: Buffer }[];
}

function outPath(kind: OutKind, ext: string, dir: string, n: number,
  input: string | undefined): string {
  switch (kind) {
    case "input": return input ?? join(dir, `out${n}${ext}`);
    case "new": return join(dir, `out${n}${ext}`);
    case "nested": return join(dir, "a", "b", `out${n}${ext}`);
    case "relative": return join("rel", `out${n}${ext}`);
    case "empty": return "";
    case "blank": return "  ";
    case "dir": return dir;
    case "trailing-slash": return `${join(dir, `newdir${n}`)}/`;
    case "proc": return `/proc/self/vdrm-fuzz${ext}`;
    case "proc-deep": return `/proc/vdrm-fuzz/x/y${ext}`;
    case "sys": return `/sys/vdrm-fuzz${ext}`;
    case "dev-full": return "/dev/full";
    case "dev-null": return "/dev/null";
    case "under-file": {
      writeFileSync(join(dir, "plain.txt"), "x");
      return join(dir, "plain.txt", `out${n}${ext}`);
    }
    case "long-name": return join(dir, `${"n".repeat(300)}${ext}`);
    case "control": return join(dir, `a\nb\x1b[31m${n}${ext}`);
  }
}

function filePath(f: FileArg, dir: string, n: number): { path: string; text: string } {
  switch (f.kind) {
    case "text": {
      const path = join(dir, f.oddName === true ? `s${n}\n\x1b[1m.yaml` : `s${n}.yaml`);
      writeFileSync(path, f.text.text);
      return { path, text: f.text.text };
    }
    case "builtin": return { path: f.path, text: "" };
    case "bytes": {
      const path = join(dir, `b${n}.yaml`);
      writeFileSync(path, f.bytes);
      return { path, text: Buffer.from(f.bytes).toString("utf8") };
    }
    case "special": {
      if (f.what === "missing") return { path: join(dir, "missing.yaml"), text: "" };
      if (f.what === "dir") return { path: dir, text: "" };
      if (f.what === "empty") {
        writeFileSync(join(dir, "empty.yaml"), "");
        return { path: join(dir, "empty.yaml"), text: "" };
      }
      return { path: f.what, text: "" };
    }
  }
}

/** Makes the files first (an output path may name one of them), then the output paths. */
function materialize(c: CliCase, dir: string): Made {
  const made: Made = { argv: [], scenarios: [], outputs: [], input: "", kept: [] };
  const inputs: string[] = [];
  const files = new Map<number, string>();
  for (const [n, a] of c.args.entries()) {
    if (typeof a === "string" || !("file" in a)) continue;
    const f = filePath(a.file, dir, n);
    files.set(n, f.path);
    inputs.push(f.text);
    if (c.args[0] === "run") made.scenarios.push(f.path);
    // Files the case made, and built-in scenarios (not /proc/self/mem: reading it is EIO).
    const ours = f.path.startsWith(`${dir}/`) || a.file.kind === "builtin";
    if (ours && statSync(f.path, { throwIfNoEntry: false })?.isFile() === true) {
      made.kept.push({ path: f.path, bytes: readFileSync(f.path) });
    }
  }
  // Never a built-in scenario: a bug would overwrite the repository's file.
  const first = [...files.values()].find((f) => f.startsWith(`${dir}/`));
  for (const [n, a] of c.args.entries()) {
    let arg: string;
    if (typeof a === "string") arg = a;
    else if ("file" in a) arg = files.get(n)!;
    else {
      arg = outPath(a.out, a.ext, dir, n, first);
      if (arg.trim() !== "" && !existsSync(arg)) made.outputs.push(arg);
    }
    made.argv.push(arg);
    inputs.push(arg);
  }
  return { ...made, input: inputs.join("\n") };
}

/** Nothing lost: every input file holds the bytes it held before the run. */
function assertInputsKept(made: Made): void {
  for (const k of made.kept) {
    const now = statSync(k.path, { throwIfNoEntry: false })?.isFile() === true
      ? readFileSync(k.path) : null;
    assert.ok(now !== null && now.equals(k.bytes), `the input ${k.path} was overwritten or lost`);
  }
}

const EXIT_CODES = new Set<number>(VERDICTS.map((v) => v.exit));
const HELP_OR_VERSION = /^Usage: vdrm|^\d+\.\d+\.\d+\n$/;

function checkOutcome(made: Made, code: number, stdout: string, stderr: string): void {
  const shown = `exit ${code}\n--- stdout\n${stdout.slice(0, 2000)}\n` +
    `--- stderr\n${stderr.slice(0, 2000)}`;
  assert.ok(EXIT_CODES.has(code), `exit code ${code} is not in the verdict table\n${shown}`);
  assert.notEqual(code, EXIT.internal, `an internal error\n${shown}`);
  if (code === EXIT.input) assert.ok(stderr.trim() !== "", `exit 2 without a message\n${shown}`);
  assertCleanText(stdout, made.input, "standard output");
  assertCleanText(stderr, made.input, "standard error");
  const command = made.argv[0];
  if (command === "demo") {
    assert.ok(code === EXIT.input || code === EXIT.pass, `demo ran\n${shown}`);
  }
  if (command === "run" && made.scenarios.some((f) => !loadScenarioFile(f).ok)) {
    // An invalid file: nothing runs (help or version may still be asked for).
    const asked = code === EXIT.pass && HELP_OR_VERSION.test(stdout);
    assert.ok(asked || (code === EXIT.input && stdout === ""),
      `a scenario file is invalid but something ran\n${shown}`);
    for (const p of made.outputs) assert.ok(!existsSync(p), `${p} was written\n${shown}`);
    if (stderr.includes("invalid; nothing was run")) assertFilesNamed(made.scenarios, stderr);
  }
}

/** Each invalid scenario file is named in the errors, with a line and column or alone. */
function assertFilesNamed(files: readonly string[], stderr: string): void {
  for (const f of files.filter((p) => !loadScenarioFile(p).ok)) {
    const named = stderr.split("\n").some((l) => {
      const rest = l.startsWith(`${escapeControls(f)}:`) ? l.slice(escapeControls(f).length) : "";
      return /^:\d+:\d+: \S|^: \S/.test(rest);
    });
    assert.ok(named, `the errors do not name ${JSON.stringify(f)} with a place\n${stderr}`);
  }
}

function runOnce(argv: readonly string[]): { code: number; stdout: string; stderr: string } {
  const cap = capturingIo();
  const code = vdrm(argv, cap.io);
  return { code, stdout: cap.stdout(), stderr: cap.stderr() };
}

/**
 * Runs a case; throws an assertion error when what the user sees is wrong. With `twice`, runs
 * it again and asserts the same exit code and the same bytes (a run depends on its seed only).
 * @returns the subcommand and the exit code, e.g. "run 8"
 */
export function checkCliCase(c: CliCase, o: { readonly twice?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "vdrm-fuzz-"));
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    const made = materialize(c, dir);
    const first = runOnce(made.argv);
    const { code } = first;
    checkOutcome(made, code, first.stdout, first.stderr);
    assertInputsKept(made);
    if (o.twice === true) {
      assert.deepEqual(runOnce(made.argv), first, "the same command gave another answer");
    }
    const command = made.argv[0] ?? "";
    return `${["run", "igt", "realkernel", "demo"].includes(command) ? command : "other"} ${code}`;
  } finally {
    process.chdir(cwd);
    if (FUZZ.path !== undefined && !kept) {
      // A replay keeps the files of the case it replays, to run vdrm on them by hand.
      kept = true;
      process.stderr.write(`fuzz: the replayed case's files are kept in ${dir}\n`);
    } else rmSync(dir, { recursive: true, force: true });
  }
}

let kept = false;
