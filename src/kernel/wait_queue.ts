/**
 * Wait queues: tasks sleep on a queue until another task wakes them. Wake order is FIFO
 * (the order in which the tasks went to sleep), so wake-ups are deterministic.
 *
 * @see wait_event(), wake_up_all() in include/linux/wait.h
 */
import type { Sim, SimTask } from "./sim.js";
import { TIMED_OUT, type BlockYield, type StepYield, type Task } from "./task.js";

export class WaitQueue {
  private readonly waiters: SimTask[] = [];
  constructor(
    readonly sim: Sim,
    readonly name: string,
  ) {}

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

  /** Wakes every waiter, oldest first. */
  wakeUpAll(): void {
    if (this.waiters.length === 0) return; // the common case, without the copy
    for (const task of this.waiters.slice()) this.sim.wake(task);
  }

  /** Wakes the oldest waiter, if any. */
  wakeUpOne(): void {
    const task = this.waiters[0];
    if (task !== undefined) this.sim.wake(task);
  }
}

/**
 * Sleeps on `wq` until `condition()` holds. Returns false if `timeoutTicks` passed first.
 * `resume` is the step the task runs each time it wakes: its footprint covers the condition
 * and whatever the caller does next, up to its next step (see task.ts).
 * @see wait_event_timeout() in include/linux/wait.h
 */
export function* waitEvent(wq: WaitQueue, reason: string, condition: () => boolean, timeoutTicks: number | null = null, resume?: StepYield): Task<boolean> {
  const deadline = timeoutTicks === null ? null : wq.sim.now + timeoutTicks;
  while (!condition()) {
    const left = deadline === null ? null : deadline - wq.sim.now;
    if (left !== null && left <= 0) return false;
    const block: BlockYield = resume === undefined ? { kind: "block", on: wq, reason, timeoutTicks: left } : { kind: "block", on: wq, reason, timeoutTicks: left, resume };
    const r = yield block;
    if (r === TIMED_OUT) return condition();
  }
  return true;
}
