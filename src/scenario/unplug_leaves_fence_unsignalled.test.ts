/**
 * vtest-nosignal, whose remove() cancels its VTEST_JOB jobs without signalling their fences:
 * the built-in scenario unplug-leaves-fence-unsignalled is caught on every seed as a
 * fence-never-signalled hang naming the fence, its device and the waiting program; a wait
 * with a short limit only times out; the same story on vtest passes with the fences
 * signalled -ECANCELED; and the driver's scheduler path, which it shares with vtest, still
 * ends every job.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { findingSummary } from "../kernel/mod.js";
import { parseScenario } from "./load.js";
import { runScenario, type ScenarioRun, type StepRecord } from "./run.js";

const scenarioText = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url)), "utf8");
const TEXT = scenarioText("unplug-leaves-fence-unsignalled");
const FENCE = /^hang: dma_fence vtest:card0:1:([12]) of 0000:01:00\.0 is never signalled; client waits on drm_syncobj_wait on vtest:card0:1:\1$/;

function run(text: string, seed?: number): ScenarioRun {
  const r = parseScenario(text, "test.yaml");
  assert.ok(r.ok, r.ok ? "" : r.errors.map((e) => e.message).join("; "));
  return runScenario(r.scenario, seed === undefined ? {} : { seed });
}

function why(r: ScenarioRun): string {
  return [...r.steps.filter((s) => s.met === false).map((s) => s.why), ...r.findings.map(findingSummary)]
    .join("; ");
}

function stepOf(r: ScenarioRun, program: string, index: number): StepRecord {
  const s = r.steps.find((x) => x.program === program && x.step.index === index);
  assert.ok(s !== undefined, `no step ${program}#${index}`);
  return s;
}

describe("vtest-nosignal: remove() leaves the fences of its running jobs unsignalled", () => {
  it("unplug-leaves-fence-unsignalled is caught, naming the fence, its device and the waiter", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = run(TEXT, seed);
      assert.equal(r.verdict, "pass", `seed ${seed}: ${why(r)}`);
      assert.equal(r.findings.length, 1, `seed ${seed}: only the client's fence: ${why(r)}`);
      const [f] = r.findings;
      assert.match(findingSummary(f!), FENCE);
      const remove = r.steps.find((s) => s.program === "admin" && s.text.includes("/remove"))!;
      assert.ok(f!.kind === "fence-never-signalled" && f!.waiters[0]!.sinceTick < remove.startTick,
        `seed ${seed}: the client waited since before the removal`);
    }
  });

  it("without its declared finding the run's verdict is hang", () => {
    const r = run(TEXT.replace("  findings: [fence-never-signalled]\n", ""));
    assert.equal(r.verdict, "hang");
  });

  it("a wait with a limit shorter than the hung-task timeout only times out: no finding", () => {
    const short = TEXT.replace("timeout_nsec: 9223372036854775807", "timeout_nsec: 60000000000")
      .replace("  findings: [fence-never-signalled]\n", "");
    assert.notEqual(short, TEXT);
    const r = run(short);
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
  });

  it("the same story on vtest passes: remove() signals both fences with -ECANCELED", () => {
    const r = run(TEXT.replaceAll("vtest-nosignal", "vtest"));
    assert.deepEqual(r.findings, []);
    const remove = r.steps.find((s) => s.program === "admin" && s.text.includes("/remove"))!;
    const wait = stepOf(r, "client", 5);
    assert.deepEqual(wait.outcome, { status: "ok", fields: { first_signaled: 0 } });
    assert.ok(wait.endTick < remove.endTick + 100, "the wait returns at the removal");
    const poll = stepOf(r, "watcher", 6).outcome;
    assert.ok(poll.status === "ok" && poll.fields["flags"] === "POLLIN");
    const status = stepOf(r, "watcher", 7).outcome;
    assert.ok(status.status === "ok");
    assert.deepEqual([status.fields["state"], status.fields["error"]], ["error", "ECANCELED"]);
  });

  it("its scheduler path is vtest's: the submit storm at unplug ends every job", () => {
    const storm = scenarioText("gpu-submit-storm-unplug").replace("driver: vtest }", "driver: vtest-nosignal }");
    const r = run(storm);
    assert.equal(r.verdict, "pass", why(r));
  });
});
