/**
 * Exhaustive depth-first search over the choice points of a scenario, stateless: each
 * execution reruns the scenario from the start, replays the path to the choice point being
 * branched, tries the next option there, and goes on with default choices, recording new
 * choice points. With DPOR (the default) a choice point branches only where the race analysis
 * (dpor.ts) asks for it, and sleep sets skip the orders equivalent to one already run; without
 * it, every option of every choice point is tried. With --states, a choice point whose state
 * was seen before does not branch again (and DPOR is off: the two together are unsound).
 */
import { RunStopped } from "../kernel/mod.js";
import { defaultChoice, type ChoiceContext, type Chooser } from "./execution.js";
import { races } from "./dpor.js";
import type { Transition } from "./record.js";
import { Search, type ExploreOptions, type SearchResult, type SleepEntry, type UnitBounds } from "./search.js";
import { stateHash } from "./state_hash.js";
import type { Scenario } from "../scenario/mod.js";

/** What a transition touched, for sleep sets. */
interface Touch {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
}

interface Node {
  readonly procs: readonly number[];
  readonly timers: number;
  /** The process that ran the transition before (for preemptions). */
  readonly last: number | null;
  /** Preemptions on the path before this choice. */
  readonly preemptions: number;
  chosen: number;
  readonly backtrack: Set<number>;
  /** The options already run from here, with what their transition touched. */
  readonly done: Map<number, Touch>;
  /** Inherited sleep set: options equivalent to an order already run. */
  readonly sleep: Map<number, Touch>;
}

function dependent(a: Touch, t: Transition): boolean {
  for (const w of a.writes) if (t.reads.includes(w) || t.writes.includes(w)) return true;
  for (const r of a.reads) if (t.writes.includes(r)) return true;
  return false;
}

function isPreemption(node: { procs: readonly number[]; timers: number; last: number | null }, proc: number): boolean {
  const last = node.last;
  if (last === null || last === proc) return false;
  return node.procs.indexOf(last) >= node.timers;
}

/** A choice point of a run as the search saw it: preemptions before it, options it had. */
export interface PointShape {
  readonly preemptions: number;
  readonly options: number;
}

/**
 * What the search ran: an execution's choices, where and with what sleep set it branched, and
 * the shape of its choice points (a split estimates its units' sizes from it).
 */
export type OnRun = (
  decisions: readonly number[], branchAt: number, sleep: readonly SleepEntry[], shape: readonly PointShape[],
) => void;

export function dfs(sc: Scenario, o: ExploreOptions, onRun?: OnRun): SearchResult {
  const search = new Search(sc, o);
  const dpor = o.dpor !== false && o.states !== true;
  const depthMax = o.depthMax ?? Number.POSITIVE_INFINITY;
  const pMax = o.preemptionsMax ?? Number.POSITIVE_INFINITY;
  const seen = o.seen ?? new Set<string>();
  const root = o.unit ?? {};
  const stack: Node[] = [];
  let branchAt = -1; // the choice point whose option changed for this execution
  for (;;) {
    const stop = search.mayGoOn();
    if (stop !== null) return search.result(stop);
    const chooser = new DfsChooser(stack, branchAt, {
      dpor, depthMax, pMax, seen, states: o.states === true, root,
    });
    const ex = search.run(chooser, { keepObjects: o.states === true });
    onRun?.(ex.decisions, branchAt, chooser.branchSleep,
      stack.map((n) => ({ preemptions: n.preemptions, options: n.procs.length })));
    search.stats.states = seen.size;
    if (search.stopped) return search.result("failure");
    const t = ex.recorder.transitions;
    for (let d = Math.max(branchAt, 0); d < stack.length; d++) {
      const node = stack[d]!;
      const at = ex.recorder.nodes[d]?.at;
      const x = at === undefined ? undefined : t[at];
      if (x !== undefined) node.done.set(node.chosen, { reads: x.reads, writes: x.writes });
      else node.done.set(node.chosen, { reads: [], writes: [] });
    }
    if (dpor) addRaces(stack, t, root.prefix?.length ?? 0, depthMax, pMax);
    branchAt = nextBranch(stack, pMax);
    if (branchAt < 0) return search.result("complete");
  }
}

/** Races at choice points from `from` (below a unit's fixed prefix) to `depthMax` branch. */
function addRaces(stack: Node[], t: readonly Transition[], from: number, depthMax: number, pMax: number): void {
  for (const race of races(t)) {
    if (race.decision >= depthMax || race.decision < from) continue;
    const node = stack[race.decision];
    if (node === undefined) continue;
    if (race.initials.some((p) => node.backtrack.has(p) || node.done.has(p))) continue;
    const fits = race.initials.filter((p) => node.procs.includes(p));
    const pick = fits.length > 0 ? [fits.at(-1)!] : node.procs;
    for (const p of pick) {
      if (node.preemptions + (isPreemption(node, p) ? 1 : 0) > pMax) continue;
      node.backtrack.add(p);
    }
  }
}

