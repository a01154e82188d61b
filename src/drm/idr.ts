/**
 * The per-file and per-master id tables (idr): a new id is the lowest free one from 1, as
 * idr_alloc(idr, ptr, 1, 0) gives it. GEM handles, syncobj handles and the magics of a master
 * are all allocated here.
 *
 * An Idr is a Map from id to entry (callers get, delete, iterate and replace entries as with
 * any Map) that also knows where the free ids are, so that an allocation costs O(log n), not a
 * scan from 1 (a file with n handles would cost O(n^2) to fill): every id at or above `end` is
 * free unless set directly, and the free ids below `end` are in a min-heap, pushed when
 * deleted. Entries made stale by a direct set() are skipped when they come up.
 *
 * @see idr_alloc() in lib/idr.c (a radix tree there, with the same lowest-free answer)
 */
export class Idr<T> extends Map<number, T> {
  /** Every id from here up is free, unless set() put it there directly. */
  private end = 1;
  /** Ids below `end` deleted since: a binary min-heap, possibly with stale entries. */
  private readonly freed: number[] = [];

  override delete(id: number): boolean {
    if (!super.delete(id)) return false;
    if (id < this.end) heapPush(this.freed, id);
    return true;
  }

  override clear(): void {
    super.clear();
    this.end = 1;
    this.freed.length = 0;
  }

  /** The lowest free id from 1; not taken yet. */
  lowestFree(): number {
    const freed = this.freed;
    while (freed.length > 0) {
      const id = freed[0]!;
      if (!this.has(id)) return id;
      heapPop(freed); // stale: set again directly since it was freed
    }
    while (this.has(this.end)) this.end++;
    return this.end;
  }
}

/** Stores `value` at the lowest free id from 1 of `idr` and returns that id. */
export function idrAlloc<T>(idr: Idr<T>, value: T): number {
  const id = idr.lowestFree();
  idr.set(id, value);
  return id;
}

function heapPush(heap: number[], value: number): void {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const c = l + 1 < heap.length && heap[l + 1]! < heap[l]! ? l + 1 : l;
    if (heap[c]! >= last) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = last;
}
