/**
 * Device memory: GEM objects in (simulated) VRAM, managed the way TTM manages them for the
 * VRAM helper (bochs and the model's vdisp use it). A mapping faults in the object's VRAM pages
 * while the device is there; once it is unplugged, the fault handler cannot enter the device
 * and maps one zeroed dummy page at every page of the VMA instead (R47-R49): no SIGBUS, reads
 * give zeros or what was last written to the dummy page, writes land there and never reach
 * the device. The dummy page belongs to the drm_device (freed at the final put, R50); when it
 * cannot be allocated or tied to the device the fault is VM_FAULT_OOM (R51).
 *
 * @see drivers/gpu/drm/drm_gem_vram_helper.c; ttm_bo_vm_fault(), ttm_bo_vm_dummy_page() in
 *      drivers/gpu/drm/ttm/ttm_bo_vm.c
 */
import { PAGE_SIZE, vmfInsertPage, type FaultResult, type Vma, type VmOps } from "../base/mod.js";
import { assert, step, type Allocation, type Task } from "../kernel/mod.js";
import { fail, ok } from "../uapi/mod.js";
import { drmDevEnter, drmDevExit, type DrmDevice } from "./device.js";
import type { DumbCreateArgs, DumbCreateResult } from "./dumb_buffers.js";
import type { DrmFile } from "./file.js";
import {
  drmGemHandleCreate,
  drmGemObjectAlloc,
  drmGemObjectPut,
  drmGemObjectRelease,
  drmGemVmClose,
  gemObjectAs,
  gemOfVma,
  GemObject,
  type DrmGemObjectFuncs,
} from "./gem.js";
import { drmmAddActionOrReset } from "./managed.js";

/** struct drm_gem_vram_object: a GEM object whose pages are in the device's VRAM. */
export class DrmGemVramObject extends GemObject {
  constructor(mem: Allocation, dev: DrmDevice, sizeBytes: number) {
    super(mem, dev, sizeBytes, drmGemVramObjectFuncs);
  }
}

/** The mappings' operations: TTM's fault handler, and drm_gem_vm_close() for the reference. */
const ttmBoVmOps: VmOps = {
  name: "ttm_bo_vm_ops",
  fault: ttmBoVmFault,
  close: drmGemVmClose,
};

/**
 * No mmap hook: what drm_gem_ttm_mmap() does in the model, setting TTM's vm_ops,
 * drm_gem_mmap_obj() does. @see drm_gem_vram_object_funcs
 */
const drmGemVramObjectFuncs: DrmGemObjectFuncs = {
  name: "drm_gem_vram_object_funcs",
  free: drmGemVramObjectFree,
  vmOps: ttmBoVmOps,
};

/** The VRAM goes with the object. @see drm_gem_vram_object_free(), ttm_bo_release() */
function* drmGemVramObjectFree(obj: GemObject): Task<void> {
  const bo = gemObjectAs(obj, DrmGemVramObject);
  bo.pages.clear();
  drmGemObjectRelease(bo, "drm_gem_vram_object_free");
}

/** Maps the object's VRAM page while the device lives; afterwards one dummy page everywhere. */
function* ttmBoVmFault(vma: Vma, pageIndex: number): Task<FaultResult> {
  const bo = gemObjectAs(gemOfVma(vma), DrmGemVramObject);
  const inside = Number.isInteger(pageIndex) && pageIndex >= 0 && pageIndex < vma.pages;
  assert(inside, `Cannot fault page ${pageIndex} of a ${vma.pages}-page mapping`);
  const dev = bo.dev;
  yield step("ttm_bo_vm_fault", [dev], [bo, vma, dev.unplugSrcu]);
  const token = drmDevEnter(dev);
  if (token === null) return yield* ttmBoVmDummyPage(vma, dev);
  try {
    return vmfInsertPage(vma, pageIndex, bo.pages);
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
  const label = `dummy page (${dev.label})`;
  const mem = dev.sim.alloc("page", { label, sizeBytes: PAGE_SIZE, owner: dev });
  const release = (): void => dev.sim.free(mem, "ttm_bo_release_dummy_page");
  const err = yield* drmmAddActionOrReset(dev, "ttm_bo_release_dummy_page", release);
  if (err !== 0) return { ok: false, result: "OOM" };
  const page = new Uint8Array(PAGE_SIZE);
  for (let i = 0; i < vma.pages; i++) vma.ptes.set(i, page);
  return { ok: true, page };
}

/**
 * A driver's dumb_create for buffers in VRAM: pitch = width times whole bytes per pixel, the
 * size page-aligned; a new object whose only reference is the new handle.
 * @see drm_gem_vram_driver_dumb_create(), drm_gem_vram_fill_create_dumb()
 */
export function* drmGemVramDriverDumbCreate(
  file: DrmFile,
  arg: DumbCreateArgs,
): Task<DumbCreateResult> {
  const pitch = arg.width * Math.ceil(arg.bpp / 8);
  const size = Math.ceil((pitch * arg.height) / PAGE_SIZE) * PAGE_SIZE;
  if (size === 0) return fail("EINVAL");
  const dev = file.dev;
  const obj = new DrmGemVramObject(drmGemObjectAlloc(dev, size), dev, size);
  const handle = drmGemHandleCreate(file, obj);
  yield* drmGemObjectPut(obj); // the handle keeps it
  return ok({ handle, pitch, size: BigInt(size) });
}
