/**
 * The syncobj ioctls but WAIT (syncobj_wait.ts): CREATE, DESTROY, HANDLE_TO_FD and
 * FD_TO_HANDLE (a syncobj fd, or with a flag a sync_file of the syncobj's fence), RESET and
 * SIGNAL. Each fails with EOPNOTSUPP on a driver without DRIVER_SYNCOBJ, before looking at
 * its argument; after unplug the core gate fails them with ENODEV before they run.
 *
 * Errno of a bad handle, as Linux has them: DESTROY and HANDLE_TO_FD EINVAL; RESET, SIGNAL,
 * WAIT and an import into a handle ENOENT; exporting a syncobj without a fence EINVAL.
 *
 * @see drm_syncobj_*_ioctl() in drivers/gpu/drm/drm_syncobj.c
 */
import {
  currentProcess,
  dmaFenceAllocatePrivateStub,
  dmaFencePut,
  fdInstall,
  fdLookup,
  syncFileCreate,
  syncFileOf,
  type DmaFence,
  type KFile,
} from "../base/mod.js";
import { lookupStep, step, type KStruct, type Task } from "../kernel/mod.js";
import {
  DRM_SYNCOBJ_CREATE_SIGNALED,
  DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
  fail,
  O_CLOEXEC,
  ok,
  type DRM_IOCTL_SYNCOBJ_CREATE,
  type DRM_IOCTL_SYNCOBJ_DESTROY,
  type DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  type DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  type DRM_IOCTL_SYNCOBJ_RESET,
  type ErrnoName,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import { DRIVER_SYNCOBJ, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import {
  drmSyncobjCreate,
  drmSyncobjGet,
  drmSyncobjGetFd,
  drmSyncobjGetHandle,
  drmSyncobjLookup,
  drmSyncobjObjects,
  drmSyncobjPut,
  drmSyncobjReplaceFence,
  syncobjOfFile,
  type DrmSyncobj,
} from "./syncobj.js";

type Result<Def> = Task<SysResult<IoctlOutOf<Def>>>;
type NoOutput = Task<SysResult<Record<never, never>>>;

/** EOPNOTSUPP unless the driver has DRIVER_SYNCOBJ. */
export function syncobjUnsupported(file: DrmFile): SysResult<never> | null {
  return drmCoreCheckFeature(file.dev, DRIVER_SYNCOBJ) ? null : fail("EOPNOTSUPP");
}

/** The objects a step that finds `handles` in `file` touches: the file, syncobjs, fences. */
export function syncobjFootprint(file: DrmFile, handles: readonly number[]): KStruct[] {
  const out: KStruct[] = [file];
  for (const h of handles) out.push(...drmSyncobjObjects(drmSyncobjLookup(file, h)));
  return out;
}

/** A step of `fn` that writes the file, the syncobjs of `handles` and their fences. */
export function syncobjStep(fn: string, file: DrmFile, handles: readonly number[]) {
  return lookupStep(fn, () => ({ reads: [], writes: syncobjFootprint(file, handles) }));
}

/** @see drm_syncobj_create_ioctl() */
export function* drmSyncobjCreateIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_SYNCOBJ_CREATE>,
): Result<typeof DRM_IOCTL_SYNCOBJ_CREATE> {
  const unsupported = syncobjUnsupported(file);
  if (unsupported !== null) return unsupported;
  if ((arg.flags & ~DRM_SYNCOBJ_CREATE_SIGNALED) !== 0) return fail("EINVAL");
  yield step("drm_syncobj_create", [], [file]);
  const kernel = file.dev.kernel;
  const signaled = (arg.flags & DRM_SYNCOBJ_CREATE_SIGNALED) !== 0;
  const stub = signaled ? dmaFenceAllocatePrivateStub(kernel, file) : null;
  const syncobj = drmSyncobjCreate(kernel, file, stub);
  const handle = drmSyncobjGetHandle(file, syncobj);
  // The syncobj's own reference and the stub's: the handle and the syncobj keep theirs.
  yield* drmSyncobjPut(syncobj);
  if (stub !== null) yield* dmaFencePut(stub);
  return ok({ handle });
}

/** @see drm_syncobj_destroy_ioctl() */
export function* drmSyncobjDestroyIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_SYNCOBJ_DESTROY>,
): Result<typeof DRM_IOCTL_SYNCOBJ_DESTROY> {
  const unsupported = syncobjUnsupported(file);
  if (unsupported !== null) return unsupported;
  if (arg.pad !== 0) return fail("EINVAL");
  yield syncobjStep("drm_syncobj_destroy", file, [arg.handle]);
  const syncobj = drmSyncobjLookup(file, arg.handle);
  if (syncobj === undefined) return fail("EINVAL");
  file.syncobjs.delete(arg.handle);
  yield* drmSyncobjPut(syncobj);
  return ok({});
}

/** @see drm_syncobj_handle_to_fd_ioctl() */
export function* drmSyncobjHandleToFdIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD>,
): Result<typeof DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD> {
  const unsupported = syncobjUnsupported(file);
  if (unsupported !== null) return unsupported;
  if (arg.pad !== 0) return fail("EINVAL");
  const exporting = arg.flags === DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
  if (arg.flags !== 0 && !exporting) return fail("EINVAL");
  yield syncobjStep("drm_syncobj_handle_to_fd_ioctl", file, [arg.handle]);
  const syncobj = drmSyncobjLookup(file, arg.handle);
  if (exporting) return exportSyncFile(file, syncobj);
  if (syncobj === undefined) return fail("EINVAL");
  return ok({ fd: drmSyncobjGetFd(file, syncobj) });
}

