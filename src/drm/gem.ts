/**
 * GEM objects as far as the lifetime contract needs them: per-file handles, references, fake
 * mmap offsets and drm_gem_mmap(). What backs an object and how its mappings fault is not the
 * core's business: each object carries the functions of its memory manager
 * (drm_gem_object_funcs: free, mmap, vm_ops, export), and drm_gem_mmap() calls them. The
 * memory managers are helpers a driver picks, each in its own file: gem_vram.ts (TTM-like
 * device memory, the dummy page after unplug), gem_shmem.ts (system memory that survives
 * unplug) and gem_dma.ts (DMA memory mapped at mmap time, SIGBUS after unplug).
 *
 * A new mmap of an unplugged device fails with ENODEV in mainline (R46); under the uapi-doc
 * profile it succeeds and faults like any mapping of the gone device (D6, the
 * mmapAfterUnplug variant).
 *
 * @see drivers/gpu/drm/drm_gem.c, drm_vma_manager.c; struct drm_gem_object_funcs in
 *      include/drm/drm_gem.h
 */
import {
  dmaBufPut, PAGE_SHIFT, PAGE_SIZE, variant, type DmaBuf, type DmaBufAttachment, type KFile,
  type Vma, type VmOps,
} from "../base/mod.js";
import { assert, embeddedStruct, KObject, Kref, krefGet, krefPut, lookupStep, step, type Allocation, type Task } from "../kernel/mod.js";
import { fail, ok, type DRM_IOCTL_GEM_CLOSE, type ErrnoName, type IoctlIn, type IoctlOutOf, type SysResult } from "../uapi/mod.js";
import { drmDevIsUnplugged, type DrmDevice } from "./device.js";
import { DRIVER_GEM, drmCoreCheckFeature } from "./drm_driver.js";
import { drmFileOf, type DrmFile } from "./file.js";
import { idrAlloc } from "./idr.js";
import { drmmAddAction } from "./managed.js";
import { drmPrimeRemoveBufHandle } from "./prime_file.js";
import { DrmVmaOffsetManager } from "./vma_offset.js";

/** DRM_FILE_PAGE_OFFSET_START on 64-bit: fake offsets start at 4 GiB. */
export const DRM_FILE_PAGE_OFFSET_START = 0x100000n;
const DRM_FILE_PAGE_OFFSET_SIZE = 0x100000n * 256n;

export class GemState {
  /** Offset nodes by first page, for drm_vma_offset_lookup. */
  readonly nodes = new DrmVmaOffsetManager<GemObject>(DRM_FILE_PAGE_OFFSET_START, DRM_FILE_PAGE_OFFSET_SIZE);
}
embeddedStruct(GemState);

/**
 * What a memory manager gives its objects, called by the core (struct drm_gem_object_funcs).
 * Other helpers add hooks here as they need them, as Linux's table has more than these.
 */
export interface DrmGemObjectFuncs {
  /** The C name of the table, e.g. "drm_gem_shmem_funcs". */
  readonly name: string;
  /**
   * Frees the backing storage and the object, at the last reference; calls
   * drmGemObjectRelease(). Runs after the step "drm_gem_object_free", which declares the
   * object and its device. @see drm_gem_object_funcs.free
   */
  free(obj: GemObject): Task<void>;
  /**
   * Sets up a new mapping of the object (drm_gem_mmap_obj() has already set vma.ops to
   * `vmOps` and vma.privateData to the object, and holds a reference for the mapping): may set
   * other vm_ops, and insert page-table entries at once. Runs inside the step of drm_gem_mmap,
   * which declares the object and the VMA. @see drm_gem_object_funcs.mmap
   */
  mmap?(obj: GemObject, vma: Vma): 0 | ErrnoName;
  /** The vm_operations_struct of the object's mappings. @see drm_gem_object_funcs.vm_ops */
  readonly vmOps?: VmOps;
  /**
   * Exports the object as a new dma-buf with file flags `flags` (for PRIME_HANDLE_TO_FD);
   * absent: the core's default export, drmGemPrimeExport() (src/drm/prime_dmabuf.ts). Runs
   * inside the step of drm_gem_prime_handle_to_fd, which declares the object and its device.
   * @see drm_gem_object_funcs.export
   */
  readonly export?: (obj: GemObject, flags: number) => SysResult<DmaBuf>;
  /**
   * The object's pages for another device that imports its dma-buf (a scatter list). Without
   * it the object cannot be attached to another device (ENOSYS), as Linux's VRAM-helper
   * objects cannot. @see drm_gem_object_funcs.get_sg_table
   */
  readonly getSgTable?: (obj: GemObject) => SysResult<readonly Uint8Array[]>;
}

