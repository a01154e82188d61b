/**
 * Memory maps: VMAs with their page-table entries, page faults, and address spaces that can
 * be zapped as a whole (what drm_dev_unplug() does to a device's mappings).
 *
 * @see unmap_mapping_range() in mm/memory.c
 */
import { KObject, lookupStep, type Allocation, type KObjectTracker, type Task } from "../kernel/mod.js";
import type { KFile } from "./vfs.js";

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export type FaultResult = { readonly ok: true; readonly page: Uint8Array } | { readonly ok: false; readonly result: "SIGBUS" | "OOM" };

export interface VmOps {
  readonly name: string;
  /**
   * Resolves a fault on page `pageIndex` of the VMA. A mapping whose pages were all inserted
   * at mmap time (remap_pfn_range()) may have none: a fault there is SIGBUS. @see do_fault()
   */
  fault?(vma: Vma, pageIndex: number): Task<FaultResult>;
  close?(vma: Vma): Task<void> | void;
}

export class Vma extends KObject {
  static readonly fixedFields = ["start", "length", "pgoff", "file"];
  ops: VmOps | null = null;
  privateData: unknown = null;
  /** Present page-table entries: page index in the VMA → the page mapped there. */
  readonly ptes = new Map<number, Uint8Array>();
  constructor(
    tracker: KObjectTracker,
    mem: Allocation,
    readonly start: bigint,
    readonly length: number,
    /** Offset into the file in pages (the fake offset of a GEM object >> PAGE_SHIFT). */
    readonly pgoff: bigint,
    readonly file: KFile,
  ) {
    super(tracker, mem);
  }

  get pages(): number {
    return Math.ceil(this.length / PAGE_SIZE);
  }
}

/** The shared mapping of a file or device (struct address_space, inside its inode). */
export class AddressSpace extends KObject {
  static readonly fixedFields = ["name"];
  readonly vmas = new Set<Vma>();
  constructor(tracker: KObjectTracker, mem: Allocation, readonly name: string) {
    super(tracker, mem);
  }
}

/**
 * What a fault handler does once it has found its pages: page `pageIndex` of `pages` (made
 * zeroed on first touch, as a fresh page reads) goes into the VMA's page table.
 * @see vmf_insert_pfn() in mm/memory.c
 */
export function vmfInsertPage(vma: Vma, pageIndex: number, pages: Map<number, Uint8Array>): FaultResult {
  let page = pages.get(pageIndex);
  if (page === undefined) {
    page = new Uint8Array(PAGE_SIZE);
    pages.set(pageIndex, page);
  }
  vma.ptes.set(pageIndex, page);
  return { ok: true, page };
}

/** Zaps every PTE of every VMA mapping `as`; the next access faults again. */
export function* unmapMappingRange(as: AddressSpace): Task<void> {
  yield lookupStep("unmap_mapping_range", () => ({ reads: [as], writes: [...as.vmas] }));
  for (const vma of as.vmas) vma.ptes.clear();
}

/**
 * A process's mappings, in address order. Addresses are handed out deterministically and never
 * reused (each mapping gets the next range), so ranges never overlap, not even with mappings
 * gone. Lookups are binary searches; an unmapped VMA leaves a hole in the table until holes
 * are the majority, then the table is compacted, so mapping and unmapping n VMAs costs
 * O(n log n), not the O(n^2) of removing each from the middle of an array.
 * @see struct mm_struct (a maple tree there)
 */
export class Mm {
  private nextAddr = 0x7f00_0000_0000n;
  /** VMAs and holes (null) in address order; `starts` holds their start addresses. */
  private slots: (Vma | null)[] = [];
  private starts: bigint[] = [];
  private live = 0;

  allocRange(length: number): bigint {
    const addr = this.nextAddr;
    const pages = BigInt(Math.ceil(length / PAGE_SIZE));
    this.nextAddr += (pages + 1n) * BigInt(PAGE_SIZE); // leave a guard page between mappings
    return addr;
  }

  /** The mapped VMAs, in address order. */
  get vmas(): readonly Vma[] {
    return this.slots.filter((v): v is Vma => v !== null);
  }

  insert(vma: Vma): void {
    const i = this.floorIndex(vma.start) + 1; // after every slot starting at or below it
    if (i === this.slots.length) {
      this.slots.push(vma);
      this.starts.push(vma.start);
    } else {
      this.slots.splice(i, 0, vma); // a mapping made while a later one was being made
      this.starts.splice(i, 0, vma.start);
    }
    this.live++;
  }

  remove(vma: Vma): void {
    const i = this.floorIndex(vma.start);
    if (i < 0 || this.slots[i] !== vma) return;
    this.slots[i] = null;
    this.live--;
    if (this.live * 2 < this.slots.length) this.compact();
  }

  /** The VMA that contains `addr`. */
  find(addr: bigint): Vma | undefined {
    const v = this.slots[this.floorIndex(addr)];
    return v != null && addr < v.start + BigInt(v.length) ? v : undefined;
  }

  /** The VMA that starts at `addr`. */
  findStart(addr: bigint): Vma | undefined {
    const v = this.slots[this.floorIndex(addr)];
    return v != null && v.start === addr ? v : undefined;
  }

  /** The index of the last slot starting at or below `addr`, or -1. */
  private floorIndex(addr: bigint): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private compact(): void {
    const live = [...this.vmas];
    this.slots = live;
    this.starts = live.map((v) => v.start);
  }
}
