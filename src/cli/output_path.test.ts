/**
 * Output paths (--trace, --html, demo's --html) are checked before anything runs, and a
 * failure to write after the run is one line with exit code 2, never a stack trace or a hang.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertRefused, scratchDir, scratchFile, vdrm } from "./_test_cli.js";
import { CliError } from "./errors.js";
import { checkOutputPath, writeOutput } from "./output_path.js";

const tmp = scratchDir();
const SCENARIO = "scenarios/hotunplug-lateclose.yaml";
const PSEUDO = "is under /proc or /sys, kernel pseudo-filesystems; give a regular file";

/** Refused before the run: exit 2, the reason on the first line of stderr, nothing on stdout. */
function refused(args: readonly string[], reason: string): void {
  assertRefused(vdrm(args), reason);
}

function checkFails(path: string, why: string): void {
  assert.throws(() => checkOutputPath("--trace", path), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.message, `--trace ${JSON.stringify(path)}: ${why}`);
    return true;
  });
}

describe("vdrm refuses an output path before the run", () => {
  it("an empty path", () => {
    refused(["run", SCENARIO, "--trace", ""], `vdrm: --trace "": the path is empty`);
  });

  it("a directory", () => {
    const why = "is a directory; give a file name";
    refused(["run", SCENARIO, "--html", tmp], `vdrm: --html ${JSON.stringify(tmp)}: ${why}`);
  });

  it("a path under /proc (this used to spin at 100 % CPU), also for demo --html", () => {
    const self = "/proc/self/foo";
    refused(["run", SCENARIO, "--trace", self], `vdrm: --trace "${self}": ${PSEUDO}`);
    refused(["demo", "--html", "/proc/x/r.html"], `vdrm: --html "/proc/x/r.html": ${PSEUDO}`);
  });
});

describe("vdrm run refuses outputs that would lose a file", () => {
  it("--trace or --html on the scenario file itself (it was overwritten), by any path", () => {
    const text = readFileSync(SCENARIO, "utf8");
    const file = scratchFile(tmp, "own.yaml", text);
    const link = join(tmp, "own-link.yaml");
    symlinkSync(file, link);
    refused(["run", file, "--trace", file], `vdrm: --trace ${JSON.stringify(file)}: is the ` +
      `input file ${JSON.stringify(file)}; writing it would lose it`);
    refused(["run", SCENARIO, file, "--html", link], `vdrm: --html ${JSON.stringify(link)}: is ` +
      `the input file ${JSON.stringify(file)}; writing it would lose it`);
    assert.equal(readFileSync(file, "utf8"), text, "the scenario is kept");
  });

  it("--trace and --html on one file; /dev/null may take both", () => {
    const out = join(tmp, "both.txt");
    refused(["run", SCENARIO, "--trace", out, "--html", out],
      `vdrm: --html ${JSON.stringify(out)}: is also the file of --trace; give each its own file`);
    const r = vdrm(["run", SCENARIO, "--trace", "/dev/null", "--html", "/dev/null"]);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe("checkOutputPath()", () => {
  it("refuses blank names, directories and names ending in a slash", () => {
    checkFails("  ", "the path is empty");
    checkFails("out/", "is a directory; give a file name");
    checkFails(tmp, "is a directory; give a file name");
  });

  it("refuses /proc and /sys however the path is written", () => {
    const paths = ["/proc", "/sys/class/drm/x.json", "/proc/../proc/1/x", "/proc/none/r.html"];
    for (const p of paths) checkFails(p, PSEUDO);
  });

  it("refuses a place below a regular file, and one that cannot be written", () => {
    const file = scratchFile(tmp, "plain", "x");
    checkFails(join(file, "t.json"), `${file} is not a directory`);
    const ro = join(tmp, "ro");
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    // root may write anywhere; anyone else is refused.
    const inRo = join(ro, "t");
    if (process.getuid?.() === 0) assert.equal(checkOutputPath("--trace", inRo), inRo);
    else checkFails(inRo, "cannot be written: permission denied (EACCES)");
  });

  it("accepts a new file in a directory still to be made, and returns its absolute path", () => {
    const path = join(tmp, "new", "dir", "t.json");
    assert.equal(checkOutputPath("--trace", path), path);
  });
});

describe("writing after the run", () => {
  it("vdrm run --html /dev/full: one line of error and exit 2, after the timeline", () => {
    const r = vdrm(["run", SCENARIO, "--html", "/dev/full"]);
    assert.equal(r.code, 2, r.stderr);
    const why = "no space left on device (ENOSPC)";
    assert.equal(r.stderr, `vdrm: cannot write --html "/dev/full": ${why}\n`);
    assert.match(r.stdout, /\nverdict: pass\n$/, "the run itself was reported");
  });

  it("vdrm run --trace into procfs through a symlink fails cleanly instead of looping", () => {
    const link = join(tmp, "proc-link");
    symlinkSync("/proc/self", link);
    const target = join(link, "new", "t.json");
    const r = vdrm(["run", SCENARIO, "--trace", target], { limitMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    const last = r.stderr.trimEnd().split("\n").at(-1) ?? "";
    const named = last.includes(`--trace ${JSON.stringify(target)}: `);
    assert.ok(last.startsWith("vdrm: ") && named, last);
  });

  it("writeOutput() makes missing directories and says why a write failed", () => {
    const path = join(tmp, "a", "b", "t.txt");
    assert.equal(writeOutput("--trace", path, "text"), path);
    assert.equal(readFileSync(path, "utf8"), "text");
    assert.throws(() => writeOutput("--trace", "/dev/full", "x"),
      new CliError(`cannot write --trace "/dev/full": no space left on device (ENOSPC)`));
  });
});
