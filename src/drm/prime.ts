/**
 * PRIME: sharing GEM objects as dma-bufs. PRIME_HANDLE_TO_FD exports a handle of the calling
 * file as a dma-buf fd; PRIME_FD_TO_HANDLE imports a dma-buf fd as a handle.
 *
 * - Exporting the same handle twice gives the same dma-buf (a new fd of the same file): the
 *   object keeps its dma-buf while it has handles (obj->dma_buf), and the file remembers which
 *   dma-buf each handle is (prime_file.ts). An imported object exports as the buffer it came
 *   from.
 * - Importing a dma-buf into a file that has a handle of it gives that handle; a device's own
 *   buffer gives back its object; another device's buffer becomes a new object attached to it
 *   (prime_import.ts).
 * - The dma-buf holds the exported object and its device (R14), and works without the device
 *   (dma_buf_file.ts, R54). Both ioctls are refused with ENODEV on an unplugged device by the
 *   core's gate, before they run (R95).
 *
 * Errors: HANDLE_TO_FD EINVAL for flags other than DRM_CLOEXEC and DRM_RDWR, ENOENT for a
 * handle the file does not have; FD_TO_HANDLE EBADF for an fd that is not open, EINVAL for
 * one that is not a dma-buf, and what the import gives (prime_import.ts).
 *
 * @see drm_prime_handle_to_fd_ioctl(), drm_gem_prime_handle_to_fd(),
 *      drm_prime_fd_to_handle_ioctl(), drm_gem_prime_fd_to_handle() in drm_prime.c
 */
import {
  dmaBufFd, dmaBufGet, dmaBufOf, dmaBufPut, fdLookup, getDmaBuf, type DmaBuf,
} from "../base/mod.js";
import { lookupStep, step, type KStruct, type Task } from "../kernel/mod.js";
import {
  DRM_CLOEXEC,
  DRM_RDWR,
  fail,
  ok,
  type DRM_IOCTL_PRIME_FD_TO_HANDLE,
  type DRM_IOCTL_PRIME_HANDLE_TO_FD,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmFile } from "./file.js";
import { drmGemHandleCreate, drmGemObjectPut, type GemObject } from "./gem.js";
import { drmGemPrimeExport } from "./prime_dmabuf.js";
import {
  drmPrimeAddBufHandle,
  drmPrimeLookupBufByHandle,
  drmPrimeLookupBufHandle,
} from "./prime_file.js";
import { drmGemPrimeImportDev } from "./prime_import.js";

type Result<Def> = Task<SysResult<IoctlOutOf<Def>>>;

/** The dma-bufs an export of `obj` may hand out: the file's, the import's, the object's. */
function knownDmaBufs(file: DrmFile, handle: number, obj: GemObject): DmaBuf[] {
  const cached = drmPrimeLookupBufByHandle(file.prime, handle);
  const found = [cached, obj.importAttach?.dmabuf, obj.dmaBuf];
  return found.filter((d): d is DmaBuf => d !== undefined && d !== null);
}

/**
 * The dma-buf of `obj` with a reference for the caller: the one it was imported from, the one
 * it was exported as, or a new export (which the object keeps while it has handles). ENOENT if
 * the object has lost its last handle meanwhile. @see export_and_register_object()
 */
function objectDmaBuf(obj: GemObject, flags: number): SysResult<DmaBuf> {
  const known = obj.importAttach?.dmabuf ?? obj.dmaBuf;
  if (known !== null) {
    getDmaBuf(known);
    return ok(known);
  }
  if (obj.handleCount === 0) return fail("ENOENT");
  // The memory manager's own export, else the core's. @see drm_gem_object_funcs.export
  const exported = obj.funcs.export?.(obj, flags) ?? ok(drmGemPrimeExport(obj, flags));
  if (!exported.ok) return exported;
  const dmabuf = exported.value;
  obj.dmaBuf = dmabuf;
  getDmaBuf(dmabuf);
  return ok(dmabuf);
}

