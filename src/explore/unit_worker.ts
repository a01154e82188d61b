/**
 * The worker-thread side of `vdrm explore --workers N` (pool.ts): loads the scenario file
 * (once per thread) and runs the units it is given. Piscina calls the default export.
 */
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import type { ExploreOptions } from "./search.js";
import type { Unit } from "./split.js";
import { runUnit, type UnitResult } from "./unit.js";

/** What the main thread sends: plain data (options without callbacks). */
export interface UnitTask {
  readonly file: string;
  readonly options: ExploreOptions;
  readonly unit: Unit;
}

const loaded = new Map<string, Scenario>();

export default function runTask(task: UnitTask): UnitResult {
  let sc = loaded.get(task.file);
  if (sc === undefined) {
    const r = loadScenarioFile(task.file);
    if (!r.ok) throw new Error(`worker: ${task.file} no longer loads (changed during the search?)`);
    sc = r.scenario;
    loaded.set(task.file, sc);
  }
  return runUnit(sc, task.options, task.unit);
}
