/**
 * Explicit fencing into a commit: a plane's IN_FENCE_FD names a sync_file fd of the caller,
 * whose fence the commit waits for before it touches the hardware: a blocking commit before
 * it swaps its state in (interruptibly: a signal ends the ioctl with EINTR), a non-blocking
 * one in its worker (not interruptibly). -1 names none; an fd that is not a sync_file, or a
 * second fence for the same plane, is EINVAL. A TEST_ONLY commit only checks the fd, and so
 * does a commit faked after unplug (uapi-doc): neither waits. The commit holds a reference on
 * each fence until it is done with its state, so closing the fd meanwhile changes nothing.
 *
 * @see drm_atomic_plane_set_property() ("IN_FENCE_FD"), sync_file_get_fence(),
 *      drm_atomic_helper_wait_for_fences() in drivers/gpu/drm
 */
import { fdLookup, syncFileOf, type DmaFence } from "../base/mod.js";
import { lookupStep, step, type KStruct, type Task } from "../kernel/mod.js";
import type { DRM_IOCTL_MODE_ATOMIC, ErrnoName, IoctlIn } from "../uapi/mod.js";
import { dmaFenceGet, dmaFencePut, dmaFenceWait } from "../base/mod.js";
import type { DrmFile } from "./file.js";
import { modeConfigOf } from "./kms.js";
import type { DrmPlane } from "./kms_objects.js";

/** The fence behind sync_file fd `fd` of the calling process, or null. @see sync_file_get_fence() */
function syncFileGetFence(file: DrmFile, fd: number): DmaFence | null {
  const kfile = fdLookup(file.dev.kernel, fd);
  if (kfile === undefined) return null;
  return syncFileOf(kfile)?.fence ?? null;
}

/** The fds an atomic request gives as IN_FENCE_FD values (-1 and other values left out). */
function inFenceFds(file: DrmFile, arg: IoctlIn<typeof DRM_IOCTL_MODE_ATOMIC>): number[] {
  const id = modeConfigOf(file.dev).properties.get("IN_FENCE_FD");
  const fds: number[] = [];
  arg.props_ptr.forEach((p, i) => {
    const v = arg.prop_values_ptr[i];
    if (p === id && v !== undefined && v < 2n ** 31n) fds.push(Number(v));
  });
  return fds;
}

/**
 * What reading the request's in-fences touches: each named sync_file's file, the sync_file
 * and its fence (a reference is taken).
 */
export function inFenceObjects(file: DrmFile, arg: IoctlIn<typeof DRM_IOCTL_MODE_ATOMIC>): KStruct[] {
  const out: KStruct[] = [];
  for (const fd of inFenceFds(file, arg)) {
    const kfile = fdLookup(file.dev.kernel, fd);
    const s = kfile === undefined ? null : syncFileOf(kfile);
    if (kfile !== undefined) out.push(kfile);
    if (s !== null) out.push(s, s.fence);
  }
  return out;
}

/**
 * IN_FENCE_FD `v` for `plane` in a request whose planes' fences are `fences`: the fence is
 * taken (a reference) into it, or the errno.
 */
export function drmAtomicSetInFence(
  file: DrmFile,
  fences: Map<DrmPlane, DmaFence>,
  plane: DrmPlane,
  v: bigint,
): ErrnoName | null {
  if (fences.has(plane)) return "EINVAL";
  const fd = BigInt.asIntN(64, v);
  if (fd === -1n) return null;
  if (fd < 0n || fd > 2n ** 31n - 1n) return "EINVAL"; // outside the property's range
  const fence = syncFileGetFence(file, Number(fd));
  if (fence === null) return "EINVAL";
  fences.set(plane, dmaFenceGet(fence));
  return null;
}

/** Lets go of the request's fences. @see drm_atomic_state_default_clear() */
export function* drmAtomicPutInFences(fences: Map<DrmPlane, DmaFence>): Task<void> {
  for (const fence of [...fences.values()]) {
    yield step("drm_atomic_state_default_clear", [], [fence]);
    yield* dmaFencePut(fence);
  }
  fences.clear();
}

/**
 * Waits for each fence, interruptibly before the swap (`preSwap`): "EINTR" if a signal
 * ended the wait, else null. @see drm_atomic_helper_wait_for_fences()
 */
export function* drmAtomicHelperWaitForFences(
  fences: ReadonlyMap<DrmPlane, DmaFence>,
  preSwap: boolean,
): Task<"EINTR" | null> {
  for (const fence of fences.values()) {
    const resume = lookupStep("drm_atomic_helper_wait_for_fences", () => ({ reads: [], writes: [fence] }));
    yield resume;
    const r = yield* dmaFenceWait(fence, preSwap, resume);
    if (r < 0) return "EINTR";
  }
  return null;
}
