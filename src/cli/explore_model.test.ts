/**
 * `vdrm explore` on a model file (the Promela twin, scenarios/explore/unplug-twin.yaml) as a
 * user runs it: SPIN's state counts printed with --states, each broken switch found with the
 * shortest counterexample and its verdict's exit code, bad parameters and scenario-only
 * options refused with exit 2; a counterexample's m1. token rerun by `vdrm replay` in another
 * process with the parameters it was found with.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeReplayToken } from "../scenario/mod.js";
import { assertRefused, vdrmArgs as vdrm } from "./_test_cli.js";

const TWIN = "scenarios/explore/unplug-twin.yaml";

describe("vdrm explore MODEL-FILE", () => {
  it("--states prints SPIN's counts at N=3 K=2: 4954 stored, 10338 matched, 15292 transitions", () => {
    const r = vdrm("explore", TWIN, "--states", "-D", "N_USERS=3");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^statistics: states stored 4954, matched 10338, transitions 15292 \(stored \+ matched/m);
    assert.match(r.stdout, /^result: no violation; every reachable state explored$/m);
  });

  it("NEVER_CLOSE at the file's N=2 K=2: 414 states, 936 transitions, no violation", () => {
    const r = vdrm("explore", TWIN, "--states", "-D", "NEVER_CLOSE", "--json");
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { stats: { stored: number; transitions: number }; counterexample: null };
    assert.equal(j.stats.stored, 414);
    assert.equal(j.stats.transitions, 936);
    assert.equal(j.counterexample, null);
  });

  it("BUG_DEVM: use-after-free (exit 3) in K + 6 transitions, drm_release last", () => {
    const r = vdrm("explore", TWIN, "-D", "BUG_DEVM", "-D", "K_IOCTLS=3");
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^counterexample: memory \(use-after-free\) after 9 transitions/m);
    assert.match(r.stdout, /^ +9 +user\d +drm_release$/m);
  });

  it("BUG_WAIT_USERS: an invalid end state, a hang (exit 4), in N + K + 3 transitions", () => {
    const r = vdrm("explore", TWIN, "-D", "BUG_WAIT_USERS", "-D", "N_USERS=3", "--mode", "bfs", "--json");
    assert.equal(r.code, 4, r.stderr);
    const j = JSON.parse(r.stdout) as { counterexample: { verdict: string; length: number; message: string } };
    assert.equal(j.counterexample.verdict, "hang");
    assert.equal(j.counterexample.length, 8);
    assert.match(j.counterexample.message, /^invalid end state: remove blocked forever/);
  });

  it("BUG_NO_ENTER: hardware touched after unplug (exit 3) in 7 transitions", () => {
    const r = vdrm("explore", TWIN, "-D", "BUG_NO_ENTER", "--json");
    assert.equal(r.code, 3, r.stderr);
    const j = JSON.parse(r.stdout) as { counterexample: { kind: string; length: number } };
    assert.deepEqual([j.counterexample.kind, j.counterexample.length], ["hardware-after-unplug", 7]);
  });

  it("refuses an unknown parameter, two broken switches and scenario-only options (exit 2)", () => {
    assertRefused(vdrm("explore", TWIN, "-D", "N_USER=3"), /-D: unknown parameter "N_USER"/);
    assertRefused(vdrm("explore", TWIN, "-D", "BUG_DEVM", "-D", "BUG_NO_ENTER"), /at most one broken switch/);
    assertRefused(vdrm("explore", TWIN, "-D", "K_IOCTLS=x"), /K_IOCTLS must be an integer from 0 to 255/);
    assertRefused(vdrm("explore", TWIN, "--preemptions-max", "1"), /--preemptions-max: not for a model file/);
    assertRefused(vdrm("explore", TWIN, "--mode", "random"), /--mode random: a model is searched exhaustively/);
    assertRefused(vdrm("explore", TWIN, "--workers", "2"), /a model file is searched whole, in one thread/);
  });

  it("a counterexample's token reruns it in another process: same steps, same exit code", () => {
    // K_IOCTLS=3 on the command line (the file says 2): the token holds the parameters.
    const found = vdrm("explore", TWIN, "-D", "BUG_DEVM", "-D", "K_IOCTLS=3");
    assert.equal(found.code, 3, found.stderr);
    const m = /^replay: vdrm replay (m1\.[A-Za-z0-9_-]+) (\S+)$/m.exec(found.stdout);
    assert.ok(m !== null, found.stdout);
    assert.equal(m[2], TWIN);
    const steps = (out: string): string[] => out.split("\n").filter((l) => /^ +\d+ {2}\S/.test(l));
    const again = vdrm("replay", m[1]!, TWIN);
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stdout, /^replay unplug-twin \(.*\): N_USERS=2 K_IOCTLS=3 BUG_DEVM=1 .*, 9 transitions$/m);
    assert.match(again.stdout, /^failure: memory \(use-after-free\)$/m);
    assert.match(again.stdout, /^verdict: memory$/m);
    assert.equal(steps(again.stdout).length, 9);
    assert.deepEqual(steps(again.stdout), steps(found.stdout));
    const hang = JSON.parse(vdrm("explore", TWIN, "-D", "BUG_WAIT_USERS", "--json").stdout) as {
      counterexample: { replayToken: string; length: number };
    };
    const h = vdrm("replay", hang.counterexample.replayToken, TWIN);
    assert.equal(h.code, 4, h.stderr);
    assert.match(h.stdout, /^ {2}hang: invalid end state: remove blocked forever/m);
    assert.equal(steps(h.stdout).length, hang.counterexample.length);
  });

  it("vdrm replay refuses --html, a damaged token and a token on the wrong kind of file (exit 2)", () => {
    const j = JSON.parse(vdrm("explore", TWIN, "-D", "BUG_NO_ENTER", "--json").stdout) as {
      counterexample: { replayToken: string };
    };
    const token = j.counterexample.replayToken;
    assertRefused(vdrm("replay", token, TWIN, "--html", "x.html"), /--html: a model's run .* no kernel timeline/);
    const damaged = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    assertRefused(vdrm("replay", damaged, TWIN), /Cannot read model replay token: it does not match its checksum/);
    assertRefused(vdrm("replay", token, "scenarios/explore/unplug-ioctl-devm.yaml"), /not a model file; this token \(m1\.\)/);
    const v1 = encodeReplayToken({ seed: 1, profile: "mainline", kernel: "7.1", decisions: [0, 1] });
    assertRefused(vdrm("replay", v1, TWIN), /a model file; this token \(v1\.\) is a scenario run's/);
  });
});
