/**
 * A DRM file's PRIME bookkeeping (struct drm_prime_file_private): which dma-buf each of its
 * handles was exported as or imported from, both ways. It is why exporting a handle twice
 * gives the same dma-buf, and importing a dma-buf twice into a file gives the same handle.
 * Each entry holds a reference to its dma-buf, dropped when the handle goes.
 *
 * @see drm_prime_add_buf_handle(), drm_prime_lookup_buf_by_handle(),
 *      drm_prime_lookup_buf_handle(), drm_prime_remove_buf_handle() in drm_prime.c
 */
import { getDmaBuf, type DmaBuf } from "../base/mod.js";
import { assert, embeddedStruct, type Sim } from "../kernel/mod.js";

export class DrmPrimeFilePrivate {
  /** dma-buf to handle (the `dmabufs` tree). */
  readonly dmabufs = new Map<DmaBuf, number>();
  /** handle to dma-buf (the `handles` tree). */
  readonly handles = new Map<number, DmaBuf>();
}
// Part of the drm_file: a step that declares the file may touch it.
embeddedStruct(DrmPrimeFilePrivate);

/**
 * Remembers that `handle` is `dmabuf` in this file, taking a reference to the dma-buf; the
 * caller's step writes the dma-buf's file. @see drm_prime_add_buf_handle()
 */
export function drmPrimeAddBufHandle(
  prime: DrmPrimeFilePrivate, dmabuf: DmaBuf, handle: number,
): void {
  assert(!prime.handles.has(handle), `Cannot add PRIME handle ${handle}: it has a dma-buf already`);
  assert(!prime.dmabufs.has(dmabuf), `Cannot add PRIME handle ${handle}: its dma-buf has a handle`);
  getDmaBuf(dmabuf);
  prime.dmabufs.set(dmabuf, handle);
  prime.handles.set(handle, dmabuf);
}

/** The dma-buf `handle` was exported as or imported from, if any. */
export function drmPrimeLookupBufByHandle(
  prime: DrmPrimeFilePrivate, handle: number,
): DmaBuf | undefined {
  return prime.handles.get(handle);
}

/** The handle of `dmabuf` in this file, if any. @see drm_prime_lookup_buf_handle() */
export function drmPrimeLookupBufHandle(
  prime: DrmPrimeFilePrivate, dmabuf: DmaBuf,
): number | undefined {
  return prime.dmabufs.get(dmabuf);
}

/**
 * Forgets `handle`; returns its dma-buf, whose reference the caller drops (dma_buf_put()), or
 * null if the handle had none. @see drm_prime_remove_buf_handle()
 */
export function drmPrimeRemoveBufHandle(prime: DrmPrimeFilePrivate, handle: number): DmaBuf | null {
  const dmabuf = prime.handles.get(handle);
  if (dmabuf === undefined) return null;
  prime.handles.delete(handle);
  prime.dmabufs.delete(dmabuf);
  return dmabuf;
}

/**
 * At close, after every handle went: an entry left is a bug of the handle code (WARN).
 * @see drm_prime_destroy_file_private()
 */
export function drmPrimeDestroyFilePrivate(prime: DrmPrimeFilePrivate, sim: Sim): void {
  if (prime.dmabufs.size > 0) sim.warn("drm_prime_destroy_file_private: dma-bufs left in the file");
}
