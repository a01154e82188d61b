/**
 * Sleepable RCU: readers enter and leave cheaply; synchronize waits for every reader that
 * entered before it started, and never for readers that entered after.
 *
 * DRM uses one domain, drm_unplug_srcu, for every device: drm_dev_unplug() of one device
 * waits for drm_dev_enter() sections of all devices (R96).
 *
 * @see srcu_read_lock(), srcu_read_unlock(), synchronize_srcu() in kernel/rcu/srcutree.c
 */
import { assert } from "./assert.js";
import type { Sim, SimTask } from "./sim.js";
import { step, type Task } from "./task.js";
import { WaitQueue, waitEvent } from "./wait_queue.js";

export type SrcuToken = number & { readonly __brand: "SrcuToken" };

interface Reader {
  readonly task: SimTask | null;
  readonly sinceTick: number;
}

export class SrcuStruct {
  private nextToken = 1;
  readonly readers = new Map<SrcuToken, Reader>();
  readonly wq: WaitQueue;
  constructor(readonly sim: Sim, readonly name: string) {
    this.wq = new WaitQueue(sim, `synchronize_srcu(${name})`);
  }

  /** @internal */
  lock(): SrcuToken {
    const token = this.nextToken++ as SrcuToken;
    this.readers.set(token, { task: this.sim.current, sinceTick: this.sim.now });
    return token;
  }

  /** @internal */
  unlock(token: SrcuToken): void {
    const had = this.readers.delete(token);
    assert(had, `Cannot srcu_read_unlock ${this.name}: token ${token} is not held`);
    this.wq.wakeUpAll();
  }
}

export function srcuReadLock(srcu: SrcuStruct): SrcuToken {
  return srcu.lock();
}

export function srcuReadUnlock(srcu: SrcuStruct, token: SrcuToken): void {
  srcu.unlock(token);
}

/** Waits until every reader that held the domain when this call started has left it. */
export function* synchronizeSrcu(srcu: SrcuStruct): Task<void> {
  yield step("synchronize_srcu");
  const before = [...srcu.readers.keys()];
  if (before.length === 0) return;
  const self = srcu.sim.current;
  for (const token of before) {
    const reader = srcu.readers.get(token);
    if (reader !== undefined && reader.task === self && self !== null) {
      srcu.sim.warn(`synchronize_srcu(${srcu.name}) called inside its own read-side critical section`, `srcu-self:${srcu.name}`);
    }
  }
  const holders = (): string =>
    before.filter((t) => srcu.readers.has(t)).map((t) => srcu.readers.get(t)?.task?.name ?? "?").join(", ");
  yield* waitEvent(srcu.wq, `synchronize_srcu(${srcu.name}) waiting for readers ${holders()}`, () => before.every((t) => !srcu.readers.has(t)));
}
