/**
 * `vdrm explore`'s engine: searches a scenario's choice points in one of the modes, and when
 * a run fails, shrinks its choices and reruns the shrunk one with every step traced.
 */
import type { Scenario } from "../scenario/mod.js";
import { bfs } from "./bfs.js";
import { counterexample, type Counterexample } from "./counterexample.js";
import { dfs } from "./dfs.js";
import { sample } from "./sample.js";
import type { ExploreOptions, Found, SearchResult } from "./search.js";
import { givenCount, shrink } from "./shrink.js";

export interface ExploreResult {
  readonly search: SearchResult;
  readonly counterexample: Counterexample | null;
  /** Given choices (not the default) before and after shrinking, and the reruns it took. */
  readonly shrinking: { readonly before: number; readonly after: number; readonly runs: number } | null;
}

export function search(sc: Scenario, o: ExploreOptions): SearchResult {
  switch (o.mode) {
    case "random":
    case "pct":
      return sample(sc, o);
    case "dfs":
      return dfs(sc, o);
    case "bfs":
      return bfs(sc, o);
  }
}

export function explore(sc: Scenario, o: ExploreOptions & { readonly shrink?: boolean }): ExploreResult {
  const result = search(sc, o);
  return { search: result, ...shrunkCounterexample(sc, result.found, o) };
}

/** Shrinks a failing run (unless `shrink` is false) and reruns it with every step traced. */
export function shrunkCounterexample(
  sc: Scenario, found: Found | null, o: { readonly shrink?: boolean; readonly stepsMax?: number },
): Omit<ExploreResult, "search"> {
  if (found === null) return { counterexample: null, shrinking: null };
  const stepsMax = o.stepsMax !== undefined ? { stepsMax: o.stepsMax } : {};
  const s = o.shrink === false
    ? { given: found.decisions, decisions: found.decisions, failure: found.failure, runs: 0 }
    : shrink(sc, found.decisions, found.failure, stepsMax);
  const cx = counterexample(sc, s.decisions, o.stepsMax);
  const shrinking = { before: givenCount(found.decisions), after: givenCount(s.given), runs: s.runs };
  return { counterexample: cx, shrinking };
}
