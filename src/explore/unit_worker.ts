/**
 * The worker-thread side of `vdrm explore --workers N` (pool.ts): loads the scenario file
 * (once per thread: at start-up, from the pool's workerData, while the main thread lists the
 * units) and runs the units it is given. Piscina calls the default export.
 */
import { workerData } from "piscina";
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

function scenarioOf(file: string): Scenario {
  let sc = loaded.get(file);
  if (sc === undefined) {
    const r = loadScenarioFile(file);
    if (!r.ok) throw new Error(`worker: ${file} no longer loads (changed during the search?)`);
    sc = r.scenario;
    loaded.set(file, sc);
  }
  return sc;
}

/** What the pool gives every thread at start-up: the scenario file to load now. */
export interface UnitWorkerData {
  readonly file: string;
}

const preload = workerData as UnitWorkerData | undefined;
if (typeof preload?.file === "string") scenarioOf(preload.file);

export default function runTask(task: UnitTask): UnitResult {
  return runUnit(scenarioOf(task.file), task.options, task.unit);
}
