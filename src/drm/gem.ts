/**
 * GEM objects as far as the lifetime contract needs them: dumb buffers, per-file handles,
 * fake mmap offsets, mmap, and a TTM-style fault handler that maps one zeroed dummy page over
 * the whole VMA once the device is unplugged (R47-R50).
 *
 * @see drivers/gpu/drm/drm_gem.c, drm_vma_manager.c; ttm_bo_vm_fault(),
 *      ttm_bo_vm_dummy_page() in drivers/gpu/drm/ttm/ttm_bo_vm.c
 */
import { PAGE_SHIFT, PAGE_SIZE, type FaultResult, type KFile, type Vma, type VmOps } from "../base/mod.js";
import { assert, embeddedStruct, KObject, Kref, krefGet, krefPut, lookupStep, step, type Allocation, type Task } from "../kernel/mod.js";
import { fail, ok, type DRM_IOCTL_GEM_CLOSE, type ErrnoName, type IoctlIn, type IoctlOutOf, type SysResult } from "../uapi/mod.js";
import { drmDevEnter, drmDevExit, type DrmDevice } from "./device.js";
import { DRIVER_GEM, drmCoreCheckFeature } from "./drm_driver.js";
import { drmFileOf, type DrmFile } from "./file.js";
import { idrAlloc } from "./idr.js";
import { drmmAddAction, drmmAddActionOrReset } from "./managed.js";
import { DrmVmaOffsetManager } from "./vma_offset.js";

/** DRM_FILE_PAGE_OFFSET_START on 64-bit: fake offsets start at 4 GiB. */
export const DRM_FILE_PAGE_OFFSET_START = 0x100000n;
const DRM_FILE_PAGE_OFFSET_SIZE = 0x100000n * 256n;

export class GemState {
  /** Offset nodes by first page, for drm_vma_offset_lookup. */
  readonly nodes = new DrmVmaOffsetManager<GemObject>(DRM_FILE_PAGE_OFFSET_START, DRM_FILE_PAGE_OFFSET_SIZE);
}
embeddedStruct(GemState);

export class GemObject extends KObject {
  static readonly fixedFields = ["ref", "dev", "sizeBytes"];
  readonly ref: Kref;
  handleCount = 0;
  /** Backing pages by index, created on first touch (VRAM in the TTM model). */
  readonly pages = new Map<number, Uint8Array>();
  vmaStartPage: bigint | null = null;
  /** Files allowed to mmap the object (drm_vma_node_allow). */
  readonly allowed = new Set<DrmFile>();
  constructor(mem: Allocation, readonly dev: DrmDevice, readonly sizeBytes: number) {
    super(dev.sim, mem);
    this.ref = new Kref(dev.sim, this);
  }
}

export function drmGemInit(dev: DrmDevice): 0 | ErrnoName {
  dev.gem = new GemState();
  return drmmAddAction(dev, "drm_gem_init_release", () => {
    dev.gem = null;
  });
}

export function drmGemObjectInit(dev: DrmDevice, sizeBytes: number): GemObject {
  const mem = dev.sim.alloc("drm_gem_object", { label: `gem ${sizeBytes}B (${dev.label})`, sizeBytes, owner: dev });
  return new GemObject(mem, dev, sizeBytes);
}

export function drmGemObjectGet(obj: GemObject): void {
  krefGet(obj.ref);
}

