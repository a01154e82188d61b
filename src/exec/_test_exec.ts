/**
 * @internal Helpers of the `vdrm exec` tests: the C clients (clients.ts), the scenarios they
 * replace a program of, and the lines the clients print.
 */
import { join } from "node:path";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { buildClient, clientsSkipReason, ROOT } from "./clients.js";

export { buildClient, ROOT };

/** Why the tests of real programs cannot run here, or null when they can. */
export const execSkipReason = clientsSkipReason;

export function loadScenario(file: string): Scenario {
  const r = loadScenarioFile(join(ROOT, file));
  if (!r.ok) throw new Error(`Cannot load ${file}: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.scenario;
}

/** The lines the C clients print, as "key value" pairs (the first word is the key). */
export function factLines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l !== "");
}
