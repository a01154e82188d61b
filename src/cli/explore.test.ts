/**
 * `vdrm explore` and `vdrm replay` as a user runs them: the exit code is the finding's class,
 * the counterexample's replay token reproduces the finding in another process, a correct
 * driver explores clean, and bad input is refused with exit 2.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertRefused, scratchDir, vdrmArgs as vdrm } from "./_test_cli.js";

const DEVM = "scenarios/explore/unplug-ioctl-devm.yaml";
const VDISP = "scenarios/explore/unplug-ioctl-vdisp.yaml";

describe("vdrm explore", () => {
  const found = vdrm("explore", DEVM, "--preemptions-max", "1", "--json");

  it("finds vdisp-devm's use-after-free from a generic scenario: exit 3, with a replay token", () => {
    assert.equal(found.code, 3, found.stderr);
    const j = JSON.parse(found.stdout) as { counterexample: { verdict: string; kinds: string[]; replayToken: string } };
    assert.equal(j.counterexample.verdict, "memory");
    assert.ok(j.counterexample.kinds.includes("use-after-free"));
    assert.match(j.counterexample.replayToken, /^v1\./);
  });

  it("its token reruns the finding exactly in another process (vdrm replay), with --html", () => {
    const token = (JSON.parse(found.stdout) as { counterexample: { replayToken: string } }).counterexample.replayToken;
    const html = join(scratchDir(), "cx.html");
    const r = vdrm("replay", token, DEVM, "--html", html);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^failure: memory \(use-after-free\)$/m);
    assert.match(r.stdout, /BUG: KASAN: use-after-free/);
    assert.match(r.stdout, /<- choice \d+ \(preempts app\)|<- choice \d+/);
    assert.match(r.stderr, /^report: /m);
  });

  it("a token that does not fit the file is refused (exit 2)", () => {
    const token = (JSON.parse(found.stdout) as { counterexample: { replayToken: string } }).counterexample.replayToken;
    assertRefused(vdrm("replay", token, VDISP), /^vdrm replay: .*the token does not fit this run/);
  });

  it("prints the counterexample, one line per step, and the statistics", () => {
    const r = vdrm("explore", DEVM, "--mode", "bfs", "--preemptions-max", "1");
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^counterexample: memory \(use-after-free\)/m);
    assert.match(r.stdout, /^ +\d+ +admin +kernfs_fop_write_iter/m);
    assert.match(r.stdout, /^replay: vdrm replay v1\.\S+ scenarios\/explore\/unplug-ioctl-devm\.yaml$/m);
    assert.match(r.stdout, /^statistics: \d+ executions, \d+ transitions, .* transitions\/s, max depth \d+ choice points, fault points reached \d+/m);
  });

  it("explores vdisp clean within its bounds: exit 0, the whole space covered", () => {
    const r = vdrm("explore", VDISP, "--preemptions-max", "1", "--states");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^result: no failure; the whole bounded space explored$/m);
    assert.match(r.stdout, /distinct states [1-9]\d*/);
  });

  it("refuses bad options and files with exit 2", () => {
    assertRefused(vdrm("explore", DEVM, "--mode", "dfz"), /unknown mode "dfz"/);
    assertRefused(vdrm("explore", DEVM, "--preemptions-max", "-1"), /--preemptions-max/);
    assert.equal(vdrm("explore", "no/such.yaml").code, 2);
  });
});
