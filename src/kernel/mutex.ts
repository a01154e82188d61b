/**
 * Sleeping mutexes with an owner, handed to waiters in FIFO order. A waiter sleeps
 * uninterruptibly, as mutex_lock() does (TASK_UNINTERRUPTIBLE): a lock never released is a hang.
 *
 * @see mutex_lock(), mutex_unlock(), mutex_destroy() in kernel/locking/mutex.c
 */
import { assert } from "./assert.js";
import type { KStruct } from "./kobject.js";
import type { Sim, SimTask } from "./sim.js";
import { step, type Task } from "./task.js";
import { WaitQueue } from "./wait_queue.js";

export class Mutex {
  owner: SimTask | null = null;
  destroyed = false;
  readonly wq: WaitQueue;
  /** The struct the mutex is embedded in, for the sanitizer (a freed lock is a use-after-free). */
  readonly container: KStruct | null;

  constructor(sim: Sim, readonly name: string, container: KStruct | null = null) {
    this.wq = new WaitQueue(sim, `mutex ${name}`);
    this.container = container;
  }
}

export function* mutexLock(m: Mutex): Task<void> {
  const sim = m.wq.sim;
  const lock = step("mutex_lock", [], m.container ? [m.container] : []);
  yield lock;
  if (m.destroyed) sim.warn(`DEBUG_LOCKS_WARN_ON: mutex ${m.name} locked after mutex_destroy()`, `mutex-destroyed:${m.name}`);
  const self = sim.current;
  assert(self !== null, `Cannot lock mutex ${m.name}: not called from a task`);
  assert(m.owner !== self, `Cannot lock mutex ${m.name}: recursive locking by ${self.name}`);
  // The owner field is the queue's condition: every check of it touches the queue.
  for (m.wq.touch(); m.owner !== null; m.wq.touch()) {
    const reason = `mutex ${m.name} (held by ${m.owner.name})`;
    const state = "uninterruptible";
    yield { kind: "block", on: m.wq, reason, state, timeoutTicks: null, resume: lock };
  }
  m.owner = self;
}

/** Releases the lock: a step that writes the struct the mutex is embedded in. */
export function* mutexUnlock(m: Mutex): Task<void> {
  const self = m.wq.sim.current;
  assert(m.owner !== null && m.owner === self, `Cannot unlock mutex ${m.name}: not held by the caller`);
  yield step("mutex_unlock", [], m.container ? [m.container] : []);
  m.owner = null;
  m.wq.wakeUpOne();
}

export function mutexDestroy(m: Mutex): void {
  if (m.owner !== null) m.wq.sim.warn(`DEBUG_LOCKS_WARN_ON: mutex ${m.name} destroyed while held by ${m.owner.name}`);
  m.destroyed = true;
}
