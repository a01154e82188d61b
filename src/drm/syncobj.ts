/**
 * DRM synchronisation objects: a syncobj is a reference-counted container of at most one
 * dma_fence, named in a DRM file by a handle (lowest free, from 1), and shared between files
 * and processes through a syncobj fd. Putting a fence in it (a submission, an import, SIGNAL)
 * wakes the host-side waits that wait for a fence to appear (WAIT_FOR_SUBMIT).
 *
 * Lifetime: each handle, each syncobj fd and each wait holds a reference; the last put drops
 * the fence. A file's handles are put at close (drm_syncobj_release()), whatever the device's
 * state: the table is per file, not per device.
 *
 * @see drivers/gpu/drm/drm_syncobj.c
 */
import {
  dmaFenceGet,
  dmaFencePut,
  currentProcess,
  anonInodeGetFile,
  fdInstall,
  KFile,
  type DmaFence,
  type DmaFenceCb,
  type FileOps,
  type Kernel,
} from "../base/mod.js";
import {
  assert,
  KObject,
  Kref,
  krefGet,
  krefPut,
  lookupStep,
  type KStruct,
  type Task,
} from "../kernel/mod.js";
import { O_CLOEXEC, type Fd } from "../uapi/mod.js";
import type { DrmFile } from "./file.js";
import { idrAlloc } from "./idr.js";

/**
 * A host-side wait on one syncobj (struct syncobj_wait_entry): the fence it waits for (null
 * until the syncobj has one, with WAIT_FOR_SUBMIT), its callback on that fence, and how to
 * wake its task.
 */
export interface SyncobjWaitEntry {
  fence: DmaFence | null;
  readonly cb: DmaFenceCb;
  readonly wake: () => void;
}

export class DrmSyncobj extends KObject {
  static readonly fixedFields = ["ref", "kernel"];
  readonly ref: Kref;
  fence: DmaFence | null = null;
  /** Waits for a fence to appear (WAIT_FOR_SUBMIT), woken by drmSyncobjReplaceFence(). */
  readonly cbList: SyncobjWaitEntry[] = [];

  constructor(readonly kernel: Kernel, owner: KStruct) {
    const sim = kernel.sim;
    const mem = sim.alloc("drm_syncobj", { owner });
    super(sim, mem);
    this.ref = new Kref(sim, this);
  }
}

/**
 * A new syncobj with one reference, holding `fence` if given, made by `file` (its owner in
 * the trace). @see drm_syncobj_create()
 */
export function drmSyncobjCreate(kernel: Kernel, file: DrmFile, fence: DmaFence | null): DrmSyncobj {
  const syncobj = new DrmSyncobj(kernel, file);
  if (fence !== null) syncobj.fence = dmaFenceGet(fence);
  return syncobj;
}

export function drmSyncobjGet(syncobj: DrmSyncobj): DrmSyncobj {
  krefGet(syncobj.ref);
  return syncobj;
}

/**
 * Drops a reference; the last one drops the fence and frees the syncobj. The calling step
 * writes the syncobj and its fence. @see drm_syncobj_put(), drm_syncobj_free()
 */
export function* drmSyncobjPut(syncobj: DrmSyncobj): Task<void> {
  yield* krefPut(syncobj.ref, function* () {
    assert(syncobj.cbList.length === 0, `Cannot free ${syncobj.mem.label}: a wait still on it`);
    yield* drmSyncobjReplaceFence(syncobj, null);
    syncobj.kernel.sim.free(syncobj.mem, "drm_syncobj_free");
  });
}

/** A new reference to the syncobj's fence, or null if it has none. @see drm_syncobj_fence_get() */
export function drmSyncobjFenceGet(syncobj: DrmSyncobj): DmaFence | null {
  return syncobj.fence === null ? null : dmaFenceGet(syncobj.fence);
}

/**
 * Puts `fence` (or nothing) in the syncobj in place of its fence, and hands the new fence to
 * the waits that wait for one. The calling step writes the syncobj, both fences and the
 * fences' waiters. @see drm_syncobj_replace_fence(), syncobj_wait_syncobj_func()
 */
export function* drmSyncobjReplaceFence(syncobj: DrmSyncobj, fence: DmaFence | null): Task<void> {
  if (fence !== null) dmaFenceGet(fence);
  const old = syncobj.fence;
  syncobj.fence = fence;
  if (fence !== null && fence !== old) {
    for (const wait of syncobj.cbList.splice(0)) {
      wait.fence = dmaFenceGet(fence);
      wait.wake();
    }
  }
  if (old !== null) yield* dmaFencePut(old);
}

/** The syncobj a handle of `file` names, or undefined (no reference taken). */
export function drmSyncobjLookup(file: DrmFile, handle: number): DrmSyncobj | undefined {
  return file.syncobjs.get(handle);
}

/**
 * A new handle in `file` for `syncobj`, holding a reference of its own: the lowest free one
 * from 1. @see drm_syncobj_get_handle()
 */
export function drmSyncobjGetHandle(file: DrmFile, syncobj: DrmSyncobj): number {
  return idrAlloc(file.syncobjs, drmSyncobjGet(syncobj));
}

/** Puts every handle of a closing file. @see drm_syncobj_release() */
export function* drmSyncobjRelease(file: DrmFile): Task<void> {
  for (const [handle, syncobj] of [...file.syncobjs]) {
    const writes = (): KStruct[] => [file, ...drmSyncobjObjects(syncobj)];
    yield lookupStep("drm_syncobj_release", () => ({ reads: [], writes: writes() }));
    file.syncobjs.delete(handle);
    yield* drmSyncobjPut(syncobj);
  }
}

/** The syncobj and its fence, if any, as a footprint (nothing for no syncobj). */
export function drmSyncobjObjects(syncobj: DrmSyncobj | undefined): KStruct[] {
  if (syncobj === undefined) return [];
  return syncobj.fence === null ? [syncobj] : [syncobj, syncobj.fence];
}

/** @see drm_syncobj_file_release() */
function* drmSyncobjFileRelease(file: KFile): Task<void> {
  const syncobj = syncobjOfFile(file);
  assert(syncobj !== null, `Cannot release ${file.path}: not a syncobj file`);
  const writes = (): KStruct[] => drmSyncobjObjects(syncobj);
  yield lookupStep("drm_syncobj_file_release", () => ({ reads: [], writes: writes() }));
  yield* drmSyncobjPut(syncobj);
}

const drmSyncobjFileFops: FileOps = { name: "syncobj_file", release: drmSyncobjFileRelease };

/** The syncobj behind a syncobj fd's file, or null if the file is something else. */
export function syncobjOfFile(file: KFile): DrmSyncobj | null {
  const s = file.privateData;
  return file.ops === drmSyncobjFileFops && s instanceof DrmSyncobj ? s : null;
}

/**
 * A new syncobj fd of the calling process, holding a reference to `syncobj`.
 * @see drm_syncobj_get_fd()
 */
export function drmSyncobjGetFd(file: DrmFile, syncobj: DrmSyncobj): Fd {
  const kernel = file.dev.kernel;
  const pid = currentProcess(kernel).pid;
  const kfile = anonInodeGetFile(kernel, "syncobj_file", "syncobj", drmSyncobjFileFops, pid, syncobj);
  kfile.privateData = drmSyncobjGet(syncobj);
  return fdInstall(kernel, kfile, O_CLOEXEC);
}
