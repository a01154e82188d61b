/**
 * The per-file and per-master id tables (idr): a new id is the lowest free one from 1, as
 * idr_alloc(idr, ptr, 1, 0) gives it. GEM handles, syncobj handles and the magics of a master
 * are all allocated here.
 *
 * @see idr_alloc() in lib/idr.c
 */

/** Stores `value` at the lowest free id from 1 of `idr` and returns that id. */
export function idrAlloc<T>(idr: Map<number, T>, value: T): number {
  let id = 1;
  while (idr.has(id)) id++;
  idr.set(id, value);
  return id;
}
