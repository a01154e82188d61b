/**
 * Helpers for scenario tests: load a scenario from text or fail with its errors.
 */
import { parseScenario } from "./load.js";
import { formatLocated } from "./locate.js";
import type { Scenario } from "./scenario.js";

export function scenarioFrom(text: string, file = "test.yaml"): Scenario {
  const r = parseScenario(text, file);
  if (!r.ok) throw new Error(`scenario invalid:\n${r.errors.map(formatLocated).join("\n")}`);
  return r.scenario;
}

export function errorsOf(text: string, file = "test.yaml"): string[] {
  const r = parseScenario(text, file);
  if (r.ok) throw new Error("scenario unexpectedly valid");
  return r.errors.map(formatLocated);
}
