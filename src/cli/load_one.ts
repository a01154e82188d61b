/**
 * The one scenario file of a command that takes one (`explore`, `replay`): loaded, or its
 * located errors printed with what was not done.
 */
import { formatLocated, loadScenarioFile, type Scenario } from "../scenario/mod.js";
import type { Io } from "./io.js";

export function loadOneScenario(file: string, command: string, notDone: string, io: Io): Scenario | null {
  const loaded = loadScenarioFile(file);
  if (loaded.ok) return loaded.scenario;
  for (const e of loaded.errors) io.err(formatLocated(e));
  io.err(`vdrm ${command}: the scenario file is invalid; ${notDone}`);
  return null;
}
