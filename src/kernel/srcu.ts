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
import { KObject } from "./kobject.js";
import { step, type Task } from "./task.js";
import { WaitQueue, waitEvent } from "./wait_queue.js";

export type SrcuToken = number & { readonly __brand: "SrcuToken" };

interface Reader {
  readonly token: SrcuToken;
  readonly task: SimTask | null;
  readonly sinceTick: number;
}

export class SrcuStruct extends KObject {
  static readonly fixedFields = ["sim", "name", "wq"];
  private nextToken = 1;
  /**
   * The readers inside, oldest first. Tokens only grow, so a push keeps the array sorted by
   * token, and "has a reader older than token T left?" is a look at the first element. (A Map
   * costs several times more per enter/exit, which every ioctl does twice.)
   */
  private readonly inside: Reader[] = [];
  readonly wq: WaitQueue;
  constructor(readonly sim: Sim, readonly name: string) {
    // A statically defined domain (DEFINE_STATIC_SRCU): it lives as long as the kernel.
    super(sim, sim.alloc("srcu_struct", { kind: "static", label: name, persistent: true }));
    this.wq = new WaitQueue(sim, `synchronize_srcu(${name})`);
  }

  /** How many readers are inside now. */
  get readerCount(): number {
    return this.inside.length;
  }

  /** @internal */
  lock(): SrcuToken {
    const token = this.nextToken++ as SrcuToken;
    this.inside.push({ token, task: this.sim.current, sinceTick: this.sim.now });
    return token;
  }

  /** @internal */
  unlock(token: SrcuToken): void {
    // Sections nest, so the reader leaving is nearly always the newest: search from the end.
    const inside = this.inside;
    let i = inside.length - 1;
    while (i >= 0 && inside[i]!.token !== token) i--;
    // The message is built only on failure: this runs twice per ioctl.
    if (i < 0) assert(false, `Cannot srcu_read_unlock ${this.name}: token ${token} is not held`);
    if (i === inside.length - 1) inside.pop();
    else inside.splice(i, 1);
    this.wq.wakeUpAll();
  }

  /** @internal The token the next reader gets: every reader inside now holds a smaller one. */
  get horizon(): SrcuToken {
    return this.nextToken as SrcuToken;
  }

  /** @internal The readers inside that entered before `horizon` was handed out, oldest first. */
  readersBefore(horizon: SrcuToken): readonly Reader[] {
    const inside = this.inside;
    let n = 0;
    while (n < inside.length && inside[n]!.token < horizon) n++;
    return inside.slice(0, n);
  }

  /** @internal Whether any reader that entered before `horizon` was handed out is still inside. */
  hasReaderBefore(horizon: SrcuToken): boolean {
    const oldest = this.inside[0];
    return oldest !== undefined && oldest.token < horizon;
  }
}

export function srcuReadLock(srcu: SrcuStruct): SrcuToken {
  return srcu.lock();
}

export function srcuReadUnlock(srcu: SrcuStruct, token: SrcuToken): void {
  srcu.unlock(token);
}

/**
 * Waits until every reader that held the domain when this call started has left it. A grace
 * period is a step that reads the domain, and so is every wake-up to look at it again. The
 * caller sleeps uninterruptibly (synchronize_srcu() waits with wait_for_completion()), so a
 * reader that never leaves makes it a hang.
 */
export function* synchronizeSrcu(srcu: SrcuStruct): Task<void> {
  yield step("synchronize_srcu", [srcu]);
  const horizon = srcu.horizon;
  const before = srcu.readersBefore(horizon);
  if (before.length === 0) return;
  const self = srcu.sim.current;
  for (const reader of before) {
    if (reader.task === self && self !== null) {
      srcu.sim.warn(`synchronize_srcu(${srcu.name}) called inside its own read-side critical section`, `srcu-self:${srcu.name}`);
    }
  }
  const holders = before.map((r) => r.task?.name ?? "?").join(", ");
  yield* waitEvent(srcu.wq, `synchronize_srcu(${srcu.name}) waiting for readers ${holders}`, () => !srcu.hasReaderBefore(horizon), null, step("synchronize_srcu", [srcu]));
}
