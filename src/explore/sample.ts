/**
 * The sampling modes: seeded random choices, and PCT (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, "A randomized scheduler with probabilistic guarantees of finding bugs",
 * ASPLOS 2010): each process gets a random priority, the highest runnable one runs, and at
 * d - 1 random choice points the running process drops below every other. Each execution
 * draws from its own stream, seeded by the search seed and the execution's number, so any
 * execution can be rerun alone.
 */
import { Prng } from "../kernel/mod.js";
import { defaultChoice, type ChoiceContext, type Chooser } from "./execution.js";
import { Search, type ExploreOptions, type SearchResult } from "./search.js";
import type { Scenario } from "../scenario/mod.js";

/** The executions a sampling search runs when neither --budget nor --time is given. */
export const SAMPLES_DEFAULT = 1000;

function bounded(o: ExploreOptions, ctx: ChoiceContext, preemptions: number, i: number): number {
  const node = ctx.node;
  if (node.decision >= (o.depthMax ?? Number.POSITIVE_INFINITY)) return defaultChoice(node, ctx.last);
  const last = ctx.last;
  const preempts = last !== null && node.procs[i] !== last && node.procs.indexOf(last) >= node.timers;
  if (preempts && preemptions >= (o.preemptionsMax ?? Number.POSITIVE_INFINITY)) {
    return defaultChoice(node, last);
  }
  return i;
}

function preempted(ctx: ChoiceContext, i: number): boolean {
  const { node, last } = ctx;
  return last !== null && node.procs[i] !== last && node.procs.indexOf(last) >= node.timers;
}

class RandomChooser implements Chooser {
  private preemptions = 0;
  constructor(private readonly prng: Prng, private readonly o: ExploreOptions) {}
  choose(ctx: ChoiceContext): number {
    const i = bounded(this.o, ctx, this.preemptions, this.prng.index(ctx.node.procs.length));
    if (preempted(ctx, i)) this.preemptions++;
    return i;
  }
}

class PctChooser implements Chooser {
  private readonly priority = new Map<number, number>();
  private readonly changes: Set<number>;
  private preemptions = 0;
  private lowered = 0;
  constructor(private readonly prng: Prng, private readonly o: ExploreOptions, length: number, depth: number) {
    this.changes = new Set(Array.from({ length: depth - 1 }, () => prng.index(Math.max(1, length))));
  }
  choose(ctx: ChoiceContext): number {
    const procs = ctx.node.procs;
    for (const p of procs) {
      // New processes get a random priority above the change points' (which are 1..d-1).
      if (!this.priority.has(p)) this.priority.set(p, 1000 + this.prng.index(1_000_000));
    }
    let best = this.highest(procs);
    if (this.changes.has(ctx.node.decision)) {
      this.priority.set(procs[best]!, ++this.lowered);
      best = this.highest(procs);
    }
    const i = bounded(this.o, ctx, this.preemptions, best);
    if (preempted(ctx, i)) this.preemptions++;
    return i;
  }
  private highest(procs: readonly number[]): number {
    let best = 0;
    for (let i = 1; i < procs.length; i++) {
      if (this.priority.get(procs[i]!)! > this.priority.get(procs[best]!)!) best = i;
    }
    return best;
  }
}

/** Random or PCT sampling until a failure, the budget or the time runs out. */
export function sample(sc: Scenario, o: ExploreOptions): SearchResult {
  const search = new Search(sc, o.budget === undefined && o.timeS === undefined ? { ...o, budget: SAMPLES_DEFAULT } : o);
  const seed = o.seed ?? 1;
  let length = 0;
  for (;;) {
    const stop = search.mayGoOn();
    if (stop !== null) return search.result(stop);
    const n = (o.unit?.first ?? 0) + search.stats.executions;
    const prng = new Prng((seed * 1_000_003 + n) % 2 ** 48);
    const chooser = o.mode === "pct"
      ? new PctChooser(prng, o, length, o.pctDepth ?? 3)
      : new RandomChooser(prng, o);
    const ex = search.run(chooser);
    length = Math.max(length, ex.decisions.length);
    if (search.stopped) return search.result("failure");
  }
}
