/**
 * The explorer's figures (issue 12, item 9; docs/benchmarks.md, docs/explore.md):
 * - transitions per second of the explicit-state search on the Promela twin of unplug.pml at
 *   N = 5, K = 5 (SPIN's pan: 3.4 million a second; target at least 0.7 million), on one
 *   core: per second of the process's CPU time (the machine is shared), and of wall-clock;
 * - the ratio of executions, plain DFS over DFS with DPOR, on unplug-four-programs (four
 *   programs, three ioctls each on their own files, and a removal at any point), both within
 *   one preemption (target at least 10; a count, the same on every run);
 * - the CPU time to the first counterexample of each experiment in random, PCT and DFS modes.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SAMPLES_DEFAULT, search, searchModel, unplugTwin, type Mode } from "../explore/mod.js";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { sampleRuns, startCpuStopwatch, startStopwatch, summarize, type Row } from "./measure.js";

const DIR = fileURLToPath(new URL("../../scenarios/explore/", import.meta.url));

/** Each experiment's generic scenario (docs/experiments.md). */
export const EXPERIMENT_SCENARIOS = [
  "unplug-ioctl-devm", "unplug-reader-waitclose", "unplug-commit-noenter", "unplug-mmap-dma",
  "wedge-hang-early", "bus-reset-fences-drain",
] as const;

function load(name: string): Scenario {
  const r = loadScenarioFile(join(DIR, `${name}.yaml`));
  if (!r.ok) throw new Error(`Cannot bench: scenarios/explore/${name}.yaml does not load`);
  return r.scenario;
}

/**
 * SPIN 6.5.2's counts of unplug.pml (states stored, states matched) at the sizes the bench
 * runs (`spin -DN_USERS=5 -DK_IOCTLS=5 -a unplug.pml; gcc -O2 -DSAFETY pan.c; ./pan`:
 * 92,538,740 transitions; docs/explore.md has every size).
 */
export const SPIN_COUNTS: Readonly<Record<string, { stored: number; matched: number }>> = {
  "5,5": { stored: 18_028_249, matched: 74_510_491 },
};

export interface TwinOptions {
  readonly users: number;
  readonly ioctls: number;
  readonly runs: number;
}

/** Transitions per CPU second and per wall-clock second of the twin's exhaustive search. */
export function benchTwin(o: TwinOptions): Row[] {
  const wall: number[] = [];
  const stored: number[] = [];
  const matched: number[] = [];
  const cpu = sampleRuns(o.runs, () => {
    const cpuNs = startCpuStopwatch();
    const wallNs = startStopwatch();
    const r = searchModel(unplugTwin({ users: o.users, ioctls: o.ioctls }), { mode: "dfs" });
    if (r.stoppedBy !== "complete") throw new Error("Cannot bench the twin: the search did not complete");
    wall.push(r.stats.executed / (wallNs() / 1e9));
    stored.push(r.stats.stored);
    matched.push(r.stats.matched);
    return r.stats.executed / (cpuNs() / 1e9);
  }, 0);
  const name = `twin of unplug.pml N=${o.users} K=${o.ioctls}, dfs`;
  const spin = SPIN_COUNTS[`${o.users},${o.ioctls}`];
  const exact = (value: number | undefined) => (value === undefined ? null : { kind: "eq" as const, value });
  return [
    { name, summary: cpu, unit: "transitions/cpu-s", target: { kind: "min", value: 700_000 } },
    { name, summary: summarize(wall), unit: "transitions/s wall", target: null },
    { name: `${name} (target: SPIN's)`, summary: summarize(stored), unit: "states stored", target: exact(spin?.stored) },
    { name: `${name} (target: SPIN's)`, summary: summarize(matched), unit: "states matched", target: exact(spin?.matched) },
  ];
}

/** Executions of plain DFS over DFS with DPOR on unplug-four-programs, within one preemption. */
export function benchDporRatio(): Row[] {
  const sc = load("unplug-four-programs");
  const plain = search(sc, { mode: "dfs", dpor: false, preemptionsMax: 1 });
  const dpor = search(sc, { mode: "dfs", preemptionsMax: 1 });
  if (!plain.stats.complete || !dpor.stats.complete) throw new Error("Cannot bench DPOR: a search did not complete");
  const ratio = plain.stats.executions / dpor.stats.executions;
  return [
    { name: "unplug-four-programs, plain dfs", summary: summarize([plain.stats.executions]), unit: "executions", target: null },
    { name: "unplug-four-programs, dfs+DPOR", summary: summarize([dpor.stats.executions]), unit: "executions", target: null },
    { name: "unplug-four-programs, plain/DPOR", summary: summarize([ratio]), unit: "ratio", target: { kind: "min", value: 10 } },
  ];
}

/** CPU ms until each experiment's first failing execution, per mode (random, pct: seeds 1..runs). */
export function benchFirstCounterexample(o: { readonly runs: number }): Row[] {
  const rows: Row[] = [];
  for (const name of EXPERIMENT_SCENARIOS) {
    const sc = load(name);
    for (const mode of ["random", "pct", "dfs"] as const satisfies readonly Mode[]) {
      let seed = 0;
      const ms = sampleRuns(mode === "dfs" ? 1 : o.runs, () => {
        const cpuNs = startCpuStopwatch();
        const r = search(sc, { mode, seed: ++seed, budget: SAMPLES_DEFAULT, ...(mode === "dfs" ? { preemptionsMax: 1 } : {}) });
        if (r.found === null) return Number.POSITIVE_INFINITY;
        return cpuNs() / 1e6;
      }, 0);
      rows.push({ name: `first counterexample ${name}, ${mode}`, summary: ms, unit: "ms cpu", target: null });
    }
  }
  return rows;
}