export function* drmGemObjectPut(obj: GemObject): Task<void> {
  yield* krefPut(obj.ref, function* () {
    yield step("drm_gem_object_free", [], [obj, obj.dev]);
    if (obj.vmaStartPage !== null) obj.dev.gem?.nodes.delete(obj.vmaStartPage);
    obj.dev.sim.free(obj.mem, "drm_gem_object_free");
  });
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
  obj.handleCount--;
  // drm_vma_node_revoke(). A file holds at most one handle of an object in the model (no
  // GEM_OPEN or PRIME import), so the revoke always ends the file's right to map it.
  obj.allowed.delete(file);
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
 * mmap of a GEM object by its fake offset. ENODEV on an unplugged device (R46, D6).
 * @see drm_gem_mmap()
 */
export function* drmGemMmap(kfile: KFile, vma: Vma): Task<SysResult<0>> {
  const file = drmFileOf(kfile);
  const dev = file.dev;
  yield lookupStep("drm_gem_mmap", () => {
    const found = dev.gem?.nodes.get(vma.pgoff);
    return { reads: [dev, file], writes: found === undefined ? [dev.unplugSrcu, vma] : [dev.unplugSrcu, vma, found] };
  });
  const token = drmDevEnter(dev);
  if (token === null) return fail("ENODEV");
  try {
    const obj = dev.gem?.nodes.get(vma.pgoff);
    if (obj === undefined) return fail("EINVAL");
    if (!obj.allowed.has(file)) return fail("EACCES");
    if (vma.length > obj.sizeBytes) return fail("EINVAL");
    drmGemObjectGet(obj); // the VMA holds the object. @see drm_gem_vm_open()
    vma.privateData = obj;
    vma.ops = ttmVmOps;
    return ok(0);
  } finally {
    drmDevExit(dev, token);
  }
}

/** The GEM object a mapping made by drm_gem_mmap() holds (vma->vm_private_data). */
function gemOfVma(vma: Vma): GemObject {
  const obj = vma.privateData;
  if (!(obj instanceof GemObject)) assert(false, `Cannot use the mapping at 0x${vma.start.toString(16)} as a GEM mapping: no GEM object`);
  return obj;
}

const ttmVmOps: VmOps = {
  name: "ttm_bo_vm_ops",
  fault: ttmBoVmFault,
  close: drmGemVmClose,
};

/** The mapping's reference on the object goes. @see drm_gem_vm_close() */
function* drmGemVmClose(vma: Vma): Task<void> {
  const obj = gemOfVma(vma);
  yield step("drm_gem_vm_close", [vma], [obj]);
  yield* drmGemObjectPut(obj);
}

/** Maps the object's page while the device lives; afterwards one dummy page everywhere. */
function* ttmBoVmFault(vma: Vma, pageIndex: number): Task<FaultResult> {
  const obj = gemOfVma(vma);
  assert(Number.isInteger(pageIndex) && pageIndex >= 0 && pageIndex < vma.pages, `Cannot fault page ${pageIndex} of a ${vma.pages}-page mapping`);
  const dev = obj.dev;
  yield step("ttm_bo_vm_fault", [dev], [obj, vma, dev.unplugSrcu]);
  const token = drmDevEnter(dev);
  if (token === null) return yield* ttmBoVmDummyPage(vma, dev);
  try {
    let page = obj.pages.get(pageIndex);
    if (page === undefined) {
      page = new Uint8Array(PAGE_SIZE);
      obj.pages.set(pageIndex, page);
    }
    vma.ptes.set(pageIndex, page); // vmf_insert_pfn()
    return { ok: true, page };
  } finally {
    drmDevExit(dev, token);
  }
}

/**
 * Allocates a zeroed page, ties its lifetime to the drm_device (freed at the final put, R50)
 * and maps it at every page of the VMA (R48). Failure is VM_FAULT_OOM (R51).
 */
function* ttmBoVmDummyPage(vma: Vma, dev: DrmDevice): Task<FaultResult> {
  yield step("ttm_bo_vm_dummy_page", [], [dev, vma]);
  if (dev.kernel.faults.shouldFail("alloc_page")) return { ok: false, result: "OOM" };
  const mem = dev.sim.alloc("page", { label: `dummy page (${dev.label})`, sizeBytes: PAGE_SIZE, owner: dev });
  const err = yield* drmmAddActionOrReset(dev, "ttm_bo_release_dummy_page", () => dev.sim.free(mem, "ttm_bo_release_dummy_page"));
  if (err !== 0) return { ok: false, result: "OOM" };
  const page = new Uint8Array(PAGE_SIZE);
  for (let i = 0; i < vma.pages; i++) vma.ptes.set(i, page);
  return { ok: true, page };
}
