/**
 * Cooperative tasks. A task is a generator; every `yield` is a point where the scheduling
 * strategy may run another task instead. A task yields one of three requests:
 *
 * - `step`: "I am about to run kernel function `fn`, reading and writing these objects". The
 *   footprint is what a partial-order explorer compares, and what the sanitizer checks when
 *   the step actually runs (a freed object in it is a use-after-free).
 * - `block`: sleep on a wait queue until woken (or until the timeout, if one is given), in
 *   one of the two sleep states of a Linux task (SleepState).
 * - `sleep`: let virtual time pass.
 *
 * The work a task does after a block or a sleep, up to its next yield, is a step too: the
 * `resume` step the block or sleep names, which the task runs when it is picked after waking.
 */
import type { KStruct } from "./kobject.js";
import type { WaitQueue } from "./wait_queue.js";

export type Yield = StepYield | BlockYield | SleepYield;

export interface StepYield {
  readonly kind: "step";
  readonly fn: string;
  readonly reads: readonly KStruct[];
  readonly writes: readonly KStruct[];
  /** The allocation ids of `reads` and `writes`, made once by fixedStep() for the trace. */
  readonly readIds?: readonly number[];
  readonly writeIds?: readonly number[];
  /**
   * For a step that finds what it works on (a lookup in a table): computes its footprint in
   * the current state, when the step runs (and whenever an explorer asks); `reads` and
   * `writes` above are then empty. See lookupStep().
   */
  readonly resolve?: () => Footprint;
}

/** What a step reads and writes. */
export interface Footprint {
  readonly reads: readonly KStruct[];
  readonly writes: readonly KStruct[];
}

/**
 * How a blocked task sleeps, as the kernel chose at the call site. `interruptible`
 * (TASK_INTERRUPTIBLE): a signal ends the sleep, and the hung-task detector never reports it;
 * a task waiting for something that may never come (an event to read, a uevent) sleeps so.
 * `uninterruptible` (TASK_UNINTERRUPTIBLE): only the awaited event ends it; such a sleep that
 * never ends is a kernel hang.
 * @see TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE in include/linux/sched.h;
 *      check_hung_uninterruptible_tasks() in kernel/hung_task.c
 */
export type SleepState = "interruptible" | "uninterruptible";

export interface BlockYield {
  readonly kind: "block";
  readonly on: WaitQueue;
  readonly reason: string;
  readonly state: SleepState;
  readonly timeoutTicks: number | null;
  /** The step the task runs when it resumes (re-checking its condition and what follows). */
  readonly resume?: StepYield;
}

export interface SleepYield {
  readonly kind: "sleep";
  readonly ticks: number;
  /** The step the task runs when it resumes. */
  readonly resume?: StepYield;
}

export type Task<T> = Generator<Yield, T, unknown>;

export type TaskId = number & { readonly __brand: "TaskId" };

/** The value a blocked task resumes with when its timeout fired before a wake-up. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

const NO_OBJECTS: readonly KStruct[] = Object.freeze([]);

/** A scheduling point that declares what the next piece of work reads and writes. */
export function step(fn: string, reads: readonly KStruct[] = NO_OBJECTS, writes: readonly KStruct[] = NO_OBJECTS): StepYield {
  return { kind: "step", fn, reads, writes };
}

/**
 * A step made once and yielded many times, for a hot path whose footprint never changes (an
 * object keeps its allocation, and so its id, for life). The ids the trace records for every
 * step are computed here, once, and shared by those trace events: nothing may change them.
 * (They are not frozen: frozen arrays make the Sim's loops over footprints polymorphic.)
 */
export function fixedStep(fn: string, reads: readonly KStruct[] = NO_OBJECTS, writes: readonly KStruct[] = NO_OBJECTS): StepYield {
  return { kind: "step", fn, reads: [...reads], writes: [...writes], readIds: reads.map((o) => o.mem.id), writeIds: writes.map((o) => o.mem.id) };
}

/**
 * A step whose objects are found by a lookup (a minor by its index, a GEM object by its
 * offset, a device by its name): `resolve` computes the footprint from the current state. The
 * step's body must touch only what `resolve` returned for the state it runs in, so `resolve`
 * repeats the body's lookup. Its own reads are not accesses of the step.
 */
export function lookupStep(fn: string, resolve: () => Footprint): StepYield {
  return { kind: "step", fn, reads: NO_OBJECTS, writes: NO_OBJECTS, resolve };
}

/** The footprint of a pending step in the current state. */
export function footprintOf(s: StepYield): Footprint {
  return s.resolve === undefined ? s : s.resolve();
}

export function sleepTicks(ticks: number, resume?: StepYield): SleepYield {
  return resume === undefined ? { kind: "sleep", ticks } : { kind: "sleep", ticks, resume };
}

export type TaskKind = "user" | "kernel";
export type TaskState = "runnable" | "blocked" | "sleeping" | "done";

/**
 * What the scheduler and the strategies may see of a choice: a task, or a timer that is due
 * (kind "timer": firing it wakes the task `id`, which timed out or slept long enough).
 */
export interface TaskView {
  readonly id: TaskId;
  readonly name: string;
  readonly kind: TaskKind | "timer";
  /** The step the task will run when picked (null before its first yield). */
  readonly pending: StepYield | null;
}