/**
 * struct drm_gem_object: the part of a buffer object every memory manager shares. A memory
 * manager's object extends it (as drm_gem_shmem_object embeds it) and gives it its funcs.
 */
export class GemObject extends KObject {
  static readonly fixedFields = ["ref", "dev", "sizeBytes", "funcs"];
  readonly ref: Kref;
  handleCount = 0;
  /**
   * The backing pages by index, kept by the memory manager: VRAM (device memory), shmem pages
   * (system memory) or views of one DMA buffer. A page never touched is absent and reads as
   * zeros; what a device reads of the buffer is here.
   */
  readonly pages = new Map<number, Uint8Array>();
  vmaStartPage: bigint | null = null;
  /** Files allowed to mmap the object (drm_vma_node_allow). */
  readonly allowed = new Set<DrmFile>();
  /**
   * obj->dma_buf: the dma-buf this object was exported as or imported from, held (a
   * reference) while the object has handles. @see src/drm/prime.ts
   */
  dmaBuf: DmaBuf | null = null;
  /** obj->import_attach: an object imported from another device's dma-buf is attached to it. */
  importAttach: DmaBufAttachment | null = null;
  constructor(
    mem: Allocation,
    readonly dev: DrmDevice,
    readonly sizeBytes: number,
    readonly funcs: DrmGemObjectFuncs,
  ) {
    super(dev.sim, mem);
    assert(sizeBytes > 0 && sizeBytes % PAGE_SIZE === 0, `Cannot make a GEM object of ${sizeBytes} bytes: not a positive number of pages`);
    this.ref = new Kref(dev.sim, this);
  }
}

export function drmGemInit(dev: DrmDevice): 0 | ErrnoName {
  dev.gem = new GemState();
  return drmmAddAction(dev, "drm_gem_init_release", () => {
    dev.gem = null;
  });
}

/**
 * The memory of a new GEM object. Every memory manager's object is counted as a
 * "drm_gem_object" (the struct they all embed), whatever its container struct.
 */
export function drmGemObjectAlloc(dev: DrmDevice, sizeBytes: number): Allocation {
  return dev.sim.alloc("drm_gem_object", { label: `gem ${sizeBytes}B (${dev.label})`, sizeBytes, owner: dev });
}

export function drmGemObjectGet(obj: GemObject): void {
  krefGet(obj.ref);
}

/** Drops a reference; the last one frees the object through its memory manager. */
export function* drmGemObjectPut(obj: GemObject): Task<void> {
  yield* krefPut(obj.ref, function* () {
    yield step("drm_gem_object_free", [], [obj, obj.dev]);
    yield* obj.funcs.free(obj);
  });
}

/**
 * What every memory manager's free does for the core's part: the fake offset goes, then the
 * object's memory (`fn` is the C function that frees it). The caller's step declares the
 * object and its device.
 * @see drm_gem_object_release(), drm_gem_free_mmap_offset()
 */
export function drmGemObjectRelease(obj: GemObject, fn: string): void {
  assert(obj.handleCount === 0, `Cannot release ${obj.mem.label}: it still has handles`);
  if (obj.vmaStartPage !== null) obj.dev.gem?.nodes.delete(obj.vmaStartPage);
  obj.dev.sim.free(obj.mem, fn);
}