/**
 * A sync_file of the syncobj's fence at this moment, in a new fd. ENOENT without the syncobj,
 * EINVAL without a fence. @see drm_syncobj_export_sync_file()
 */
function exportSyncFile(file: DrmFile, syncobj: DrmSyncobj | undefined): SysResult<{ fd: number }> {
  if (syncobj === undefined) return fail("ENOENT");
  const fence = syncobj.fence;
  if (fence === null) return fail("EINVAL");
  const kernel = file.dev.kernel;
  const kfile = syncFileCreate(kernel, fence, currentProcess(kernel).pid);
  return ok({ fd: fdInstall(kernel, kfile, O_CLOEXEC) });
}

/** @see drm_syncobj_fd_to_handle_ioctl() */
export function* drmSyncobjFdToHandleIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE>,
): Result<typeof DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE> {
  const unsupported = syncobjUnsupported(file);
  if (unsupported !== null) return unsupported;
  if (arg.pad !== 0) return fail("EINVAL");
  const importing = arg.flags === DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
  if (arg.flags !== 0 && !importing) return fail("EINVAL");
  const kernel = file.dev.kernel;
  yield lookupStep("drm_syncobj_fd_to_handle_ioctl", () => {
    const other = fdLookup(kernel, arg.fd);
    const objects = other === undefined ? [] : objectsBehind(other);
    const target = importing ? syncobjFootprint(file, [arg.handle]) : [file];
    return { reads: [], writes: [...target, ...objects] };
  });
  const other = fdLookup(kernel, arg.fd);
  if (importing) {
    const err = yield* importSyncFile(file, other, arg.handle);
    return err === 0 ? ok({ handle: arg.handle }) : fail(err);
  }
  const syncobj = other === undefined ? null : syncobjOfFile(other);
  if (syncobj === null) return fail("EINVAL");
  drmSyncobjGet(syncobj);
  const handle = drmSyncobjGetHandle(file, syncobj);
  yield* drmSyncobjPut(syncobj);
  return ok({ handle });
}

/** A file and what it holds: a syncobj file's syncobj and fence, a sync_file's fence. */
function objectsBehind(kfile: KFile): KStruct[] {
  const syncobj = syncobjOfFile(kfile);
  if (syncobj !== null) return [kfile, ...drmSyncobjObjects(syncobj)];
  const syncFile = syncFileOf(kfile);
  return syncFile === null ? [kfile] : [kfile, syncFile, syncFile.fence];
}

/** @see drm_syncobj_import_sync_file_fence() */
function* importSyncFile(
  file: DrmFile,
  other: KFile | undefined,
  handle: number,
): Task<0 | ErrnoName> {
  const syncFile = other === undefined ? null : syncFileOf(other);
  if (syncFile === null) return "EINVAL";
  const syncobj = drmSyncobjLookup(file, handle);
  if (syncobj === undefined) return "ENOENT";
  yield* drmSyncobjReplaceFence(syncobj, syncFile.fence);
  return 0;
}

/**
 * The syncobjs `count` handles name, each with a reference; ENOENT for a handle not in the
 * file, EFAULT if the list is shorter than `count` (copy_from_user past its end).
 * @see drm_syncobj_array_find()
 */
export function drmSyncobjArrayFind(
  file: DrmFile,
  handles: readonly number[],
  count: number,
): SysResult<DrmSyncobj[]> {
  if (handles.length < count) return fail("EFAULT");
  const out: DrmSyncobj[] = [];
  for (let i = 0; i < count; i++) {
    const s = drmSyncobjLookup(file, handles[i]!);
    if (s === undefined) return fail("ENOENT");
    out.push(s);
  }
  return ok(out.map(drmSyncobjGet));
}

/** Drops the references drmSyncobjArrayFind() took. @see drm_syncobj_array_free() */
export function* drmSyncobjArrayFree(syncobjs: readonly DrmSyncobj[]): Task<void> {
  for (const s of syncobjs) yield* drmSyncobjPut(s);
}

type ArrayArg = IoctlIn<typeof DRM_IOCTL_SYNCOBJ_RESET>;

/** RESET (no fence) or SIGNAL (a new signalled stub fence) of every syncobj of the list. */
function* syncobjArrayIoctl(
  file: DrmFile,
  arg: ArrayArg,
  fn: string,
  fence: () => DmaFence | null,
): NoOutput {
  const unsupported = syncobjUnsupported(file);
  if (unsupported !== null) return unsupported;
  if (arg.pad !== 0 || arg.count_handles === 0) return fail("EINVAL");
  const handles = arg.handles.slice(0, arg.count_handles);
  yield syncobjStep(fn, file, handles);
  const found = drmSyncobjArrayFind(file, arg.handles, arg.count_handles);
  if (!found.ok) return found;
  for (const syncobj of found.value) {
    const f = fence();
    yield* drmSyncobjReplaceFence(syncobj, f);
    if (f !== null) yield* dmaFencePut(f);
  }
  yield* drmSyncobjArrayFree(found.value);
  return ok({});
}

/** @see drm_syncobj_reset_ioctl() */
export function drmSyncobjResetIoctl(
  file: DrmFile,
  arg: ArrayArg,
): NoOutput {
  return syncobjArrayIoctl(file, arg, "drm_syncobj_reset_ioctl", () => null);
}

/** @see drm_syncobj_signal_ioctl(), drm_syncobj_assign_null_handle() */
export function drmSyncobjSignalIoctl(
  file: DrmFile,
  arg: ArrayArg,
): NoOutput {
  const kernel = file.dev.kernel;
  const stub = (): DmaFence => dmaFenceAllocatePrivateStub(kernel, file);
  return syncobjArrayIoctl(file, arg, "drm_syncobj_signal_ioctl", stub);
}
