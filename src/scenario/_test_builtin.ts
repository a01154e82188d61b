/**
 * @internal Helpers of the tests of built-in scenarios: a scenario of scenarios/ run once as
 * `vdrm run` runs it, or over seeds 1..N (with a kernel version if given), its text edited
 * first when a test needs a variant of it; and the expectations a run did not meet.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { KernelVersion } from "../base/mod.js";
import { loadScenarioFile, parseScenario } from "./load.js";
import { runScenario, type ScenarioRun } from "./run.js";
import type { Scenario } from "./scenario.js";

/** A change a test makes to a scenario's text before it is loaded. */
export type TextEdit = (text: string) => string;

function load(name: string, edit?: TextEdit): Scenario {
  const file = fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));
  const loaded = edit === undefined
    ? loadScenarioFile(file)
    : parseScenario(edit(readFileSync(file, "utf8")), file);
  assert.ok(loaded.ok, loaded.ok ? "" : JSON.stringify(loaded.errors));
  return loaded.scenario;
}

/** The scenario run once with the seed its file gives, as `vdrm run` runs it. */
export function run(name: string, edit?: TextEdit): ScenarioRun {
  return runScenario(load(name, edit));
}

export function runs(name: string, seeds: number, kernel?: KernelVersion, edit?: TextEdit): ScenarioRun[] {
  const scenario = load(name, edit);
  return Array.from({ length: seeds }, (_, i) =>
    runScenario(scenario, { seed: i + 1, ...(kernel === undefined ? {} : { kernel }) }));
}

export function unmet(run: ScenarioRun): string {
  return run.steps.filter((s) => s.met === false).map((s) => `${s.program}: ${s.text}: ${s.why}`).join("; ");
}
