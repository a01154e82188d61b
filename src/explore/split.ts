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
 * Listing the dfs units runs the leftmost execution of each unit at depth 16 once (the
 * `discovery` runs, not counted: the unit runs it again); the units at a shallower depth are
 * read from the same runs. Each unit gets an estimate of its size from its leftmost run; the
 * units are dealt to worker threads largest first, which changes where and when a unit
 * runs, never the combined result.
 */
import type { Scenario } from "../scenario/mod.js";
import { dfs, type PointShape } from "./dfs.js";
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
  /**
   * The executions it is expected to take (dfs: from its leftmost run, see estimateOf();
   * random, pct: its count). Only the order units are dealt in depends on it.
   */
  readonly estimate: number;
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

/** A run of the listing: its choices, where it branched with what sleep set, its shape. */
interface Leaf {
  readonly decisions: readonly number[];
  readonly sleepAt: number;
  readonly sleep: readonly SleepEntry[];
  readonly shape: readonly PointShape[];
}

/**
 * The listing: a DFS of the first `depth` choice points (every option the bounds allow, sleep
 * sets as without a split; nothing below them branches), one leaf per execution, in DFS order.
 * The units at any depth d <= `depth` are the first leaf of each distinct d-prefix (that leaf
 * runs exactly what a listing at d runs: it branched above d and took the defaults below).
 */
function listLeaves(sc: Scenario, o: ExploreOptions, depth: number): Leaf[] {
  const leaves: Leaf[] = [];
  const top: ExploreOptions = {
    mode: "dfs", dpor: false, all: true, depthMax: Math.min(depth, o.depthMax ?? Number.POSITIVE_INFINITY),
    ...(o.preemptionsMax !== undefined ? { preemptionsMax: o.preemptionsMax } : {}),
    ...(o.stepsMax !== undefined ? { stepsMax: o.stepsMax } : {}),
  };
  dfs(sc, top, (decisions, sleepAt, sleep, shape) => {
    leaves.push({ decisions, sleepAt, sleep, shape });
  });
  return leaves;
}

/** Binomial sums grow fast; an estimate above this is as large as any. */
const ESTIMATE_MAX = 2 ** 52;

/**
 * The executions a unit fixing `depth` choice points may take, from its leftmost run: with m
 * choice points below the prefix that have a choice, and r preemptions left to make, a
 * preemption-bounded search runs about sum(i = 0..r) C(m, i) executions (every set of at most
 * r points where it switches task). An order of magnitude, to deal big units first.
 */
export function estimateOf(shape: readonly PointShape[], depth: number, preemptionsMax?: number): number {
  const below = shape.slice(depth);
  const m = below.filter((p) => p.options > 1).length;
  const used = below[0]?.preemptions ?? 0;
  const r = Math.min(m, (preemptionsMax ?? Number.POSITIVE_INFINITY) - used);
  let sum = 0;
  let c = 1;
  for (let i = 0; i <= r && sum < ESTIMATE_MAX; i++) {
    sum += c;
    c = (c * (m - i)) / (i + 1);
  }
  return Math.min(Math.max(1, Math.round(sum)), ESTIMATE_MAX);
}

/** The units at `depth` from the listing's leaves: the first leaf of each `depth`-prefix. */
function unitsAt(leaves: readonly Leaf[], depth: number, preemptionsMax?: number): Unit[] {
  const units: Unit[] = [];
  let last: string | null = null;
  for (const leaf of leaves) {
    const prefix = leaf.decisions.slice(0, depth);
    const key = prefix.join(",");
    if (key === last) continue;
    last = key;
    units.push({
      index: units.length, prefix, sleepAt: leaf.sleepAt, sleep: leaf.sleep,
      estimate: estimateOf(leaf.shape, depth, preemptionsMax),
    });
  }
  return units;
}

/**
 * Splits a search into units. dfs: at `depth` choice points if given, else at the first of
 * depths 1, 2, 4, 8, 16 with SPLIT_UNITS units, all read from one listing to depth 16.
 * random, pct: the executions of the budget (SAMPLES_DEFAULT without one) in ranges of
 * SAMPLE_UNIT.
 */
export function split(sc: Scenario, o: ExploreOptions, depth?: number): Split {
  if (o.mode === "random" || o.mode === "pct") {
    const total = o.budget ?? SAMPLES_DEFAULT;
    const units: Unit[] = [];
    for (let first = 0; first < total; first += SAMPLE_UNIT) {
      const count = Math.min(SAMPLE_UNIT, total - first);
      units.push({ index: units.length, first, count, estimate: count });
    }
    return { mode: o.mode, depth: SAMPLE_UNIT, units, discovery: 0 };
  }
  if (!splittable(o.mode)) throw new Error(`Cannot split a ${o.mode} search`);
  const leaves = listLeaves(sc, o, depth ?? SPLIT_DEPTH_MAX);
  let d = depth ?? 0;
  let units = unitsAt(leaves, d, o.preemptionsMax);
  if (depth === undefined) {
    while (units.length < SPLIT_UNITS && d < SPLIT_DEPTH_MAX) {
      d = Math.min(SPLIT_DEPTH_MAX, Math.max(1, 2 * d));
      units = unitsAt(leaves, d, o.preemptionsMax);
    }
  }
  return { mode: o.mode, depth: d, units, discovery: leaves.length };
}

/** The order units are dealt in: the largest estimate first (then the canonical order). */
export function dealOrder(units: readonly Unit[]): Unit[] {
  return [...units].sort((a, b) => b.estimate - a.estimate || a.index - b.index);
}

/**
 * The units shard `index` of `count` runs: every count-th, from its index (a result file's
 * units are checked against this rule when merged, so it needs nothing but the indices).
 */
export function shardUnits(s: Split, index: number, count: number): Unit[] {
  return s.units.filter((u) => u.index % count === index);
}
