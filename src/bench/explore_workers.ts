/**
 * The speed-up of `vdrm explore --workers 2` over one worker on a DFS search (issue 12,
 * item 9): the same split search (the same units, the same result) timed whole, the listing
 * of the units and the start of the worker threads included, as a user waits for it.
 * Wall-clock time: on a machine whose cores other jobs share, the figure says what they left,
 * so the row names the load average (1 minute) seen during the runs. Target: 1.5 on 2 idle
 * cores (docs/explore.md).
 */
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { runUnits, split, UnitRunner, type ExploreOptions } from "../explore/mod.js";
import { loadScenarioFile } from "../scenario/mod.js";
import { summarize, type Row, type Summary } from "./measure.js";

export interface ExploreWorkersOptions {
  /** A scenario of scenarios/explore. */
  readonly scenario: string;
  readonly preemptionsMax: number;
  readonly runs: number;
}

async function timeSearch(
  file: string, o: ExploreOptions, workers: number,
): Promise<{ s: number; executions: number }> {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new Error(`Cannot bench explore: ${file} does not load`);
  const sc = loaded.scenario;
  const start = performance.now();
  const runner = new UnitRunner(workers, file);
  try {
    const { combined } = await runUnits(sc, o, split(sc, o).units, runner);
    return { s: (performance.now() - start) / 1000, executions: combined.stats.executions };
  } finally {
    await runner.close();
  }
}

export async function benchExploreWorkers(b: ExploreWorkersOptions): Promise<Row[]> {
  const file = fileURLToPath(new URL(`../../scenarios/explore/${b.scenario}`, import.meta.url));
  const o: ExploreOptions = { mode: "dfs", dpor: false, preemptionsMax: b.preemptionsMax };
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const executions = new Set<number>();
  const loads: number[] = [];
  for (let i = 0; i < b.runs; i++) {
    for (const w of [1, 2] as const) {
      const r = await timeSearch(file, o, w);
      times[w].push(r.s);
      executions.add(r.executions);
      loads.push(loadavg()[0]!);
    }
  }
  if (executions.size !== 1) {
    throw new Error(`Cannot bench explore: runs differ (${[...executions].join(", ")} executions)`);
  }
  const one = summarize(times[1]);
  const two = summarize(times[2]);
  const ratios = times[1].map((t, i) => t / times[2][i]!);
  const speedup: Summary = summarize(ratios);
  const name = `explore dfs --no-dpor ${b.scenario.replace(/\.yaml$/, "")} -p ${b.preemptionsMax}`;
  return [
    { name: `${name}, 1 worker`, summary: one, unit: "s", target: null },
    { name: `${name}, 2 workers`, summary: two, unit: "s", target: null },
    {
      name: `${name}, speed-up of 2 workers (load ${summarize(loads).median.toFixed(1)})`, summary: speedup,
      unit: "x", target: { kind: "min", value: 1.5 },
    },
  ];
}