/**
 * Creates a handle (lowest free, from 1) for `obj` in `file`; the handle holds a reference,
 * and lets the file mmap the object (drm_vma_node_allow()).
 * @see drm_gem_handle_create_tail()
 */
export function drmGemHandleCreate(file: DrmFile, obj: GemObject): number {
  assert(obj.dev === file.dev, `Cannot create a handle for ${obj.mem.label} in a file of another device`);
  const handle = idrAlloc(file.handles, obj);
  obj.handleCount++;
  obj.allowed.add(file);
  drmGemObjectGet(obj);
  assert(obj.handleCount <= obj.ref.count, `Cannot count handles of ${obj.mem.label}: more handles than references`);
  return handle;
}

/** Drops a handle and its reference; EINVAL for a handle the file does not have. @see drm_gem_handle_delete() */
export function* drmGemHandleDelete(file: DrmFile, handle: number): Task<SysResult<0>> {
  yield lookupStep("drm_gem_handle_delete", () => {
    const found = file.handles.get(handle);
    return { reads: [], writes: found === undefined ? [file] : [file, found] };
  });
  const obj = file.handles.get(handle);
  if (obj === undefined) return fail("EINVAL");
  file.handles.delete(handle);
  assert(obj.handleCount > 0, `Cannot delete handle ${handle} of ${obj.mem.label}: its handle count is already 0`);
  const prime = drmPrimeRemoveBufHandle(file.prime, handle);
  obj.handleCount--;
  // drm_vma_node_revoke(). A file holds at most one handle of an object in the model (no
  // GEM_OPEN; a PRIME import into a file that has a handle finds that handle), so the revoke
  // always ends the file's right to map it.
  obj.allowed.delete(file);
  // The last handle: the object lets go of its dma-buf. @see drm_gem_object_exported_dma_buf_free()
  const exported = obj.handleCount === 0 ? obj.dmaBuf : null;
  if (exported !== null) obj.dmaBuf = null;
  if (prime !== null) yield* dmaBufPut(prime);
  if (exported !== null) yield* dmaBufPut(exported);
  if (prime !== null || exported !== null) yield step("drm_gem_handle_delete", [], [obj]);
  yield* drmGemObjectPut(obj);
  return ok(0);
}

/** GEM_CLOSE: drops one handle of the calling file. @see drm_gem_close_ioctl() */
export function* drmGemCloseIoctl(file: DrmFile, arg: IoctlIn<typeof DRM_IOCTL_GEM_CLOSE>): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_GEM_CLOSE>>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_GEM)) return fail("EOPNOTSUPP");
  const r = yield* drmGemHandleDelete(file, arg.handle);
  return r.ok ? ok({}) : fail(r.errno);
}

/** Releases every handle of a closing file. @see drm_gem_release() */
export function* drmGemRelease(file: DrmFile): Task<void> {
  for (const handle of [...file.handles.keys()]) yield* drmGemHandleDelete(file, handle);
}

/**
 * Gives the object a fake offset in the device's offset space, once: the lowest gap that
 * fits (vma_offset.ts). -1n when the space is full (ENOSPC).
 * @see drm_gem_create_mmap_offset(), drm_vma_offset_add()
 */
export function drmGemCreateMmapOffset(obj: GemObject): bigint {
  const gem = obj.dev.gem;
  if (obj.vmaStartPage === null && gem !== null) {
    const start = gem.nodes.add(obj, obj.sizeBytes / PAGE_SIZE);
    if (start === null) return -1n;
    obj.vmaStartPage = start;
  }
  return (obj.vmaStartPage ?? 0n) << BigInt(PAGE_SHIFT);
}

/**
 * A new object of `sizeBytes` rounded up to whole pages, built by `make` (the memory manager's
 * object, or a driver's through its gem_create_object hook), with its fake mmap offset; ENOSPC
 * when the device's offset space is full, the object released in `fn`'s name.
 * @see drm_gem_shmem_create(), drm_gem_dma_create(): the part they share
 */
