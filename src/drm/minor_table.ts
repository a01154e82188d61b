/**
 * The minor-number table (drm_minors_xa). An index is reserved (NULL entry) from allocation
 * until the final put erases it; lookups succeed only while the minor is published.
 *
 * Allocation scheme, by the kernel variants minorAllocation and minorExtendedRange
 * (src/base/variants.ts):
 * - lowest-free: the lowest free index in 64*type..64*type+63 (R30, R32); with the extended
 *   range (mainline >= 6.12), then the shared range 192..2^20-1 when that is full; without it
 *   (the IDR era), ENOSPC when full;
 * - cyclic (uapi-doc): like PIDs, the next index after the last one allocated, wrapping
 *   (D2, R33).
 *
 * @see drm_minor_alloc() in drivers/gpu/drm/drm_drv.c
 */
import { variant, type KernelProfile } from "../base/mod.js";
import { assert, KObject, type Sim } from "../kernel/mod.js";
import type { DrmMinor } from "./minor.js";

export const DRM_MINOR_PRIMARY = 0;
export const DRM_MINOR_RENDER = 2;
export const DRM_MINOR_ACCEL = 32;
export type DrmMinorType = typeof DRM_MINOR_PRIMARY | typeof DRM_MINOR_RENDER | typeof DRM_MINOR_ACCEL;

const MINORBITS = 20;
const DRM_EXTENDED_MINOR_FIRST = 192;
const DRM_MINOR_LIMIT_MAX = 2 ** MINORBITS - 1;
const ACCEL_MAX_MINORS = 256;

export class MinorTable extends KObject {
  static readonly fixedFields = ["profile", "name"];
  /** index → published minor, or null while reserved. */
  private readonly entries = new Map<number, DrmMinor | null>();
  private readonly lastAllocated = new Map<string, number>();

  constructor(sim: Sim, private readonly profile: KernelProfile, readonly name: "drm" | "accel") {
    super(sim, sim.alloc("xarray", { kind: "static", label: name === "drm" ? "drm_minors_xa" : "accel_minors_xa", persistent: true }));
  }

  /** Reserves an index for a minor of `type`; returns null if none is free (ENOSPC). */
  alloc(type: DrmMinorType): number | null {
    if (this.name === "accel") return this.allocIn("accel", [[0, ACCEL_MAX_MINORS - 1]]);
    const first = 64 * type;
    const legacy: [number, number] = [first, first + 63];
    if (variant(this.profile, "minorAllocation") === "cyclic") return this.allocCyclic(`type${type}`, legacy);
    const extended: [number, number] = [DRM_EXTENDED_MINOR_FIRST, DRM_MINOR_LIMIT_MAX];
    const ranges: [number, number][] = variant(this.profile, "minorExtendedRange") ? [legacy, extended] : [legacy];
    return this.allocIn(`type${type}`, ranges);
  }

  private allocIn(key: string, ranges: readonly [number, number][]): number | null {
    for (const [lo, hi] of ranges) {
      for (let i = lo; i <= hi; i++) if (!this.entries.has(i)) return this.reserve(key, i);
    }
    return null;
  }

  private allocCyclic(key: string, [lo, hi]: readonly [number, number]): number | null {
    const last = this.lastAllocated.get(key);
    const start = last === undefined ? lo : last + 1;
    const span = hi - lo + 1;
    for (let k = 0; k < span; k++) {
      const i = lo + ((start - lo + k) % span);
      if (!this.entries.has(i)) return this.reserve(key, i);
    }
    return null;
  }

  private reserve(key: string, index: number): number {
    this.entries.set(index, null);
    this.lastAllocated.set(key, index);
    return index;
  }

  publish(index: number, minor: DrmMinor): void {
    assert(this.entries.has(index) && this.entries.get(index) === null, `Cannot publish minor ${index} in ${this.name}: not reserved, or published already`);
    assert(minor.index === index, `Cannot publish minor ${minor.index} at index ${index}`);
    this.entries.set(index, minor);
  }

  /** Replaces the entry with NULL: the index stays reserved, lookups fail. */
  unpublish(index: number): void {
    if (this.entries.has(index)) this.entries.set(index, null);
  }

  erase(index: number): void {
    assert(this.entries.has(index), `Cannot erase minor ${index} from ${this.name}: not reserved`);
    this.entries.delete(index);
  }

  lookup(index: number): DrmMinor | null {
    return this.entries.get(index) ?? null;
  }

  isReserved(index: number): boolean {
    return this.entries.has(index);
  }
}