/** The deepest choice point with an option left to run; its new choice is set. -1: none. */
function nextBranch(stack: Node[], pMax: number): number {
  while (stack.length > 0) {
    const d = stack.length - 1;
    const node = stack[d]!;
    for (const p of node.backtrack) {
      if (node.done.has(p) || node.sleep.has(p)) continue;
      if (node.preemptions + (isPreemption(node, p) ? 1 : 0) > pMax) continue;
      node.chosen = p;
      return d;
    }
    stack.pop();
  }
  return -1;
}

interface DfsSettings {
  readonly dpor: boolean;
  readonly depthMax: number;
  readonly pMax: number;
  readonly seen: Set<string>;
  readonly states: boolean;
  /** A unit's fixed choices (option indices) at the first choice points (they never branch). */
  readonly root: UnitBounds;
}

/** Replays the path to the branch point, then makes new choice points with default choices. */
class DfsChooser implements Chooser {
  /** The sleep set this execution started with at its branch point. */
  branchSleep: SleepEntry[] = [];
  private sleep = new Map<number, Touch>();
  private processed = 0;

  constructor(
    private readonly stack: Node[],
    private readonly branchAt: number,
    private readonly s: DfsSettings,
  ) {}

  choose(ctx: ChoiceContext): number {
    const d = ctx.node.decision;
    const t = ctx.recorder.transitions;
    if (d < this.stack.length) {
      const node = this.stack[d]!;
      if (d === this.branchAt) {
        this.sleep = new Map([...node.sleep, ...node.done]);
        this.sleep.delete(node.chosen);
        this.processed = t.length;
        this.branchSleep = [...this.sleep].map(([proc, x]) => ({ proc, reads: x.reads, writes: x.writes }));
      }
      const i = ctx.node.procs.indexOf(node.chosen);
      if (i < 0) throw new Error(`Cannot explore: choice point ${d} changed between runs (nondeterminism)`);
      return i;
    }
    const root = this.s.root.prefix;
    if (root !== undefined && d < root.length) return this.fixed(ctx, root[d]!);
    this.wakeSleepers(t);
    const sleep = this.sleep;
    const preemptions = this.preemptionsBefore(d);
    const node: Node = {
      procs: ctx.node.procs, timers: ctx.node.timers, last: ctx.last, preemptions,
      chosen: -1, backtrack: new Set(), done: new Map(), sleep: new Map(sleep),
    };
    const i = defaultChoice(ctx.node, ctx.last, (p) => sleep.has(p));
    if (i < 0) throw new RunStopped("every option is asleep");
    node.chosen = ctx.node.procs[i]!;
    node.backtrack.add(node.chosen);
    this.stack.push(node);
    if (d < this.s.depthMax && this.expand(ctx)) {
      if (!this.s.dpor) {
        for (const p of node.procs) {
          if (preemptions + (isPreemption(node, p) ? 1 : 0) <= this.s.pMax) node.backtrack.add(p);
        }
      }
    }
    return i;
  }

  /** A choice point of the unit's prefix: its state is counted, its one option taken. */
  private fixed(ctx: ChoiceContext, i: number): number {
    const d = ctx.node.decision;
    const proc = ctx.node.procs[i];
    if (proc === undefined) throw new Error(`Cannot explore: choice point ${d} changed between runs (nondeterminism)`);
    this.wakeSleepers(ctx.recorder.transitions);
    if (d === this.s.root.sleepAt) {
      this.sleep = new Map((this.s.root.sleep ?? []).map((e) => [e.proc, e]));
      this.processed = ctx.recorder.transitions.length;
    }
    this.stack.push({
      procs: ctx.node.procs, timers: ctx.node.timers, last: ctx.last,
      preemptions: this.preemptionsBefore(d), chosen: proc, backtrack: new Set([proc]),
      done: new Map(), sleep: new Map(),
    });
    if (d < this.s.depthMax) this.expand(ctx);
    return i;
  }

  /** With --states: false when this state was seen (it branches no more). */
  private expand(ctx: ChoiceContext): boolean {
    if (!this.s.states) return true;
    const h = stateHash(ctx.recorder);
    if (this.s.seen.has(h)) return false;
    this.s.seen.add(h);
    return true;
  }

  private preemptionsBefore(d: number): number {
    const prev = this.stack[d - 1];
    if (prev === undefined) return 0;
    return prev.preemptions + (isPreemption(prev, prev.chosen) ? 1 : 0);
  }

  /** Transitions run since the last choice wake the sleepers they are dependent with. */
  private wakeSleepers(t: readonly Transition[]): void {
    for (; this.processed < t.length; this.processed++) {
      const x = t[this.processed]!;
      if (this.sleep.size === 0) continue;
      for (const [p, touch] of this.sleep) {
        if (p === x.proc || dependent(touch, x)) this.sleep.delete(p);
      }
    }
  }
}
