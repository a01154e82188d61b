/**
 * The built-in scenario syncobj-wait-unplug over many seeds: a SYNCOBJ_WAIT pending when the
 * vtest device is removed returns as soon as remove() cancels the job (its fence signalled
 * with -ECANCELED), long before the job's second would have passed; nothing hangs or leaks.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "./load.js";
import { runScenario } from "./run.js";

const FILE = fileURLToPath(new URL("../../scenarios/syncobj-wait-unplug.yaml", import.meta.url));
const JOB_TICKS = 1_000_000; // duration_ns 1_000_000_000 at 1 µs a tick

test("a syncobj wait pending at unplug returns when remove() cancels the job, whatever the schedule", () => {
  const loaded = loadScenarioFile(FILE);
  assert.ok(loaded.ok);
  for (let seed = 1; seed <= 12; seed++) {
    const run = runScenario(loaded.scenario, { seed });
    const unmet = run.steps.filter((s) => s.met === false).map((s) => s.why);
    assert.equal(run.verdict, "pass", `seed ${seed}: ${unmet.join("; ")}`);
    const waits = run.steps.filter(
      (s) => s.program === "client" && s.text.includes("SYNCOBJ_WAIT"),
    );
    const remove = run.steps.find((s) => s.program === "admin" && s.text.includes("/remove"));
    assert.ok(remove !== undefined && waits.length === 3);
    const pending = waits[1]!;
    assert.ok(
      pending.startTick < remove.startTick,
      `seed ${seed}: the wait started before the removal`,
    );
    assert.ok(pending.endTick >= remove.startTick, `seed ${seed}: and ended after it started`);
    assert.ok(
      pending.endTick - pending.startTick < JOB_TICKS / 100,
      `seed ${seed}: not at the job's end`,
    );
  }
});

test("the job's fence carries the profile's unplug error: ECANCELED in mainline, ENODEV in uapi-doc", () => {
  const loaded = loadScenarioFile(FILE);
  assert.ok(loaded.ok);
  for (const [profile, error] of [["mainline", "ECANCELED"], ["uapi-doc", "ENODEV"]] as const) {
    const run = runScenario(loaded.scenario, { seed: 1, profile });
    const after = run.steps.filter((s) => s.program === "client" && s.text.startsWith("fence-status"));
    assert.equal(after.length, 2);
    const outcome = after[1]!.outcome;
    assert.ok(outcome.status === "ok", `${profile}: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.fields["error"], error, profile);
  }
});
