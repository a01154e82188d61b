/**
 * System memory: GEM objects backed by shmem pages, as the GEM shmem helper makes them (the
 * model's virtio-gpu uses it). The pages are ordinary system RAM owned by the object, not by
 * the device, so they outlive an unplug: the fault handler has no unplug check and, after
 * drm_dev_unplug() zapped the mappings, maps the same pages again. A mapping keeps reading
 * what was written before the device went away, and writes keep landing in the object (R52).
 * The pages go when the object's last reference does.
 *
 * @see drivers/gpu/drm/drm_gem_shmem_helper.c: drm_gem_shmem_create(), drm_gem_shmem_mmap(),
 *      drm_gem_shmem_fault(), drm_gem_shmem_free()
 */
import { PAGE_SIZE, vmfInsertPage, type FaultResult, type Vma, type VmOps } from "../base/mod.js";
import { step, type Allocation, type Task } from "../kernel/mod.js";
import type { DrmDevice } from "./device.js";
import {
  drmGemObjectCreateWithOffset,
  drmGemObjectRelease,
  drmGemVmClose,
  gemObjectAs,
  gemOfVma,
  GemObject,
  type DrmGemObjectFuncs,
} from "./gem.js";
import { drmGemPrimeGetPages } from "./prime_dmabuf.js";

/**
 * struct drm_gem_shmem_object: a GEM object whose pages (GemObject.pages) are the shmem
 * file's, made on first touch (zeroed, as shmem gives them).
 */
export class DrmGemShmemObject extends GemObject {
  constructor(mem: Allocation, dev: DrmDevice, sizeBytes: number, funcs: DrmGemObjectFuncs) {
    super(mem, dev, sizeBytes, funcs);
  }
}

/** Makes the memory-manager object a driver wants (its gem_create_object hook). */
export type ShmemObjectMaker<T extends DrmGemShmemObject> = (
  mem: Allocation,
  dev: DrmDevice,
  sizeBytes: number,
) => T;

/** The mappings' operations: the shmem fault handler; drm_gem_vm_close() drops the reference. */
export const drmGemShmemVmOps: VmOps = {
  name: "drm_gem_shmem_vm_ops",
  fault: drmGemShmemFault,
  close: drmGemVmClose,
};

/**
 * The helper's own object functions, for a driver that adds none. No mmap hook: what
 * drm_gem_shmem_mmap() does in the model, setting these vm_ops, drm_gem_mmap_obj() does.
 * @see drm_gem_shmem_funcs
 */
export const drmGemShmemFuncs: DrmGemObjectFuncs = {
  name: "drm_gem_shmem_funcs",
  free: drmGemShmemFree,
  vmOps: drmGemShmemVmOps,
  getSgTable: drmGemPrimeGetPages, // drm_gem_shmem_object_get_sg_table()
};

/**
 * A new shmem object of `sizeBytes` rounded up to whole pages, with its fake mmap offset;
 * ENOSPC when the device's offset space is full. `make` builds the driver's object (its
 * gem_create_object hook).
 * @see drm_gem_shmem_create(), __drm_gem_shmem_create()
 */
export function drmGemShmemCreate<T extends DrmGemShmemObject>(
  dev: DrmDevice,
  sizeBytes: number,
  make: ShmemObjectMaker<T>,
): T | "ENOSPC" {
  return drmGemObjectCreateWithOffset(dev, sizeBytes, make, "drm_gem_shmem_create");
}

/** The pages go with the object. @see drm_gem_shmem_free() */
export function* drmGemShmemFree(obj: GemObject): Task<void> {
  const shmem = gemObjectAs(obj, DrmGemShmemObject);
  shmem.pages.clear(); // drm_gem_shmem_put_pages()
  drmGemObjectRelease(shmem, "drm_gem_shmem_free");
}

/**
 * Inserts the object's page, whether or not the device is still there: no drm_dev_enter(),
 * so a mapping zapped by the unplug gets the same page back. SIGBUS past the object's end.
 */
function* drmGemShmemFault(vma: Vma, pageIndex: number): Task<FaultResult> {
  const shmem = gemObjectAs(gemOfVma(vma), DrmGemShmemObject);
  yield step("drm_gem_shmem_fault", [], [shmem, vma]);
  if (pageIndex >= shmem.sizeBytes / PAGE_SIZE) return { ok: false, result: "SIGBUS" };
  return vmfInsertPage(vma, pageIndex, shmem.pages);
}
