/**
 * Shrinking a failing choice sequence, the internal shrinking of Hypothesis and fast-check
 * applied to scheduling choices: a candidate is a list of given choices (-1: the default one,
 * see defaultChoice(); past its end every choice is the default), rerun and kept when the same
 * oracle fires (sameFailure()). First the shortest prefix that still fails (binary search),
 * then each given choice, last to first, put back to the default where that keeps the failure.
 * What is left is few given choices, each one needed; the run's own decision list, exact, is
 * what the replay token holds.
 */
import { execute, prefixChooser, sameFailure, type Execution, type Failure } from "./execution.js";
import type { Scenario } from "../scenario/mod.js";

export interface Shrunk {
  /** The given choices kept (-1: default). */
  readonly given: readonly number[];
  /** The decisions of the shrunk run, every one (for ReplayStrategy). */
  readonly decisions: readonly number[];
  readonly failure: Failure;
  /** Reruns the shrinking made. */
  readonly runs: number;
}

/** How many choices a candidate gives (not the default). */
export function givenCount(given: readonly number[]): number {
  return given.filter((d) => d >= 0).length;
}

export function shrink(
  sc: Scenario, decisions: readonly number[], failure: Failure, o: { runsMax?: number; stepsMax?: number } = {},
): Shrunk {
  const runsMax = o.runsMax ?? 500;
  let runs = 0;
  let best: { given: readonly number[]; ex: Execution; failure: Failure } | null = null;
  const fails = (given: readonly number[]): boolean => {
    if (runs >= runsMax) return false;
    runs++;
    const ex = execute(sc, prefixChooser(given), o.stepsMax !== undefined ? { stepsMax: o.stepsMax } : {});
    if (ex.failure === null || !sameFailure(ex.failure, failure)) return false;
    best = { given, ex, failure: ex.failure };
    return true;
  };
  if (!fails(decisions)) {
    // Not reproducible by prefix (should not happen: the run is deterministic); keep it whole.
    return { given: decisions, decisions, failure, runs };
  }
  let lo = 0;
  let hi = decisions.length; // decisions.slice(0, hi) fails
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(decisions.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  let given = decisions.slice(0, hi); // best is its run: the last that failed
  for (let i = given.length - 1; i >= 0; i--) {
    if (given[i]! < 0) continue;
    const candidate = given.slice();
    candidate[i] = -1;
    if (fails(candidate)) given = candidate;
  }
  const b = best as { given: readonly number[]; ex: Execution; failure: Failure } | null;
  if (b === null) return { given: decisions, decisions, failure, runs };
  return { given: b.given, decisions: b.ex.decisions, failure: b.failure, runs };
}