export function drmGemObjectCreateWithOffset<T extends GemObject>(
  dev: DrmDevice,
  sizeBytes: number,
  make: (mem: Allocation, dev: DrmDevice, sizeBytes: number) => T,
  fn: string,
): T | "ENOSPC" {
  assert(sizeBytes > 0, `Cannot create a GEM object of ${sizeBytes} bytes in ${fn}`);
  const size = Math.ceil(sizeBytes / PAGE_SIZE) * PAGE_SIZE;
  const obj = make(drmGemObjectAlloc(dev, size), dev, size);
  if (drmGemCreateMmapOffset(obj) >= 0n) return obj;
  obj.pages.clear();
  drmGemObjectRelease(obj, fn);
  return "ENOSPC";
}

/**
 * mmap of a GEM object by its fake offset: ENODEV once the device is unplugged (R46), unless
 * the uapi-doc profile lets it through (D6); EINVAL for no object there or a mapping longer
 * than the object, EACCES for an object the file has no handle for.
 * @see drm_gem_mmap()
 */
export function* drmGemMmap(kfile: KFile, vma: Vma): Task<SysResult<0>> {
  const file = drmFileOf(kfile);
  const dev = file.dev;
  yield lookupStep("drm_gem_mmap", () => {
    const found = dev.gem?.nodes.get(vma.pgoff);
    return { reads: [dev, file], writes: found === undefined ? [dev.unplugSrcu, vma] : [dev.unplugSrcu, vma, found] };
  });
  if (drmDevIsUnplugged(dev) && variant(dev.kernel.profile, "mmapAfterUnplug") === "ENODEV") return fail("ENODEV");
  const obj = dev.gem?.nodes.get(vma.pgoff);
  if (obj === undefined) return fail("EINVAL");
  if (!obj.allowed.has(file)) return fail("EACCES");
  const err = drmGemMmapObj(obj, vma);
  return err === 0 ? ok(0) : fail(err);
}

/**
 * Sets up a mapping of `obj`: the VMA holds a reference on the object (dropped by
 * drm_gem_vm_close()), its ops are the memory manager's, and the manager's mmap runs. The
 * caller's step declares the object and the VMA (drm_gem_mmap's, or a dma-buf's mmap).
 * @see drm_gem_mmap_obj()
 */
export function drmGemMmapObj(obj: GemObject, vma: Vma): 0 | ErrnoName {
  if (vma.length > obj.sizeBytes) return "EINVAL";
  const funcs = obj.funcs;
  vma.privateData = obj;
  vma.ops = funcs.vmOps ?? null;
  const err = funcs.mmap !== undefined ? funcs.mmap(obj, vma) : vma.ops === null ? "EINVAL" : 0;
  if (err !== 0) {
    vma.privateData = null;
    vma.ops = null;
    return err;
  }
  // The VMA holds the object (Linux takes the reference first and drops it on failure).
  drmGemObjectGet(obj);
  return 0;
}

/**
 * `obj` as the memory manager's own object (to_drm_gem_shmem_obj() and the like): an object
 * another manager made is a model bug.
 */
export function gemObjectAs<T extends GemObject>(obj: GemObject, cls: abstract new (...args: never[]) => T): T {
  if (!(obj instanceof cls)) assert(false, `Cannot use ${obj.mem.label} as a ${cls.name}: another memory manager made it`);
  return obj;
}

/** The GEM object a mapping made by drm_gem_mmap() holds (vma->vm_private_data). */
export function gemOfVma(vma: Vma): GemObject {
  const obj = vma.privateData;
  if (!(obj instanceof GemObject)) assert(false, `Cannot use the mapping at 0x${vma.start.toString(16)} as a GEM mapping: no GEM object`);
  return obj;
}

/** The mapping's reference on the object goes. @see drm_gem_vm_close() */
export function* drmGemVmClose(vma: Vma): Task<void> {
  const obj = gemOfVma(vma);
  yield step("drm_gem_vm_close", [vma], [obj]);
  yield* drmGemObjectPut(obj);
}
