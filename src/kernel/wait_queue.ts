/**
 * Wait queues: tasks sleep on a queue until another task wakes them. Wake order is FIFO
 * (the order in which the tasks went to sleep), so wake-ups are deterministic.
 *
 * Every sleep says how the task sleeps (SleepState), as the kernel chooses at each call site:
 * waitEvent() sleeps uninterruptibly (wait_event()), waitEventInterruptible() interruptibly
 * (wait_event_interruptible()), so that a fatal signal ends it.
 *
 * @see wait_event(), wait_event_interruptible_timeout(), wake_up_all() in include/linux/wait.h
 */
import { assert } from "./assert.js";
import { waitQueueKey } from "./observer.js";
import type { Sim, SimTask } from "./sim.js";
import { TIMED_OUT, type BlockYield, type SleepState, type StepYield, type Task } from "./task.js";

export class WaitQueue {
  private readonly waiters: SimTask[] = [];
  /** Entries with a wake function of their own (null while there are none, the common case). */
  private wakeFunctions: (() => void)[] | null = null;
  /** Its number in creation order: its sync object for an explorer (see observer.ts). */
  readonly serial: number;
  /**
   * Set by the queue's owner, who alone knows what wakes it: why nothing can ever wake a
   * sleeper of this queue for what it waits for (the owner is gone and hangs nobody up), or
   * null while something still may. The end-of-run check asks it for each task asleep
   * interruptibly on the queue (see reportNeverWoken() in never_woken.ts); it runs outside
   * any step, as an observer.
   */
  neverWoken: (() => string | null) | null = null;
  constructor(
    readonly sim: Sim,
    readonly name: string,
  ) {
    this.serial = sim.newQueueSerial();
  }

  /** @internal Tells an explorer that the running transition checks or changes this queue. */
  touch(): void {
    if (this.sim.observer !== null) this.sim.syncAccess(waitQueueKey(this.serial));
  }

  /** @internal Called by the Sim when a task blocks on this queue. */
  enqueue(task: SimTask): void {
    this.waiters.push(task);
  }

  /** @internal Called by the Sim when a task leaves this queue (woken or timed out). */
  dequeue(task: SimTask): void {
    const i = this.waiters.indexOf(task);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  get length(): number {
    return this.waiters.length;
  }

  /** The tasks asleep on the queue now, oldest first (for checkers and reports). */
  get tasks(): readonly SimTask[] {
    return this.waiters.slice();
  }

  /**
   * Adds an entry whose wake function `fn` is called at each wake-up of the queue and wakes
   * no task: how epoll watches a file (ep_poll_callback()). Returns the entry's removal.
   * @see init_waitqueue_func_entry(), add_wait_queue() in kernel/sched/wait.c
   */
  addWakeFunction(fn: () => void): () => void {
    const entry = (): void => fn();
    (this.wakeFunctions ??= []).push(entry);
    return () => {
      const i = this.wakeFunctions?.indexOf(entry) ?? -1;
      if (i >= 0) this.wakeFunctions!.splice(i, 1);
    };
  }

  private callWakeFunctions(): void {
    if (this.wakeFunctions !== null) for (const fn of this.wakeFunctions.slice()) fn();
  }

  /** Wakes every waiter, oldest first. */
  wakeUpAll(): void {
    this.touch();
    this.callWakeFunctions();
    if (this.waiters.length === 0) return; // the common case, without the copy
    for (const task of this.waiters.slice()) this.sim.wake(task);
  }

  /** Wakes the oldest waiter, if any. */
  wakeUpOne(): void {
    this.touch();
    this.callWakeFunctions();
    const task = this.waiters[0];
    if (task !== undefined) this.sim.wake(task);
  }
}

/** How an interruptible wait ended: the condition held, the time ran out, or a signal came. */
export type WaitResult = "ready" | "timed-out" | "interrupted";

/**
 * Sleeps on `wq` in `state` until `condition()` holds, `timeoutTicks` pass, or (interruptible
 * only) a signal is pending. The condition is tested before the signal, as
 * ___wait_event() does. `resume` is the step the task runs each time it wakes: its footprint
 * covers the condition and whatever the caller does next, up to its next step (see task.ts).
 */
function* sleepUntil(
  wq: WaitQueue,
  reason: string,
  condition: () => boolean,
  timeoutTicks: number | null,
  state: SleepState,
  resume: StepYield | undefined,
): Task<WaitResult> {
  const deadline = timeoutTicks === null ? null : wq.sim.now + timeoutTicks;
  for (;;) {
    wq.touch(); // the condition and the queue go together: a waker touches the queue too
    if (condition()) return "ready";
    if (state === "interruptible" && wq.sim.signalPending()) return "interrupted";
    const left = deadline === null ? null : deadline - wq.sim.now;
    if (left !== null && left <= 0) return "timed-out";
    const block: BlockYield = resume === undefined
      ? { kind: "block", on: wq, reason, state, timeoutTicks: left }
      : { kind: "block", on: wq, reason, state, timeoutTicks: left, resume };
    const r = yield block;
    if (r === TIMED_OUT) return condition() ? "ready" : "timed-out";
  }
}

/**
 * Sleeps uninterruptibly on `wq` until `condition()` holds. Returns false if `timeoutTicks`
 * passed first. A signal does not end it; one that never ends is a hang. `resume`: see
 * sleepUntil().
 * @see wait_event(), wait_event_timeout() in include/linux/wait.h
 */
export function* waitEvent(
  wq: WaitQueue,
  reason: string,
  condition: () => boolean,
  timeoutTicks: number | null = null,
  resume?: StepYield,
): Task<boolean> {
  const r = yield* sleepUntil(wq, reason, condition, timeoutTicks, "uninterruptible", resume);
  return r === "ready";
}

/**
 * Sleeps interruptibly on `wq` until `condition()` holds, `timeoutTicks` pass or a fatal
 * signal is pending ("interrupted": the caller returns -ERESTARTSYS, which userspace sees as
 * EINTR if it lives). The hung-task detector ignores this sleep. `resume`: see sleepUntil().
 * @see wait_event_interruptible(), wait_event_interruptible_timeout() in include/linux/wait.h
 */
export function* waitEventInterruptible(
  wq: WaitQueue,
  reason: string,
  condition: () => boolean,
  timeoutTicks: number | null = null,
  resume?: StepYield,
): Task<WaitResult> {
  assert(wq.sim.current !== null, `Cannot wait on ${wq.name}: not called from a task`);
  return yield* sleepUntil(wq, reason, condition, timeoutTicks, "interruptible", resume);
}
