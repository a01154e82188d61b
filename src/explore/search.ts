/**
 * What every search mode shares: the options, the budget (executions or wall-clock seconds,
 * which only stop the search and never reach the model), the statistics, the fault points
 * reached, progress reports, and the first failing execution.
 *
 * A fault is a program of one step (an unplug, an unbind written by an administrator): the
 * explorer fires it at whatever choice point it gives that program, like any other task. A
 * fault point is where it fired: the progress (transitions run) of every other program then.
 */
import type { Scenario } from "../scenario/mod.js";
import { execute, type Chooser, type ExecuteOptions, type Execution, type Failure } from "./execution.js";

export const MODES = ["random", "pct", "dfs", "bfs"] as const;
export type Mode = (typeof MODES)[number];

export interface ExploreOptions {
  readonly mode: Mode;
  /** The most executions to run. */
  readonly budget?: number;
  /** The most wall-clock seconds to search (checked between executions). */
  readonly timeS?: number;
  /** Only the first N choice points of a run branch; after them the default choice is taken. */
  readonly depthMax?: number;
  /** The most preemptions (switching away from a task that could go on) a run may make. */
  readonly preemptionsMax?: number;
  /** Hash each state at a choice point and branch from each only once (dfs, bfs). */
  readonly states?: boolean;
  /** dfs: dynamic partial-order reduction (source sets and sleep sets). @default true */
  readonly dpor?: boolean;
  /** random, pct: the seed of the choices. @default 1 */
  readonly seed?: number;
  /** pct: the bug depth d (d - 1 priority change points). @default 3 */
  readonly pctDepth?: number;
  readonly stepsMax?: number;
  /** Go on after a failure, collecting every distinct one (the self-checks compare them). */
  readonly all?: boolean;
  /** Called now and then with the statistics so far. */
  readonly progress?: (s: Stats) => void;
  /** The wall clock, in milliseconds (only to stop the search and to rate it). */
  readonly clock?: () => number;
  /** One unit of a split search (split.ts); the whole search when absent. */
  readonly unit?: UnitBounds;
  /** The set the state hashes go into (--states), to count distinct states across units. */
  readonly seen?: Set<string>;
}

/**
 * What one unit of a split search covers: dfs follows `prefix` (option indices) at the first
 * choice points, with the sleep set the search without a split would have there, and
 * branches only below them; random and pct run the executions numbered from `first` (the
 * budget is the unit's count).
 */
export interface UnitBounds {
  readonly prefix?: readonly number[];
  /** dfs: the choice point of the prefix where `sleep` starts (-1: none). */
  readonly sleepAt?: number;
  /** dfs: the sleep set there: options equivalent to an order another unit runs. */
  readonly sleep?: readonly SleepEntry[];
  readonly first?: number;
}

/** A process asleep, with what its next transition touches (allocation ids, sync objects). */
export interface SleepEntry {
  readonly proc: number;
  readonly reads: readonly number[];
  readonly writes: readonly number[];
}

export interface Stats {
  executions: number;
  transitions: number;
  /** Distinct states hashed (with --states). */
  states: number;
  maxDepth: number;
  /** Executions ended early: every choice left was asleep (an equivalent order was run). */
  redundant: number;
  faultPoints: number;
  elapsedMs: number;
  /** Set when the search covered its whole (bounded) space. */
  complete: boolean;
}

export interface Found {
  readonly decisions: readonly number[];
  readonly failure: Failure;
  readonly execution: number;
}

export interface SearchResult {
  readonly stats: Stats;
  readonly found: Found | null;
  /** Every distinct failure found (one unless `all`). */
  readonly failures: readonly Found[];
  readonly stoppedBy: "failure" | "complete" | "budget" | "time";
  /** The fault points reached, as keys (stats.faultPoints counts them). */
  readonly faultPointKeys: ReadonlySet<string>;
}

export class Search {
  readonly stats: Stats = {
    executions: 0, transitions: 0, states: 0, maxDepth: 0, redundant: 0, faultPoints: 0,
    elapsedMs: 0, complete: false,
  };
  found: Found | null = null;
  /** Every distinct failure (by verdict and finding kinds), in the order found. */
  readonly failures = new Map<string, Found>();
  /** The fault points reached, as keys (a union across units counts them once). */
  readonly faultPoints = new Set<string>();
  private readonly faultNames: ReadonlySet<string>;
  private readonly clock: () => number;
  private readonly start: number;
  private lastProgress: number;

  constructor(readonly sc: Scenario, readonly o: ExploreOptions) {
    this.faultNames = new Set(sc.programs.filter((p) => p.steps.length === 1).map((p) => p.name));
    this.clock = o.clock ?? (() => performance.now());
    this.start = this.clock();
    this.lastProgress = this.start;
  }

  /** Whether a failure ends the search now. */
  get stopped(): boolean {
    return this.found !== null && this.o.all !== true;
  }

  /** Whether the budget allows another execution. */
  mayGoOn(): "budget" | "time" | null {
    if (this.o.budget !== undefined && this.stats.executions >= this.o.budget) return "budget";
    if (this.o.timeS !== undefined && this.clock() - this.start >= this.o.timeS * 1000) return "time";
    return null;
  }

  /** Runs one execution and accounts for it; a failure is kept (the first one). */
  run(chooser: Chooser, extra: ExecuteOptions = {}): Execution {
    const ex = execute(this.sc, chooser, { ...extra, ...(this.o.stepsMax !== undefined ? { stepsMax: this.o.stepsMax } : {}) });
    const s = this.stats;
    s.executions++;
    s.transitions += ex.recorder.transitions.length;
    s.maxDepth = Math.max(s.maxDepth, ex.decisions.length);
    if (ex.run === null) s.redundant++;
    this.noteFaults(ex);
    if (ex.failure !== null) {
      const key = `${ex.failure.verdict}:${ex.failure.kinds.join(",")}`;
      const found = { decisions: [...ex.decisions], failure: ex.failure, execution: s.executions };
      if (!this.failures.has(key)) this.failures.set(key, found);
      this.found ??= found;
    }
    const now = this.clock();
    s.elapsedMs = now - this.start;
    if (this.o.progress !== undefined && now - this.lastProgress >= 200) {
      this.lastProgress = now;
      this.o.progress(s);
    }
    return ex;
  }

  result(stoppedBy: SearchResult["stoppedBy"]): SearchResult {
    this.stats.elapsedMs = this.clock() - this.start;
    this.stats.complete = stoppedBy === "complete";
    const failed = this.found !== null && this.o.all !== true;
    return {
      stats: this.stats, found: this.found, failures: [...this.failures.values()], stoppedBy: failed ? "failure" : stoppedBy,
      faultPointKeys: this.faultPoints,
    };
  }

  private noteFaults(ex: Execution): void {
    const sim = ex.recorder.sim;
    if (sim === null || this.faultNames.size === 0) return;
    const users = sim.allTasks.filter((t) => t.kind === "user");
    const faults = new Set(users.filter((t) => this.faultNames.has(t.name)).map((t) => t.id as number));
    const progress = new Map<number, number>();
    const fired = new Set<number>();
    for (const t of ex.recorder.transitions) {
      if (faults.has(t.proc) && !fired.has(t.proc) && t.fn !== "") {
        fired.add(t.proc);
        const others = users.filter((u) => u.id !== t.proc).map((u) => `${u.name}:${progress.get(u.id) ?? 0}`);
        this.faultPoints.add(`${String(t.proc)}@${others.join(",")}`);
      }
      progress.set(t.proc, (progress.get(t.proc) ?? 0) + 1);
    }
    this.stats.faultPoints = this.faultPoints.size;
  }
}
