/**
 * DMA memory: GEM objects in one contiguous DMA allocation, as the GEM DMA helper makes them
 * (many SoC and tiny display drivers use it). mmap inserts every page of the mapping at once
 * (dma_mmap_wc() remaps the whole buffer), so the mappings have no fault handler. When
 * drm_dev_unplug() zaps them, nothing can map the pages again: the next access faults with
 * no handler to call, and the program gets SIGBUS, contrary to the uAPI documentation (D7,
 * R53). The model's vdisp-dma driver uses this helper to show that path.
 *
 * @see drivers/gpu/drm/drm_gem_dma_helper.c: drm_gem_dma_create(), drm_gem_dma_mmap(),
 *      drm_gem_dma_free(), drm_gem_dma_dumb_create()
 */
import { PAGE_SIZE, type Vma, type VmOps } from "../base/mod.js";
import { assert, step, type Allocation, type Task } from "../kernel/mod.js";
import { fail, ok } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { mulU32, type DumbCreateArgs, type DumbCreateResult } from "./dumb_buffers.js";
import type { DrmFile } from "./file.js";
import {
  drmGemObjectCreateWithOffset,
  drmGemHandleCreate,
  drmGemObjectPut,
  drmGemObjectRelease,
  drmGemVmClose,
  gemObjectAs,
  GemObject,
  type DrmGemObjectFuncs,
} from "./gem.js";
import { drmGemPrimeGetPages } from "./prime_dmabuf.js";

/**
 * struct drm_gem_dma_object: a GEM object in one contiguous DMA buffer (dma_alloc_wc()'s
 * vaddr), allocated with the object, zeroed; its pages (GemObject.pages) are views of it.
 */
export class DrmGemDmaObject extends GemObject {
  constructor(mem: Allocation, dev: DrmDevice, sizeBytes: number) {
    super(mem, dev, sizeBytes, drmGemDmaDefaultFuncs);
    const vaddr = new Uint8Array(sizeBytes);
    for (let i = 0; i < sizeBytes / PAGE_SIZE; i++) {
      this.pages.set(i, vaddr.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
    }
  }
}

/** Only the reference of each mapping: there is no fault handler. @see drm_gem_dma_vm_ops */
const drmGemDmaVmOps: VmOps = {
  name: "drm_gem_dma_vm_ops",
  close: drmGemVmClose,
};

/** @see drm_gem_dma_default_funcs */
const drmGemDmaDefaultFuncs: DrmGemObjectFuncs = {
  name: "drm_gem_dma_default_funcs",
  free: drmGemDmaFree,
  mmap: drmGemDmaMmap,
  vmOps: drmGemDmaVmOps,
  getSgTable: drmGemPrimeGetPages, // drm_gem_dma_object_get_sg_table()
};

/**
 * A new DMA object of `sizeBytes` rounded up to whole pages, with its fake mmap offset;
 * ENOSPC when the device's offset space is full. @see drm_gem_dma_create()
 */
export function drmGemDmaCreate(dev: DrmDevice, sizeBytes: number): DrmGemDmaObject | "ENOSPC" {
  const make = (mem: Allocation, d: DrmDevice, size: number) => new DrmGemDmaObject(mem, d, size);
  return drmGemObjectCreateWithOffset(dev, sizeBytes, make, "drm_gem_dma_create");
}

/** The buffer goes with the object. @see drm_gem_dma_free() */
function* drmGemDmaFree(obj: GemObject): Task<void> {
  const dma = gemObjectAs(obj, DrmGemDmaObject);
  dma.pages.clear(); // dma_free_wc()
  drmGemObjectRelease(dma, "drm_gem_dma_free");
}

/**
 * Maps the whole buffer now, every page of the VMA, as dma_mmap_wc() (remap_pfn_range())
 * does: nothing faults later, and nothing can map a page again once it is zapped.
 * @see drm_gem_dma_mmap()
 */
function drmGemDmaMmap(obj: GemObject, vma: Vma): 0 {
  const dma = gemObjectAs(obj, DrmGemDmaObject);
  for (let i = 0; i < vma.pages; i++) {
    const page = dma.pages.get(i);
    assert(page !== undefined, `Cannot map page ${i} of ${obj.mem.label}: its DMA buffer is freed`);
    vma.ptes.set(i, page);
  }
  return 0;
}

/**
 * dumb_create for DMA buffers: pitch = width x bpp bits in whole bytes, size = pitch x
 * height (given back unrounded; the object itself is whole pages).
 * @see drm_gem_dma_dumb_create(), drm_gem_dma_create_with_handle()
 */
export function* drmGemDmaDumbCreate(file: DrmFile, arg: DumbCreateArgs): Task<DumbCreateResult> {
  // The new object's offset goes into the device's offset space, its handle into the file.
  yield step("drm_gem_dma_dumb_create", [], [file, file.dev]);
  const pitch = Math.ceil(mulU32(arg.width, arg.bpp) / 8);
  const size = mulU32(pitch, arg.height);
  if (size === 0) return fail("EINVAL");
  const obj = drmGemDmaCreate(file.dev, size);
  if (typeof obj === "string") return fail(obj);
  const handle = drmGemHandleCreate(file, obj);
  yield* drmGemObjectPut(obj); // the handle keeps it
  return ok({ handle, pitch, size: BigInt(size) });
}
