/**
 * Reference counts with the checks of refcount_t: an underflow, or a get after the count
 * reached zero, is reported as a finding (the kernel saturates and warns; so do we).
 *
 * @see kref_get(), kref_put() in include/linux/kref.h; refcount_warn_saturate() in lib/refcount.c
 */
import type { KStruct } from "./kobject.js";
import type { Sim } from "./sim.js";
import type { Task } from "./task.js";

export class Kref {
  count = 1;
  constructor(readonly sim: Sim, readonly owner: KStruct) {}

  /** Whether the last reference was dropped (and `release` ran): the count only reaches 0 there. */
  get released(): boolean {
    return this.count === 0;
  }
}

export function krefRead(ref: Kref): number {
  return ref.count;
}

export function krefGet(ref: Kref): void {
  ref.sim.check(ref.owner, "write", "kref_get");
  if (ref.count === 0) {
    ref.sim.report({ kind: "kref-get-after-release", object: ref.owner.mem.label, site: ref.sim.site("kref_get") });
    return;
  }
  ref.count++;
}

/**
 * Drops a reference; the one that drops the last runs `release`. Returns true if it did.
 */
export function* krefPut(ref: Kref, release: () => Task<void>): Task<boolean> {
  ref.sim.check(ref.owner, "write", "kref_put");
  if (ref.count === 0) {
    ref.sim.report({ kind: "kref-underflow", object: ref.owner.mem.label, site: ref.sim.site("kref_put") });
    return false;
  }
  ref.count--;
  if (ref.count > 0) return false;
  yield* release();
  return true;
}
