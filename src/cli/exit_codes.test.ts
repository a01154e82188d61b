/**
 * Every way out of the built command has its documented exit code: internal errors (70, with
 * the replay command), an exhausted step budget (8), usage (2), help and version (0), and a
 * reader that closes the pipe early (the command ends quietly).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { CRASH_HOOK, MAIN, ROOT, vdrm } from "./_test_cli.js";

const crash = ["--import", pathToFileURL(CRASH_HOOK).href];
const EGPU = "scenarios/egpu-pull.yaml";
const PLANTED_SLEEP = "vdrm: internal error: Cannot sleep: assertion planted by the test hook";
const PLANTED_CARD = "vdrm: internal error: Cannot make card: assertion planted by the test hook";

describe("internal errors", () => {
  it("a model assertion exits 70 with a short message and the run's replay command", () => {
    const args = ["run", EGPU, "scenarios/hotunplug-lateclose.yaml", "--seed", "5"];
    const r = vdrm(args, { nodeArgs: crash });
    assert.equal(r.code, 70, r.stderr);
    const lines = r.stderr.split("\n");
    assert.equal(lines[0], PLANTED_SLEEP);
    assert.equal(lines[1], `replay: vdrm run ${EGPU} --seed 5 --profile mainline --kernel 7.1`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace without --debug");
  });

  it("--debug adds the stack trace, before or after the subcommand", () => {
    for (const args of [["--debug", "run", EGPU], ["run", EGPU, "--debug"]]) {
      const r = vdrm(args, { nodeArgs: crash });
      assert.equal(r.code, 70, r.stderr);
      assert.equal(r.err1, PLANTED_SLEEP);
      assert.match(r.stderr, /ModelAssertionError: Cannot sleep[^\n]*\n\s+at assert /);
    }
  });

  it("in an IGT subtest the replay command is the igt command", () => {
    const env = { VDRM_TEST_CRASH: "card" };
    const r = vdrm(["igt", "hotrebind", "--seed", "3"], { nodeArgs: crash, env });
    assert.equal(r.code, 70, r.stderr);
    assert.equal(r.err1, PLANTED_CARD);
    assert.match(r.stderr,
      /\nreplay: vdrm igt hotrebind --driver vdisp --seed 3 --profile mainline --kernel 7\.1\n/);
  });

  it("outside any run the replay command is the command line", () => {
    const r = vdrm(["realkernel"], { nodeArgs: crash, env: { VDRM_TEST_CRASH: "card" } });
    assert.equal(r.code, 70, r.stderr);
    assert.equal(r.err1, PLANTED_CARD);
    assert.match(r.stderr, /\nreplay: vdrm realkernel\n/);
  });
});

describe("the step budget", () => {
  it("running out of --max-steps is the verdict budget, exit 8; the timeline says where", () => {
    const r = vdrm(["run", EGPU, "--max-steps", "20"]);
    assert.equal(r.code, 8, r.stderr);
    assert.match(r.stdout,
      /\n\[ +0\.\d{6}\] budget +the step budget of 20 steps ran out; not ended: app \(/);
    assert.match(r.stdout, /\nverdict: budget\nreplay: vdrm run scenarios\/egpu-pull\.yaml --replay v1\.[\w-]+ --max-steps 20\n/);
    assert.ok(r.stdout.endsWith("\nseed: vdrm run scenarios/egpu-pull.yaml " +
      "--seed 1 --profile mainline --kernel 7.1 --max-steps 20\n"), r.stdout);
    const json = vdrm(["run", EGPU, "--max-steps", "20", "--json"]);
    const o = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(o["verdict"], "budget");
    const keys = Object.keys(o["budget"] as object);
    assert.deepEqual(keys, ["stepsMax", "steps", "tick", "unfinished"]);
  });

  it("--max-steps must be a positive integer", () => {
    const r = vdrm(["run", EGPU, "--max-steps", "0"]);
    assert.equal(r.code, 2);
    assert.equal(r.err1, "error: option '--max-steps <n>' argument '0' is invalid. " +
      `--max-steps must be a positive integer, got "0"`);
  });
});

describe("help, version and usage", () => {
  it("--version prints the version in package.json", () => {
    const r = vdrm(["--version"]);
    assert.equal(r.code, 0);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(r.stdout, `${pkg.version}\n`);
  });

  it("--help exits 0 and lists every exit code; no command at all is a usage error", () => {
    const help = vdrm(["--help"]);
    assert.equal(help.code, 0);
    const codes = [[0, "pass"], [1, "expectation"], [2, "input"], [3, "memory"], [4, "hang"],
      [5, "leak"], [6, "warn"], [7, "blocked"], [8, "budget"], [9, "footprint"], [70, "internal"]];
    for (const [code, name] of codes) {
      assert.match(help.stdout, new RegExp(`\\n +${code}  ${name} +\\S`));
    }
    const none = vdrm([]);
    assert.equal(none.code, 2);
    assert.equal(none.err1, "Usage: vdrm [options] [command]");
  });
});

type Ended = { code: number | null; stderr: string };

/** Starts the command with standard output a pipe whose reader is gone before it writes. */
function withClosedStdout(args: readonly string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("a reader that closes early (EPIPE)", () => {
  it("vdrm --help ends quietly with exit 0", async () => {
    assert.deepEqual(await withClosedStdout(["--help"]), { code: 0, stderr: "" });
  });

  it("vdrm run ends quietly with the exit code of its verdict", async () => {
    const pass = await withClosedStdout(["run", "scenarios/hotunplug-lateclose.yaml"]);
    assert.deepEqual(pass, { code: 0, stderr: "" });
    const budget = await withClosedStdout(["run", EGPU, "--max-steps", "20"]);
    assert.deepEqual(budget, { code: 8, stderr: "" });
  });
});
