/**
 * What an interleaving explorer sees of a run besides the strategy's choices: each transition
 * (a task's slice of work, or a due timer firing) with the objects it touches, and the
 * happens-before edges the footprints do not show (a wake-up, a spawn).
 *
 * Footprints name kernel objects by allocation id. Synchronisation that lives outside kernel
 * objects (a wait queue's condition and its wake-ups, a join on a task's exit) is reported as
 * an access of a *sync object*: a wait queue by its serial, a task by its id, so that a
 * waiter's check and a waker's wake-up are dependent whichever runs first.
 */
import type { KStruct } from "./kobject.js";
import type { Sim } from "./sim.js";
import type { TaskId } from "./task.js";

/** A sync object: a wait queue or a task, with a number unique within one run. */
export type SyncKey = number;

/** The key of wait queue number `serial` (in creation order). */
export function waitQueueKey(serial: number): SyncKey {
  return -(serial * 2 + 1);
}

/** The key of a task as something to wait for (its exit). */
export function taskKey(id: TaskId): SyncKey {
  return -(id * 2 + 2);
}

export interface ExecutionObserver {
  /** The Sim it observes, once made. */
  attach(sim: Sim): void;
  /** A kernel object was made (every KObject, to hash the state). */
  tracked(obj: KStruct): void;
  /**
   * A transition begins: `task` runs its pending work, or (`timer`) the timer of `task` fires.
   * `due` holds the tasks whose timers are due now (choices of this turn).
   */
  begin(task: TaskId, timer: boolean, due: readonly TaskId[]): void;
  /** The running transition's step `fn` declared these allocation ids. */
  footprint(fn: string, reads: readonly number[], writes: readonly number[]): void;
  /** The running transition touched a sync object (reading a condition, waking, blocking). */
  sync(key: SyncKey): void;
  /** The running transition woke `task` (a wake-up, a timeout, a fatal signal). */
  woke(task: TaskId): void;
  /** The running transition (or setup, outside any) spawned `task`. */
  spawned(task: TaskId): void;
}
