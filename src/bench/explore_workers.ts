/**
 * The speed-up of `vdrm explore --workers 2` over one worker on a DFS search (issue 12,
 * item 9): the same split search (the same units, the same result) timed whole, the listing
 * of the units and the start of the worker threads included, as a user waits for it.
 *
 * Beside it, the machine's ceiling for that figure: the same search run whole twice at once,
 * in this thread and a worker thread, against once in this thread (the throughput of two threads over one).
 * No split of one search can beat it, and on a 2-core machine it is well below 2: a
 * single-threaded search already keeps V8's garbage collector and compiler threads busy on
 * the second core. Wall-clock times: on a machine whose cores other jobs share, the figures
 * say what they left, so the rows name the load average (1 minute) seen during the runs.
 */
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { runUnits, split, UnitRunner, type ExploreOptions } from "../explore/mod.js";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { summarize, type Row } from "./measure.js";

/**
 * The target of the speed-up: this share of the machine's ceiling (no split does better than
 * two whole searches side by side; the rest is the threads' start-up and the last units).
 */
const CEILING_SHARE = 0.9;

export interface ExploreWorkersOptions {
  /** A scenario of scenarios/explore. */
  readonly scenario: string;
  readonly preemptionsMax: number;
  readonly runs: number;
}

function load(file: string): Scenario {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new Error(`Cannot bench explore: ${file} does not load`);
  return loaded.scenario;
}

/** Seconds for `fn` on a fresh runner of `workers` threads, their start included. */
async function timed<T>(file: string, workers: number, fn: (r: UnitRunner) => Promise<T>): Promise<{ s: number; value: T }> {
  const start = performance.now();
  const runner = new UnitRunner(workers, file);
  try {
    const value = await fn(runner);
    return { s: (performance.now() - start) / 1000, value };
  } finally {
    await runner.close();
  }
}

export async function benchExploreWorkers(b: ExploreWorkersOptions): Promise<Row[]> {
  const file = fileURLToPath(new URL(`../../scenarios/explore/${b.scenario}`, import.meta.url));
  const sc = load(file);
  const o: ExploreOptions = { mode: "dfs", dpor: false, preemptionsMax: b.preemptionsMax };
  const split1 = (r: UnitRunner) => runUnits(sc, o, split(sc, o).units, r).then((x) => x.combined.stats.executions);
  const whole = split(sc, o, 0).units[0]!;
  const once = (r: UnitRunner) => r.run(sc, o, whole, 0).then(() => 0);
  const twice = (r: UnitRunner) => Promise.all([r.run(sc, o, whole, 0), r.run(sc, o, whole, 1)]).then(() => 0);
  const times = { one: [] as number[], two: [] as number[], once: [] as number[], twice: [] as number[] };
  const executions = new Set<number>();
  const loads: number[] = [];
  for (let i = 0; i < b.runs; i++) {
    const one = await timed(file, 1, split1);
    const two = await timed(file, 2, split1);
    times.one.push(one.s);
    times.two.push(two.s);
    times.once.push((await timed(file, 1, once)).s);
    times.twice.push((await timed(file, 2, twice)).s);
    executions.add(one.value).add(two.value);
    loads.push(loadavg()[0]!);
  }
  if (executions.size !== 1) {
    throw new Error(`Cannot bench explore: runs differ (${[...executions].join(", ")} executions)`);
  }
  const ratio = (a: number[], c: number[], k = 1): number[] => a.map((t, i) => (k * t) / c[i]!);
  const name = `explore dfs --no-dpor ${b.scenario.replace(/\.yaml$/, "")} -p ${b.preemptionsMax} ` +
    `(${[...executions][0]} executions)`;
  const loadAvg = summarize(loads).median.toFixed(1);
  const ceiling = summarize(ratio(times.once, times.twice, 2));
  return [
    { name: `${name}, 1 worker`, summary: summarize(times.one), unit: "s", target: null },
    { name: `${name}, 2 workers`, summary: summarize(times.two), unit: "s", target: null },
    {
      name: `${name}, speed-up of 2 workers (load ${loadAvg})`, summary: summarize(ratio(times.one, times.two)),
      unit: "x", target: { kind: "min", value: Number((CEILING_SHARE * ceiling.median).toFixed(2)) },
    },
    {
      name: `the machine's ceiling: 2 whole searches at once in 2 threads, throughput over 1 (load ${loadAvg})`,
      summary: ceiling, unit: "x", target: null,
    },
  ];
}
