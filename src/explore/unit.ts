/**
 * One unit of a split search (split.ts) run to its end, and its result as plain data: what a
 * worker thread hands back and what a shard's result file holds. The sets (state hashes,
 * fault points) are kept whole so that a union counts each once across units.
 */
import type { Scenario } from "../scenario/mod.js";
import type { Failure } from "./execution.js";
import { search } from "./explore.js";
import type { ExploreOptions, SearchResult } from "./search.js";
import type { Unit } from "./split.js";

export interface UnitFailure {
  readonly decisions: readonly number[];
  readonly failure: Failure;
  /** Its execution's number within the unit, from 1. */
  readonly execution: number;
}

export interface UnitResult {
  readonly index: number;
  readonly executions: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly redundant: number;
  readonly elapsedMs: number;
  /** The state hashes seen (with --states), sorted. */
  readonly states: readonly string[];
  /** The fault points reached, as keys, sorted. */
  readonly faultPoints: readonly string[];
  /** Every distinct failure in the order found; the first is where the unit stopped. */
  readonly failures: readonly UnitFailure[];
  readonly stoppedBy: SearchResult["stoppedBy"];
}

/** Runs one unit of a search with options `o` (the whole search's, budget included). */
export function runUnit(sc: Scenario, o: ExploreOptions, unit: Unit): UnitResult {
  const seen = new Set<string>();
  const bounds = unit.prefix !== undefined
    ? { unit: { prefix: unit.prefix, sleepAt: unit.sleepAt ?? -1, sleep: unit.sleep ?? [] } }
    : { unit: { first: unit.first ?? 0 }, budget: unit.count ?? 0 };
  const opts: ExploreOptions = { ...o, ...bounds, seen };
  const r = search(sc, opts);
  const s = r.stats;
  return {
    index: unit.index, executions: s.executions, transitions: s.transitions, maxDepth: s.maxDepth,
    redundant: s.redundant, elapsedMs: s.elapsedMs, states: [...seen].sort(),
    faultPoints: [...r.faultPointKeys].sort(),
    failures: r.failures.map((f) => ({ decisions: f.decisions, failure: f.failure, execution: f.execution })),
    stoppedBy: r.stoppedBy,
  };
}
