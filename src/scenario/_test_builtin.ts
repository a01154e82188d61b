/**
 * @internal Helpers of the tests of built-in scenarios: a scenario of scenarios/ run over
 * seeds 1..N (with a kernel version if given), and the expectations a run did not meet.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { KernelVersion } from "../base/mod.js";
import { loadScenarioFile } from "./load.js";
import { runScenario, type ScenarioRun } from "./run.js";

export function runs(name: string, seeds: number, kernel?: KernelVersion): ScenarioRun[] {
  const loaded = loadScenarioFile(fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url)));
  assert.ok(loaded.ok, loaded.ok ? "" : JSON.stringify(loaded.errors));
  return Array.from({ length: seeds }, (_, i) =>
    runScenario(loaded.scenario, { seed: i + 1, ...(kernel === undefined ? {} : { kernel }) }));
}

export function unmet(run: ScenarioRun): string {
  return run.steps.filter((s) => s.met === false).map((s) => `${s.program}: ${s.text}: ${s.why}`).join("; ");
}
