/**
 * Kernel memory as the sanitizer sees it: allocations with the site that made them and the
 * site that freed them, and the structs that live inside an allocation.
 *
 * A struct (a drm_device, a drm_file, ...) is not always an allocation of its own: a driver's
 * container embeds the drm_device, so freeing the container frees the device. The sanitizer
 * therefore checks a struct through `mem`, the allocation it lives in.
 */

/** Where something happened: the task, the kernel function (C name), the step and the time. */
export interface Site {
  readonly task: string;
  readonly fn: string;
  /** Kernel functions active in the task, outermost first (the simulated backtrace). */
  readonly frames: readonly string[];
  readonly step: number;
  readonly tick: number;
}

export type AllocationId = number & { readonly __brand: "AllocationId" };

/** How the memory was obtained; it decides who frees it and when. */
export type AllocKind = "kzalloc" | "devm_kzalloc" | "drmm_kzalloc" | "static";

export interface Allocation {
  readonly id: AllocationId;
  readonly kind: AllocKind;
  /** The struct type, e.g. "drm_device", "drm_file", "bochs_device". */
  readonly type: string;
  /** A readable name, e.g. "drm_device#2 (card0)"; updated as the object gets names. */
  label: string;
  readonly sizeBytes: number;
  readonly allocSite: Site;
  freeSite: Site | null;
  /** Hardware-lifetime objects (a PCI slot, the bus) are not leaks when alive at shutdown. */
  readonly persistent: boolean;
}

/** Anything a step can read or write: a struct inside some allocation. */
export interface KStruct {
  readonly mem: Allocation;
}

/** What makes the checked view of a new kernel object (the Sim; see footprint.ts). */
export interface KObjectTracker {
  track<T extends KStruct>(obj: T, cls: KObjectClass): T;
}

export interface KObjectClass {
  /** Fields set in the constructor and never written again (see footprint.ts). */
  readonly fixedFields?: readonly string[];
}

/**
 * The base of every kernel object a step can name in its footprint. In the footprint
 * checker's mode the constructor returns a proxy that reports every access of the object's
 * fields (so subclass fields are defined on it too); otherwise it returns the object itself.
 * A subclass lists in a static `fixedFields` the fields it never writes after construction.
 */
export abstract class KObject implements KStruct {
  constructor(
    tracker: KObjectTracker,
    readonly mem: Allocation,
  ) {
    // eslint-disable-next-line no-constructor-return
    return tracker.track(this, new.target as KObjectClass);
  }
}

export function isFreed(s: KStruct): boolean {
  return s.mem.freeSite !== null;
}

export function formatSite(site: Site): string {
  const frames = site.frames.length > 0 ? ` [${site.frames.join(" > ")}]` : "";
  return `${site.fn} in task ${site.task} at step ${site.step}, t=${site.tick}${frames}`;
}
