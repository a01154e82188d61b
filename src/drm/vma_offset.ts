/**
 * The fake mmap offset space of a device (struct drm_vma_offset_manager): objects get a range
 * of pages in it, and mmap() of an offset finds the object whose range starts there.
 *
 * Placement is first fit, as drm_mm's default: the lowest free range (hole) large enough;
 * none is ENOSPC. The holes live in a treap ordered by start page, each node knowing the
 * largest hole below it, so placing, removing and looking up an object cost O(log n) (expected)
 * whatever the number of objects: the hole is found by going down to the lowest subtree that
 * has one large enough. Removing an object merges its range with the holes on either side.
 *
 * Page numbers are JS numbers inside (the space is 2^28 pages from 2^20) and bigints outside.
 *
 * @see drivers/gpu/drm/drm_vma_manager.c: drm_vma_offset_manager_init(), drm_vma_offset_add(),
 *      drm_vma_offset_remove(), drm_vma_offset_exact_lookup_locked(); drm_mm.c for first fit
 */
import { assert, embeddedStruct } from "../kernel/mod.js";

/** A free range of pages: a treap node by `start`, with the largest hole of its subtree. */
interface Hole {
  start: number;
  pages: number;
  maxPages: number;
  readonly priority: number;
  left: Hole | null;
  right: Hole | null;
}

interface Placed<T> {
  readonly obj: T;
  readonly pages: number;
}

/**
 * Offset nodes by first page, and the holes between them. Map-like at its edges (get, delete,
 * size) for drm_gem_mmap() and the object's free. @see struct drm_vma_offset_manager
 */
export class DrmVmaOffsetManager<T> {
  private readonly placed = new Map<number, Placed<T>>();
  private holes: Hole | null;
  /** The treap's priorities: a fixed xorshift sequence (the shape is not model state). */
  private seed = 0x9e3779b9;

  constructor(firstPage: bigint, pages: bigint) {
    assert(pages > 0n && firstPage + pages <= BigInt(Number.MAX_SAFE_INTEGER), "Cannot make an offset space: bad range");
    this.holes = this.hole(Number(firstPage), Number(pages));
  }

  get size(): number {
    return this.placed.size;
  }

  /**
   * Places `obj` over `pages` pages at the lowest hole that fits; its first page, or null when
   * no hole is large enough (ENOSPC). @see drm_vma_offset_add()
   */
  add(obj: T, pages: number): bigint | null {
    assert(Number.isInteger(pages) && pages > 0, `Cannot place an offset node of ${pages} pages`);
    const fit = firstFit(this.holes, pages);
    if (fit === null) return null;
    const { start, pages: holePages } = fit;
    this.holes = removeHole(this.holes, start);
    if (holePages > pages) this.holes = insertHole(this.holes, this.hole(start + pages, holePages - pages));
    this.placed.set(start, { obj, pages });
    return BigInt(start);
  }

  /** The object whose range starts at `startPage`. @see drm_vma_offset_exact_lookup_locked() */
  get(startPage: bigint): T | undefined {
    return this.placed.get(Number(startPage))?.obj;
  }

  /** Frees the range starting at `startPage`; false if none does. @see drm_vma_offset_remove() */
  delete(startPage: bigint): boolean {
    let start = Number(startPage);
    const node = this.placed.get(start);
    if (node === undefined) return false;
    this.placed.delete(start);
    let pages = node.pages;
    const before = lastHoleBefore(this.holes, start);
    if (before !== null && before.start + before.pages === start) {
      this.holes = removeHole(this.holes, before.start);
      start = before.start;
      pages += before.pages;
    }
    const after = holeAt(this.holes, start + pages);
    if (after !== null) {
      this.holes = removeHole(this.holes, after.start);
      pages += after.pages;
    }
    this.holes = insertHole(this.holes, this.hole(start, pages));
    return true;
  }

  private hole(start: number, pages: number): Hole {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return { start, pages, maxPages: pages, priority: this.seed, left: null, right: null };
  }
}
embeddedStruct(DrmVmaOffsetManager);

function maxOf(h: Hole | null): number {
  return h === null ? 0 : h.maxPages;
}

function update(h: Hole): Hole {
  h.maxPages = Math.max(h.pages, maxOf(h.left), maxOf(h.right));
  return h;
}

/** The holes below `start` and those from `start` up. */
function split(h: Hole | null, start: number): [Hole | null, Hole | null] {
  if (h === null) return [null, null];
  if (h.start < start) {
    const [l, r] = split(h.right, start);
    h.right = l;
    return [update(h), r];
  }
  const [l, r] = split(h.left, start);
  h.left = r;
  return [l, update(h)];
}

/** Joins two treaps, every hole of `a` below every hole of `b`. */
function merge(a: Hole | null, b: Hole | null): Hole | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    return update(a);
  }
  b.left = merge(a, b.left);
  return update(b);
}

function insertHole(root: Hole | null, h: Hole): Hole | null {
  const [l, r] = split(root, h.start);
  return merge(merge(l, h), r);
}

function removeHole(root: Hole | null, start: number): Hole | null {
  const [l, rest] = split(root, start);
  const [, r] = split(rest, start + 1);
  return merge(l, r);
}

/** The lowest hole of at least `pages` pages. */
function firstFit(root: Hole | null, pages: number): Hole | null {
  let h = root;
  while (h !== null && h.maxPages >= pages) {
    if (maxOf(h.left) >= pages) h = h.left;
    else if (h.pages >= pages) return h;
    else h = h.right;
  }
  return null;
}

/** The hole with the highest start below `start`. */
function lastHoleBefore(root: Hole | null, start: number): Hole | null {
  let best: Hole | null = null;
  for (let h = root; h !== null; ) {
    if (h.start < start) {
      best = h;
      h = h.right;
    } else h = h.left;
  }
  return best;
}

function holeAt(root: Hole | null, start: number): Hole | null {
  for (let h = root; h !== null; h = start < h.start ? h.left : h.right) if (h.start === start) return h;
  return null;
}
