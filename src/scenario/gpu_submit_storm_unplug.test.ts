/**
 * The built-in scenario gpu-submit-storm-unplug over many seeds and both profiles: the wait on
 * the last of sixteen jobs returns at the removal, the fences tell each job's fate (done,
 * force-completed on the engine, killed in the queue) and nothing hangs, leaks or touches
 * undeclared state.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "./load.js";
import { runScenario } from "./run.js";

const FILE = fileURLToPath(
  new URL("../../scenarios/gpu-submit-storm-unplug.yaml", import.meta.url),
);

test("remove during a submit storm: the waiter returns, every fence signals, whatever the schedule", () => {
  const loaded = loadScenarioFile(FILE);
  assert.ok(loaded.ok);
  for (let seed = 1; seed <= 10; seed++) {
    const run = runScenario(loaded.scenario, { seed });
    const unmet = run.steps.filter((s) => s.met === false).map((s) => s.why);
    assert.equal(run.verdict, "pass", `seed ${seed}: ${unmet.join("; ")}`);
    const wait = run.steps.find((s) => s.text.includes("SYNCOBJ_WAIT"));
    const remove = run.steps.find((s) => s.program === "admin" && s.text.includes("/remove"));
    assert.ok(wait !== undefined && remove !== undefined);
    assert.ok(wait.endTick >= remove.startTick, `seed ${seed}: the wait ended at the removal`);
    assert.ok(wait.endTick <= remove.endTick, `seed ${seed}: not after it`);
  }
});

test("under uapi-doc the jobs on the engine and those still queued end with ENODEV instead (R55, D5)", () => {
  const loaded = loadScenarioFile(FILE);
  assert.ok(loaded.ok);
  const run = runScenario(loaded.scenario, { seed: 1, profile: "uapi-doc" });
  const unmet = run.steps.filter((s) => s.met === false);
  assert.equal(run.verdict, "expectation");
  assert.deepEqual(unmet.map((s) => s.text), ["fence-status 5", "fence-status 6"]);
  for (const s of unmet) assert.match(s.why ?? "", /ENODEV/);
});
