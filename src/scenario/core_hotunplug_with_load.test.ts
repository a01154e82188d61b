/**
 * The six built-in `-with-load` core_hotunplug scenarios over several seeds and both profiles:
 * the removal returns with a spinner on the engine, the spinner's fence ends with an error
 * (ECANCELED; ENODEV under uapi-doc, D5), the end written through the batch's mapping after
 * the removal completes without a signal, the health check passes, the uevents and nodes are
 * IGT's, and nothing hangs, leaks or touches undeclared state.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "./load.js";
import { SUBTESTS } from "../userspace/mod.js";
import { runScenario } from "./run.js";

const NAMES = SUBTESTS.filter((s) => s.endsWith("-with-load"));

function load(name: string) {
  const file = fileURLToPath(new URL(`../../scenarios/core_hotunplug-${name}.yaml`, import.meta.url));
  const loaded = loadScenarioFile(file);
  assert.ok(loaded.ok, name);
  return loaded.scenario;
}

test("there is a built-in scenario for each of the six -with-load subtests", () => {
  assert.equal(NAMES.length, 6);
  for (const name of NAMES) load(name);
});

for (const name of NAMES) {
  test(`core_hotunplug-${name}: passes for every seed, the spinner cancelled by the removal`, () => {
    const scenario = load(name);
    for (let seed = 1; seed <= 4; seed++) {
      const run = runScenario(scenario, { seed });
      const unmet = run.steps.filter((s) => s.met === false).map((s) => `${s.text}: ${s.why}`);
      assert.equal(run.verdict, "pass", `seed ${seed}: ${unmet.join("; ")}`);
      const removal = run.steps.findIndex((s) => /\/(unbind|remove)\b/.test(s.text));
      const end = run.steps.findIndex((s) => s.text.startsWith("mem-write"));
      assert.ok(removal > 0 && end > removal, `seed ${seed}: the end is written after the removal`);
    }
  });

  test(`core_hotunplug-${name} under uapi-doc: the spinner's fence reads ENODEV instead (D5)`, () => {
    const run = runScenario(load(name), { seed: 1, profile: "uapi-doc" });
    const unmet = run.steps.filter((s) => s.met === false);
    assert.equal(run.verdict, "expectation");
    assert.deepEqual(unmet.map((s) => s.text), ["fence-status 4"]);
    assert.match(unmet[0]!.why ?? "", /ENODEV/);
  });
}
