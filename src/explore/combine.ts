/**
 * The result of a split search from its units' results, as if one process had run the units
 * one after the other in their canonical order (split.ts) and stopped at the first failure:
 * the units after the first failing one are left out (a worker or a shard may have run them
 * meanwhile), counts are summed, the maximum depth is the largest, and distinct states and
 * fault points are the size of the union of the units' sets (a state two units reached counts
 * once). So the result is the same for any number of workers or shards and any order of
 * completion.
 */
import type { Found, SearchResult, Stats } from "./search.js";
import type { UnitResult } from "./unit.js";

export interface Combined extends SearchResult {
  /** Units in the result, and units of the split. */
  readonly unitsRun: number;
  readonly unitsTotal: number;
  /** The unit of the first failure (`found`), if any. */
  readonly foundUnit: number | null;
}

function failureKey(f: Found): string {
  return `${f.failure.verdict}:${f.failure.kinds.join(",")}`;
}

/**
 * Combines the results of the `expected` units, in canonical order (missing ones, not run
 * when the time ran out, make the result incomplete). `all`: every unit counts and every
 * distinct failure is kept.
 * `elapsedMs` is the wall-clock time of the whole (parallel) search.
 */
export function combine(
  results: readonly UnitResult[], expected: readonly number[], all: boolean, elapsedMs: number,
): Combined {
  const byIndex = new Map(results.map((r) => [r.index, r]));
  const stats: Stats = {
    executions: 0, transitions: 0, states: 0, maxDepth: 0, redundant: 0, faultPoints: 0,
    elapsedMs, complete: false,
  };
  const states = new Set<string>();
  const faultPoints = new Set<string>();
  const failures = new Map<string, Found>();
  let found: Found | null = null;
  let foundUnit: number | null = null;
  let unitsRun = 0;
  let stopped: SearchResult["stoppedBy"] = "complete";
  for (const i of [...expected].sort((a, b) => a - b)) {
    if (found !== null && !all) break;
    const r = byIndex.get(i);
    if (r === undefined) {
      stopped = "time";
      continue;
    }
    unitsRun++;
    for (const f of r.failures) {
      const g: Found = { ...f, execution: stats.executions + f.execution };
      if (found === null) {
        found = g;
        foundUnit = r.index;
      }
      if (!failures.has(failureKey(g))) failures.set(failureKey(g), g);
    }
    stats.executions += r.executions;
    stats.transitions += r.transitions;
    stats.redundant += r.redundant;
    stats.maxDepth = Math.max(stats.maxDepth, r.maxDepth);
    for (const h of r.states) states.add(h);
    for (const k of r.faultPoints) faultPoints.add(k);
    if (r.stoppedBy === "time" || (r.stoppedBy === "budget" && stopped !== "time")) stopped = r.stoppedBy;
  }
  stats.states = states.size;
  stats.faultPoints = faultPoints.size;
  const stoppedBy = found !== null && !all ? "failure" : stopped;
  stats.complete = stoppedBy === "complete";
  return {
    stats, found, failures: [...failures.values()], stoppedBy, faultPointKeys: faultPoints,
    unitsRun, unitsTotal: expected.length, foundUnit,
  };
}