/** @see drm_gem_prime_handle_to_fd() */
function* drmGemPrimeHandleToFd(
  file: DrmFile, handle: number, flags: number,
): Task<SysResult<{ fd: number }>> {
  yield lookupStep("drm_gem_prime_handle_to_fd", () => {
    const obj = file.handles.get(handle);
    if (obj === undefined) return { reads: [], writes: [file] };
    const files = knownDmaBufs(file, handle, obj).map((d) => d.file);
    return { reads: [], writes: [file, obj, obj.dev, ...files] };
  });
  const obj = file.handles.get(handle);
  if (obj === undefined) return fail("ENOENT");
  let dmabuf = drmPrimeLookupBufByHandle(file.prime, handle);
  if (dmabuf !== undefined) getDmaBuf(dmabuf);
  else {
    const r = objectDmaBuf(obj, flags);
    if (!r.ok) return r;
    dmabuf = r.value;
    drmPrimeAddBufHandle(file.prime, dmabuf, handle);
  }
  return ok({ fd: dmaBufFd(dmabuf, flags) });
}

/** @see drm_prime_handle_to_fd_ioctl() */
export function* drmPrimeHandleToFdIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_PRIME_HANDLE_TO_FD>,
): Result<typeof DRM_IOCTL_PRIME_HANDLE_TO_FD> {
  if ((arg.flags & ~(DRM_CLOEXEC | DRM_RDWR)) !== 0) return fail("EINVAL");
  return yield* drmGemPrimeHandleToFd(file, arg.handle, arg.flags);
}

/** The file at `fd` of the caller and the dma-buf behind it, for a footprint. */
function fdObjects(file: DrmFile, fd: number): KStruct[] {
  const other = fdLookup(file.dev.kernel, fd);
  if (other === undefined) return [];
  const dmabuf = dmaBufOf(other);
  return dmabuf === null ? [other] : [other, dmabuf];
}

/** @see drm_gem_prime_fd_to_handle() */
function* drmGemPrimeFdToHandle(file: DrmFile, fd: number): Task<SysResult<{ handle: number }>> {
  const dev = file.dev;
  yield lookupStep("drm_gem_prime_fd_to_handle", () => ({
    reads: [],
    writes: [file, ...fdObjects(file, fd)],
  }));
  const got = dmaBufGet(dev.kernel, fd);
  if (!got.ok) return got;
  const dmabuf = got.value;
  const known = drmPrimeLookupBufHandle(file.prime, dmabuf);
  if (known !== undefined) {
    yield* dmaBufPut(dmabuf);
    return ok({ handle: known });
  }
  const obj = yield* drmGemPrimeImportDev(dev, dmabuf);
  if (typeof obj === "string") {
    yield* dmaBufPut(dmabuf);
    return fail(obj);
  }
  yield step("drm_gem_prime_fd_to_handle", [], [file, obj, dmabuf, dmabuf.file]);
  if (obj.dmaBuf === null) {
    obj.dmaBuf = dmabuf;
    getDmaBuf(dmabuf);
  } else if (obj.dmaBuf !== dmabuf) {
    dev.sim.warn(`drm_gem_prime_fd_to_handle: ${obj.mem.label} has another dma-buf`);
  }
  const handle = drmGemHandleCreate(file, obj);
  yield* drmGemObjectPut(obj); // the handle holds it now
  drmPrimeAddBufHandle(file.prime, dmabuf, handle);
  yield* dmaBufPut(dmabuf);
  return ok({ handle });
}

/** @see drm_prime_fd_to_handle_ioctl() */
export function* drmPrimeFdToHandleIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_PRIME_FD_TO_HANDLE>,
): Result<typeof DRM_IOCTL_PRIME_FD_TO_HANDLE> {
  return yield* drmGemPrimeFdToHandle(file, arg.fd);
}
