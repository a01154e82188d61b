/**
 * Bugs of the vdrm command that the fuzz test (program_fuzz.test.ts) found, each reproduced
 * as a plain test, in-process through vdrm(argv, io).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RECORDING_PATH } from "../realkernel/mod.js";
import { SCENARIO_DIR } from "./cmd_demo.js";
import { scratchDir, scratchFile } from "./_test_cli.js";
import { vdrmInProcess } from "./_test_io.js";

const EGPU = join(SCENARIO_DIR, "egpu-pull.yaml");

describe("command bugs found by fuzzing", () => {
  it("realkernel prints the step names and values of a fixture with control characters " +
    "escaped", () => {
    // Found by `VDRM_FUZZ_SEED=20240611 npm run fuzz`: a U+2029 inserted into a step name.
    const dir = scratchDir();
    const lines = readFileSync(RECORDING_PATH, "utf8").split("\n");
    const i = lines.findIndex((l) => l.includes('"scn":"d_open"') && l.includes('"type":"mem"'));
    assert.ok(i > 0, "the recording has a mem line in step d_open");
    lines[i] = lines[i]!.replace('"scn":"d_open"', '"scn":"\\u2029d\\u001b[31m\\n_open"');
    const fixture = scratchFile(dir, "edited.jsonl", lines.join("\n"));
    const r = vdrmInProcess(["realkernel", "--fixture", fixture, "--all"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^@@ \\u2029d\\x1b\[31m\\n_open @@$/m);
    assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it("realkernel --fixture /dev/zero is refused after a bound, not read until memory ends", () => {
    const r = vdrmInProcess(["realkernel", "--fixture", "/dev/zero"]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr,
      'vdrm: --fixture "/dev/zero": larger than 16 MiB, the most a recording may be\n');
    assert.equal(r.stdout, "");
  });

  it("run /dev/zero is an invalid scenario file: exit 2, nothing run", () => {
    const r = vdrmInProcess(["run", "/dev/zero"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^\/dev\/zero: larger than 4 MiB, the most a scenario file may be\n/);
    assert.equal(r.stdout, "");
  });

  it("a control character in an argument is escaped in commander's errors", () => {
    const token = vdrmInProcess(["run", "--replay", "\x001.AAAA", "--max-steps", "1"]);
    assert.equal(token.code, 2);
    assert.match(token.stderr,
      /^error: option '--replay <token>' argument '\\x001\.AAAA' is invalid\. /);
    const flag = vdrmInProcess(["run", "--se\x1bed", "1", "x.yaml"]);
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr, "error: unknown option '--se\\x1bed'\n(Did you mean --seed?)\n" +
      "(run with --help for usage)\n");
  });

  it("a control character JSON leaves (C1, U+2028) is escaped in vdrm's own errors", () => {
    const r = vdrmInProcess(["run", "x.yaml", "--trace", "/proc/a\x9bb\u2028c"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'vdrm: --trace "/proc/a\\x9bb\\u2028c": is under /proc or /sys, ' +
      "kernel pseudo-filesystems; give a regular file\n");
  });

  it("the paths of the files written are printed with their control characters escaped", () => {
    const dir = scratchDir();
    const trace = join(dir, "a\nb\x1b[31m.txt");
    const html = join(dir, "c\rd.html");
    const r = vdrmInProcess(["run", EGPU, "--max-steps", "50", "--trace", trace, "--html", html]);
    assert.equal(r.code, 8, r.stderr);
    assert.equal(r.stderr, `trace: ${dir}/a\\nb\\x1b[31m.txt\nreport: ${dir}/c\\rd.html\n`);
  });

  it("replay commands quote the file for the shell: spaces, quotes, control characters", () => {
    const dir = scratchDir();
    for (const name of ["my run.yaml", "it's.yaml", "a\nb\x1b[1m\u2028.yaml"]) {
      const file = join(dir, name);
      copyFileSync(EGPU, file);
      const r = vdrmInProcess(["run", file, "--max-steps", "50"]);
      assert.equal(r.code, 8, r.stderr);
      const replay = /^replay: vdrm run (.*) --replay v1\.[\w-]+ --max-steps 50$/m.exec(r.stdout);
      const seed = /^seed: vdrm run (.*) --seed 1 --profile mainline --kernel 7\.1 --max-steps 50$/m
        .exec(r.stdout);
      assert.ok(replay !== null && seed !== null, r.stdout);
      for (const quoted of [replay[1]!, seed[1]!]) {
        const echo = spawnSync("bash", ["-c", `printf %s ${quoted}`], { encoding: "utf8" });
        assert.equal(echo.stdout, file, `${quoted} is not ${JSON.stringify(file)} for bash`);
      }
    }
  });

  it("--html of two runs of scenarios with one name writes a report, not an internal error", () => {
    // renderHtml() needs distinct titles; run gave it the scenario names as they were.
    const dir = scratchDir();
    const html = join(dir, "r.html");
    const r = vdrmInProcess(["run", EGPU, EGPU, "--max-steps", "5", "--html", html]);
    assert.equal(r.code, 8, r.stderr);
    assert.equal(r.stderr, `report: ${html}\n`);
    const report = readFileSync(html, "utf8");
    assert.ok(report.includes("<h2>egpu-pull</h2>") && report.includes("<h2>egpu-pull #2</h2>"));
  });
});
