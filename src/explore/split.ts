/**
 * A search split into units that run anywhere and in any order (worker threads, machines of
 * a batch system) and combine into one result (combine.ts) that does not depend on how many
 * ran them or where.
 *
 * - dfs: a unit is a prefix of the decision tree: the choices at the first `depth` choice
 *   points (every option the bounds allow branches there, as in DFS without reduction, with
 *   its sleep sets), and the sleep set the search without a split has at its end. Below the
 *   prefix the unit runs the usual search (DPOR, or every option, or state hashing) on its
 *   own: races stay inside the unit (the prefix branches every option anyway), and each unit
 *   hashes states into its own set. The units are listed in the order DFS visits them.
 * - random, pct: a unit is a range of execution numbers (each execution draws from a stream
 *   seeded by the search seed and its number, so a range runs the same anywhere).
 *
 * Listing the dfs units runs the leftmost execution of each unit once (the `discovery` runs,
 * not counted: the unit runs it again), at each depth tried.
 */
import type { Scenario } from "../scenario/mod.js";
import { dfs } from "./dfs.js";
import { SAMPLES_DEFAULT } from "./sample.js";
import type { ExploreOptions, Mode, SleepEntry } from "./search.js";

/** Executions in a unit of a random or pct search. */
export const SAMPLE_UNIT = 50;
/** A dfs split goes deeper (depth 1, 2, 4, 8...) until it has this many units... */
export const SPLIT_UNITS = 16;
/** ...or reaches this depth. */
export const SPLIT_DEPTH_MAX = 16;

/** One unit: its place in the canonical order, and what it covers. */
export interface Unit {
  readonly index: number;
  /** dfs: the option index taken at each of the first choice points. */
  readonly prefix?: readonly number[];
  /** dfs: where the sleep set starts on the prefix, and the sleep set. */
  readonly sleepAt?: number;
  readonly sleep?: readonly SleepEntry[];
  /** random, pct: the executions numbered first .. first + count - 1. */
  readonly first?: number;
  readonly count?: number;
}

export interface Split {
  readonly mode: Mode;
  /** dfs: the choice points the units fix; random and pct: executions a unit. */
  readonly depth: number;
  readonly units: readonly Unit[];
  /** Executions run to list the units (not counted in the statistics). */
  readonly discovery: number;
}

/** The modes a split search supports (bfs's level order does not split into subtrees). */
export function splittable(mode: Mode): boolean {
  return mode !== "bfs";
}

/**
 * The dfs units at `depth`: a DFS of the first `depth` choice points (every option the bounds
 * allow, sleep sets as without a split; nothing below them branches), one unit per execution.
 */
function unitsAt(sc: Scenario, o: ExploreOptions, depth: number): Unit[] {
  const units: Unit[] = [];
  const top: ExploreOptions = {
    mode: "dfs", dpor: false, all: true, depthMax: Math.min(depth, o.depthMax ?? Number.POSITIVE_INFINITY),
    ...(o.preemptionsMax !== undefined ? { preemptionsMax: o.preemptionsMax } : {}),
    ...(o.stepsMax !== undefined ? { stepsMax: o.stepsMax } : {}),
  };
  dfs(sc, top, (decisions, sleepAt, sleep) => {
    units.push({ index: units.length, prefix: decisions.slice(0, depth), sleepAt, sleep });
  });
  return units;
}

/**
 * Splits a search into units. dfs: at `depth` choice points if given, else at the first of
 * depths 1, 2, 4, 8, 16 with SPLIT_UNITS units. random, pct: the executions of the
 * budget (SAMPLES_DEFAULT without one) in ranges of SAMPLE_UNIT.
 */
export function split(sc: Scenario, o: ExploreOptions, depth?: number): Split {
  if (o.mode === "random" || o.mode === "pct") {
    const total = o.budget ?? SAMPLES_DEFAULT;
    const units: Unit[] = [];
    for (let first = 0; first < total; first += SAMPLE_UNIT) {
      units.push({ index: units.length, first, count: Math.min(SAMPLE_UNIT, total - first) });
    }
    return { mode: o.mode, depth: SAMPLE_UNIT, units, discovery: 0 };
  }
  if (!splittable(o.mode)) throw new Error(`Cannot split a ${o.mode} search`);
  let d = depth ?? 0;
  let units = unitsAt(sc, o, d);
  let discovery = units.length;
  if (depth === undefined) {
    while (units.length < SPLIT_UNITS && d < SPLIT_DEPTH_MAX) {
      d = Math.min(SPLIT_DEPTH_MAX, Math.max(1, 2 * d));
      units = unitsAt(sc, o, d);
      discovery += units.length;
    }
  }
  return { mode: o.mode, depth: d, units, discovery };
}

/** The units shard `index` of `count` runs: every count-th, from its index. */
export function shardUnits(s: Split, index: number, count: number): Unit[] {
  return s.units.filter((u) => u.index % count === index);
}
