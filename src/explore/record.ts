/**
 * The record of one execution as the explorer needs it: every transition (a task's slice, or
 * a due timer firing) with the objects it touched and what enabled it, and every choice point
 * with its options. It is the Sim's ExecutionObserver (src/kernel/observer.ts).
 *
 * Accesses: allocation ids a step declared (reads, writes) and sync objects (wait queues, task
 * exits), which count as writes: a waiter's condition check and a waker's wake-up are
 * dependent whichever runs first.
 */
import type { ExecutionObserver, KStruct, Sim, SyncKey, TaskId } from "../kernel/mod.js";

export interface Transition {
  /** The task that ran, or whose timer fired: the explorer's process. */
  readonly proc: number;
  readonly timer: boolean;
  /** The decision (choice point) it was picked at, or -1 when it was the only choice. */
  readonly decision: number;
  readonly reads: number[];
  readonly writes: number[];
  /** The transition that woke or spawned this one's task, making it runnable; -1: none. */
  enabler: number;
  /** For a timer: the transition index from which the timer was due (every one before counts). */
  dueFrom: number;
  /** Set when its task ran steps (its first step's C name), for the printed trace. */
  fn: string;
}

/** A choice point: its options in the strategy's order (due timers first, then tasks by id). */
export interface ChoiceNode {
  readonly decision: number;
  /** The transition index the choice starts. */
  readonly at: number;
  readonly procs: readonly number[];
  readonly timers: number;
  readonly names: readonly string[];
  chosen: number;
}

export class Recorder implements ExecutionObserver {
  readonly transitions: Transition[] = [];
  readonly nodes: ChoiceNode[] = [];
  readonly objects: KStruct[] = [];
  sim: Sim | null = null;
  /** The transition that made each task runnable last (a wake-up, its spawn). */
  private readonly enabledBy = new Map<number, number>();
  /** Since when each task's timer has been due (reset when it fires or goes stale). */
  private readonly dueSince = new Map<number, number>();
  private current: Transition | null = null;

  constructor(private readonly keepObjects: boolean) {}

  attach(sim: Sim): void {
    this.sim = sim;
  }

  tracked(obj: KStruct): void {
    if (this.keepObjects) this.objects.push(obj);
  }

  begin(task: TaskId, timer: boolean, due: readonly TaskId[]): void {
    const index = this.transitions.length;
    for (const d of due) if (!this.dueSince.has(d)) this.dueSince.set(d, index);
    // Deleting the key being visited is safe in a Map's iteration.
    if (this.dueSince.size > due.length) {
      for (const d of this.dueSince.keys()) if (!due.includes(d as TaskId)) this.dueSince.delete(d);
    }
    const node = this.nodes.at(-1);
    const decision = node !== undefined && node.at === index ? node.decision : -1;
    const enabler = this.enabledBy.get(task) ?? -1;
    this.enabledBy.delete(task);
    const dueFrom = timer ? (this.dueSince.get(task) ?? index) : -1;
    if (timer) this.dueSince.delete(task);
    const t: Transition = { proc: task, timer, decision, reads: [], writes: [], enabler, dueFrom, fn: timer ? "(timer)" : "" };
    this.transitions.push(t);
    this.current = t;
  }

  footprint(fn: string, reads: readonly number[], writes: readonly number[]): void {
    const t = this.current;
    if (t === null) return;
    for (let i = 0; i < reads.length; i++) t.reads.push(reads[i]!);
    for (let i = 0; i < writes.length; i++) t.writes.push(writes[i]!);
    if (t.fn === "") t.fn = fn;
  }

  sync(key: SyncKey): void {
    this.current?.writes.push(key);
  }

  woke(task: TaskId): void {
    if (this.current !== null) this.enabledBy.set(task, this.transitions.length - 1);
  }

  spawned(task: TaskId): void {
    if (this.current !== null) this.enabledBy.set(task, this.transitions.length - 1);
  }

  /** Records a choice point about to be decided (called by the strategy before it answers). */
  node(decision: number, procs: readonly number[], timers: number, names: readonly string[]): ChoiceNode {
    const n: ChoiceNode = { decision, at: this.transitions.length, procs, timers, names, chosen: -1 };
    this.nodes.push(n);
    return n;
  }
}
