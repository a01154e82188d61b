/**
 * Managed resources tied to a drm_device (drmm_*): released newest first at the final
 * drm_dev_put(), which may be long after the driver was unbound (R16, R17).
 *
 * Fault points: "drmm_add_action" (the tracking node) and "drmm_kmalloc" (managed memory).
 *
 * @see drivers/gpu/drm/drm_managed.c
 */
import { assert, embeddedStruct, Mutex, mutexDestroy, step, type Allocation, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";

/** A release action; `data` is what was registered with it (null if none). */
export type DrmmAction = (dev: DrmDevice, data: unknown) => Task<void> | void;

interface DrmmEntry {
  /** The action's name as recorded (the C code records the stringified function name). */
  readonly name: string;
  readonly action: DrmmAction | null;
  readonly data: unknown;
  /** For actions: the tracking node; for allocations: the allocation itself. */
  readonly mem: Allocation;
}

export class DrmManaged {
  /**
   * Oldest first: an entry is pushed at the end and the release pops from the end, newest
   * first as the kernel's list with insertion at the head, in O(1) each (an insertion at the
   * front of an array would copy it: O(n^2) for n entries, such as a dummy page per fault).
   */
  readonly resources: DrmmEntry[] = [];
  finalKfree: Allocation | null = null;
}
embeddedStruct(DrmManaged);

/** A zeroed managed allocation. */
export interface ManagedBuffer {
  readonly mem: Allocation;
  readonly bytes: Uint8Array;
}

function* runAction(dev: DrmDevice, e: DrmmEntry): Task<void> {
  if (e.action === null) return;
  const r = e.action(dev, e.data);
  if (r !== undefined) yield* dev.sim.frame(e.name, r);
}

/** Registers `action(dev, data)` to run at the final put. Returns 0 or ENOMEM without calling it (R18). */
export function drmmAddAction(dev: DrmDevice, name: string, action: DrmmAction, data: unknown = null): 0 | ErrnoName {
  assert(name !== "", "Cannot add a managed action without a name");
  if (dev.kernel.faults.shouldFail("drmm_add_action")) return "ENOMEM";
  const mem = dev.sim.alloc("drmres", { label: `drmres ${name} (${dev.label})`, sizeBytes: data === null ? 0 : 8, owner: dev });
  dev.managed.resources.push({ name, action, data, mem });
  return 0;
}

/** Like drmmAddAction, but runs the action at once when registering fails (R19). */
export function* drmmAddActionOrReset(dev: DrmDevice, name: string, action: DrmmAction, data: unknown = null): Task<0 | ErrnoName> {
  const err = drmmAddAction(dev, name, action, data);
  if (err !== 0) yield* runAction(dev, { name, action, data, mem: dev.mem });
  return err;
}

/**
 * Runs a registered action now and forgets it (R20). With `data` null, any registration of
 * the action matches (R21). Searches from the oldest entry; warns when nothing matches.
 */
export function* drmmReleaseAction(dev: DrmDevice, action: DrmmAction, data: unknown = null): Task<void> {
  const list = dev.managed.resources;
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e.action !== action || (data !== null && e.data !== data)) continue;
    list.splice(i, 1);
    yield* runAction(dev, e);
    dev.sim.free(e.mem, "drmm_release_action");
    return;
  }
  dev.sim.warn(`drmm_release_action: no managed action ${action.name || "(anonymous)"} with matching data`);
}

/** Zeroed managed memory, freed at the final put; null on failure (fault point "drmm_kmalloc"). */
export function drmmKzalloc(dev: DrmDevice, sizeBytes: number, type = "drmm_kzalloc"): ManagedBuffer | null {
  if (dev.kernel.faults.shouldFail("drmm_kmalloc")) return null;
  const mem = dev.sim.alloc(type, { kind: "drmm_kzalloc", sizeBytes, label: `${type} (${dev.label})`, owner: dev });
  dev.managed.resources.push({ name: type, action: null, data: null, mem });
  return { mem, bytes: new Uint8Array(sizeBytes) };
}

/** n * size bytes, or null when the product overflows size_t (R23). */
export function drmmKmallocArray(dev: DrmDevice, n: number, sizeBytes: number): ManagedBuffer | null {
  const total = BigInt(n) * BigInt(sizeBytes);
  if (total > 2n ** 64n - 1n || total > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return drmmKzalloc(dev, Number(total), "drmm_kmalloc_array");
}

export const drmmKcalloc = drmmKmallocArray;

export function drmmKstrdup(dev: DrmDevice, s: string): { readonly buffer: ManagedBuffer; readonly value: string } | null {
  const buffer = drmmKzalloc(dev, s.length + 1, "drmm_kstrdup");
  return buffer === null ? null : { buffer, value: s };
}

/** Frees managed memory early. Null is a no-op; a pointer that is not managed warns (R22). */
export function drmmKfree(dev: DrmDevice, mem: Allocation | null): void {
  if (mem === null) return;
  const list = dev.managed.resources;
  const i = list.findIndex((e) => e.action === null && e.mem === mem);
  if (i < 0) {
    dev.sim.warn(`drmm_kfree: ${mem.label} is not a managed allocation of ${dev.label}`);
    return;
  }
  list.splice(i, 1);
  dev.sim.free(mem, "drmm_kfree");
}

/** mutex_init() plus a managed mutex_destroy() at the final put (R24). */
export function* drmmMutexInit(dev: DrmDevice, name: string): Task<Mutex | ErrnoName> {
  const m = new Mutex(dev.sim, name, dev);
  const err = yield* drmmAddActionOrReset(dev, "mutex_destroy", () => mutexDestroy(m));
  return err === 0 ? m : err;
}

/** Runs and frees every managed entry, newest first. @see drm_managed_release() */
export function* drmManagedRelease(dev: DrmDevice): Task<void> {
  const release = step("drm_managed_release", [], [dev]);
  // A step per entry: an action may sleep, and what it touches besides the device is its own.
  for (yield release; dev.managed.resources.length > 0; yield release) {
    const e = dev.managed.resources.pop()!;
    assert(e.mem.freeSite === null, `Cannot release managed entry ${e.name}: its memory was freed already`);
    yield* runAction(dev, e);
    dev.sim.free(e.mem, "drm_managed_release");
  }
}
