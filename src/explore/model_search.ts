/**
 * Explicit-state search of a TransitionModel (model.ts), as SPIN's exhaustive safety search
 * does it: every state reached is stored whole (state_store.ts) and expanded once; each
 * executable transition of each process from it is one transition of the search; a successor
 * already stored is *matched*. The counts are SPIN's: states stored, states matched, and
 * "transitions (= stored + matched)", the successors made plus the initial state.
 *
 * `dfs` expands the newest state first (a stack), `bfs` the oldest (the store's order is then
 * a queue): the first violation bfs meets has the fewest transitions of any (SPIN's `-i`).
 * A violation is an oracle failed in a transition's action (an assertion), or an invalid end
 * state: no transition executable and a process not at one of its end points.
 */
import { assert } from "../kernel/mod.js";
import {
  checkModel, invalidEndMessage, layoutOf, transitionsByPc, type Layout, type ModelFindingKind, type ModelTransition,
  type TransitionModel,
} from "./model.js";
import { StateStore } from "./state_store.js";

export type ModelMode = "dfs" | "bfs";

export interface ModelSearchOptions {
  readonly mode: ModelMode;
  /** States this deep (in transitions) are stored but not expanded. */
  readonly depthMax?: number;
  /** The most wall-clock seconds (checked every 4096 expansions). */
  readonly timeS?: number;
  /** Only a violation of this kind stops the search (the shortest run to the same oracle). */
  readonly kind?: ModelFindingKind;
  /** The most states stored (the store's bound). @default 100_000_000 */
  readonly statesMax?: number;
  readonly clock?: () => number;
}

export interface ModelStats {
  stored: number;
  matched: number;
  /** Transitions executed: successors made, the failing one included. */
  executed: number;
  /** Deepest state stored, in transitions from the initial state. */
  depthMax: number;
  elapsedMs: number;
}

export interface ModelViolationFound {
  readonly kind: ModelFindingKind;
  readonly message: string;
  /** The transitions of the run, in order (the failing one last, for an assertion). */
  readonly trail: readonly ModelTransition[];
}

export interface ModelSearchResult {
  readonly stats: ModelStats;
  readonly violation: ModelViolationFound | null;
  readonly stoppedBy: "violation" | "complete" | "time";
}

/** SPIN's "transitions (= stored+matched)". */
export function spinTransitions(s: ModelStats): number {
  return s.stored + s.matched;
}

function pack(l: Layout, v: Int32Array, into: Uint32Array): void {
  into.fill(0);
  for (let i = 0; i < v.length; i++) into[l.word[i]!] = into[l.word[i]!]! | ((v[i]! & l.mask[i]!) << l.shift[i]!);
}

function unpack(l: Layout, from: Uint32Array, v: Int32Array): void {
  for (let i = 0; i < v.length; i++) v[i] = (from[l.word[i]!]! >>> l.shift[i]!) & l.mask[i]!;
}

class ModelSearch {
  readonly stats: ModelStats = { stored: 0, matched: 0, executed: 0, depthMax: 0, elapsedMs: 0 };
  readonly store: StateStore;
  private readonly layout: Layout;
  private readonly byPc: ModelTransition[][][];
  /** Each transition's index in the model, by process and program counter as byPc. */
  private readonly indexByPc: number[][][];
  private readonly v: Int32Array;
  private readonly next: Int32Array;
  private readonly packed: Uint32Array;

  constructor(readonly m: TransitionModel, readonly o: ModelSearchOptions) {
    checkModel(m);
    this.layout = layoutOf(m.vars);
    this.store = new StateStore(this.layout.words, o.statesMax);
    this.byPc = transitionsByPc(m);
    const index = new Map(m.transitions.map((t, i) => [t, i]));
    this.indexByPc = this.byPc.map((pcs) => pcs.map((ts) => ts.map((t) => index.get(t)!)));
    this.v = new Int32Array(m.vars.length);
    this.next = new Int32Array(m.vars.length);
    this.packed = new Uint32Array(this.layout.words);
    this.v.set(m.initial);
    pack(this.layout, this.v, this.packed);
    this.store.add(this.packed, -1, -1);
  }

  /** Expands state `s`: stores its new successors, or returns the violation it meets. */
  expand(s: number, pushed: (index: number) => void): ModelViolationFound | null {
    const { v, next, packed, layout, store, stats } = this;
    store.read(s, packed);
    unpack(layout, packed, v);
    let executable = false;
    const procs = this.m.processes;
    for (let p = 0; p < procs.length; p++) {
      const pc = v[procs[p]!.pcVar]!;
      const ts = this.byPc[p]![pc]!;
      const ids = this.indexByPc[p]![pc]!;
      for (let k = 0; k < ts.length; k++) {
        const t = ts[k]!;
        if (!t.guard(v)) continue;
        executable = true;
        next.set(v);
        stats.executed++;
        const failed = t.act(next);
        if (failed !== null && (this.o.kind === undefined || this.o.kind === failed.kind)) {
          return { ...failed, trail: [...this.trailOf(s), t] };
        }
        if (failed !== null) continue;
        pack(layout, next, packed);
        const added = store.add(packed, s, ids[k]!);
        if (added < 0) stats.matched++;
        else pushed(added);
      }
    }
    const message = executable ? null : invalidEndMessage(this.m, v);
    if (message === null) return null;
    if (this.o.kind !== undefined && this.o.kind !== "hang") return null;
    return { kind: "hang", message, trail: this.trailOf(s) };
  }

  trailOf(s: number): ModelTransition[] {
    return this.store.trail(s).map((i) => this.m.transitions[i]!);
  }
}

/** Searches `m` exhaustively (within the bounds) for a violation; counts as SPIN does. */
export function searchModel(m: TransitionModel, o: ModelSearchOptions): ModelSearchResult {
  const clock = o.clock ?? (() => performance.now());
  const start = clock();
  const search = new ModelSearch(m, o);
  const store = search.store;
  const depthMax = o.depthMax ?? Number.POSITIVE_INFINITY;
  const stack: number[] = [0];
  let head = 0; // bfs: the next state to expand, in the store's order
  let expansions = 0;
  let stoppedBy: ModelSearchResult["stoppedBy"] = "complete";
  let violation: ModelViolationFound | null = null;
  const push = o.mode === "dfs" ? (i: number): void => void stack.push(i) : (): void => {};
  for (;;) {
    const s = o.mode === "dfs" ? stack.pop() : head < store.count ? head++ : undefined;
    if (s === undefined) break;
    if ((++expansions & 4095) === 0 && o.timeS !== undefined && clock() - start >= o.timeS * 1000) {
      stoppedBy = "time";
      break;
    }
    if (store.depth(s) >= depthMax) continue;
    violation = search.expand(s, push);
    if (violation !== null) {
      stoppedBy = "violation";
      break;
    }
  }
  const stats = search.stats;
  stats.stored = store.count;
  for (let i = 0; i < store.count; i++) stats.depthMax = Math.max(stats.depthMax, store.depth(i));
  stats.elapsedMs = clock() - start;
  assert(violation === null || stoppedBy === "violation", "a violation stops the search");
  return { stats, violation, stoppedBy };
}
