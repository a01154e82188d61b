/**
 * Completions: one task waits until another says "done". The waiter sleeps uninterruptibly,
 * as wait_for_completion() does (TASK_UNINTERRUPTIBLE).
 *
 * @see wait_for_completion(), complete(), complete_all() in kernel/sched/completion.c
 */
import type { Sim } from "./sim.js";
import type { Task } from "./task.js";
import { WaitQueue, waitEvent } from "./wait_queue.js";

const COMPLETE_ALL = Number.MAX_SAFE_INTEGER;

export class Completion {
  done = 0;
  readonly wq: WaitQueue;
  constructor(sim: Sim, readonly name: string) {
    this.wq = new WaitQueue(sim, `completion ${name}`);
  }
}

/** Waits until completed; returns false on timeout. */
export function* waitForCompletion(c: Completion, timeoutTicks: number | null = null): Task<boolean> {
  const ok = yield* waitEvent(c.wq, `completion ${c.name}`, () => c.done > 0, timeoutTicks);
  if (ok && c.done !== COMPLETE_ALL) c.done--;
  return ok;
}

export function complete(c: Completion): void {
  if (c.done !== COMPLETE_ALL) c.done++;
  c.wq.wakeUpOne();
}

export function completeAll(c: Completion): void {
  c.done = COMPLETE_ALL;
  c.wq.wakeUpAll();
}

export function reinitCompletion(c: Completion): void {
  c.done = 0;
}
