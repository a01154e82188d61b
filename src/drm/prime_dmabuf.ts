/**
 * GEM as a dma-buf exporter (drm_gem_prime_dmabuf_ops): what the dma-buf of a GEM object does
 * when it is mapped, attached to another device, and released.
 *
 * The export takes a reference to the object and one to its drm_device (R14): an open
 * dma-buf keeps the device, and so its minor, after the device is unplugged and every DRM fd
 * is closed. The dma-buf's file shares the device's address space, so its mappings are zapped
 * with the device's at unplug (R54); a new mmap of the dma-buf checks nothing of the device and
 * faults through the object's own fault path (the TTM dummy page after unplug).
 *
 * @see drm_gem_prime_export(), drm_gem_dmabuf_export(), drm_gem_dmabuf_release(),
 *      drm_gem_map_attach(), drm_gem_map_dma_buf(), drm_gem_prime_mmap() in drm_prime.c
 */
import {
  dmaBufExport,
  PAGE_SIZE,
  type DmaBuf,
  type DmaBufAttachment,
  type DmaBufOps,
  type SgTable,
  type Vma,
} from "../base/mod.js";
import { assert, step, type Task } from "../kernel/mod.js";
import { fail, ok, type ErrnoName, type SysResult } from "../uapi/mod.js";
import { drmDevGet, drmDevPut } from "./device.js";
import { drmGemMmapObj, drmGemObjectGet, drmGemObjectPut, GemObject } from "./gem.js";

/** The exporting module's name, as KBUILD_MODNAME gives it in drm_prime.c. */
const DRM_EXP_NAME = "drm";

/** The GEM object behind a dma-buf GEM exported, or null for another exporter's. */
export function gemOfDmaBuf(dmabuf: DmaBuf): GemObject | null {
  const obj = dmabuf.priv;
  return dmabuf.ops === drmGemPrimeDmabufOps && obj instanceof GemObject ? obj : null;
}

function gemFrom(dmabuf: DmaBuf): GemObject {
  const obj = gemOfDmaBuf(dmabuf);
  if (obj === null) assert(false, `Cannot use dma-buf #${dmabuf.ino} as a GEM export`);
  return obj;
}

/**
 * A new dma-buf of `obj` with file flags `flags` (O_RDWR, O_CLOEXEC); it holds the object and
 * its device. The caller's step writes the object and the device.
 * @see drm_gem_prime_export(), drm_gem_dmabuf_export()
 */
export function drmGemPrimeExport(obj: GemObject, flags: number): DmaBuf {
  const dev = obj.dev;
  const dmabuf = dmaBufExport(dev.kernel, {
    expName: DRM_EXP_NAME,
    ops: drmGemPrimeDmabufOps,
    sizeBytes: obj.sizeBytes,
    flags,
    priv: obj,
    owner: obj,
    what: obj.mem.label,
  });
  drmDevGet(dev);
  drmGemObjectGet(obj);
  dmabuf.file.mapping = dev.anonMapping; // dma_buf->file->f_mapping
  return dmabuf;
}

/** The last reference to the dma-buf: it lets go of the object and the device. */
function* drmGemDmabufRelease(dmabuf: DmaBuf): Task<void> {
  const obj = gemFrom(dmabuf);
  const dev = obj.dev;
  yield step("drm_gem_dmabuf_release", [], [obj, dev]);
  yield* drmGemObjectPut(obj);
  yield* drmDevPut(dev);
}

/**
 * Another device attaches: refused with ENOSYS unless the object's memory manager can share
 * its pages (funcs.getSgTable: shmem and DMA objects, not VRAM ones). Pinning is nothing in
 * the model (objects never move). @see drm_gem_map_attach()
 */
function* drmGemMapAttach(dmabuf: DmaBuf, attach: DmaBufAttachment): Task<0 | ErrnoName> {
  const obj = gemFrom(dmabuf);
  yield step("drm_gem_map_attach", [obj.dev, attach], [obj]);
  return obj.funcs.getSgTable === undefined ? "ENOSYS" : 0;
}

/** The object's pages as a scatter list for the attached device. @see drm_gem_map_dma_buf() */
function* drmGemMapDmaBuf(attach: DmaBufAttachment): Task<SysResult<SgTable>> {
  const obj = gemFrom(attach.dmabuf);
  const dev = obj.dev;
  yield step("drm_gem_map_dma_buf", [dev, attach], [obj]);
  const getSgTable = obj.funcs.getSgTable;
  if (getSgTable === undefined) {
    dev.sim.warn(`drm_gem_map_dma_buf: ${obj.mem.label} has no get_sg_table`);
    return fail("ENOSYS");
  }
  const pages = getSgTable(obj);
  if (!pages.ok) return pages;
  const label = `sg_table of dma-buf #${attach.dmabuf.ino} for ${attach.dev.name}`;
  const sizeBytes = pages.value.length * 16; // a scatterlist entry per page
  const mem = dev.sim.alloc("sg_table", { label, sizeBytes, owner: attach });
  return ok({ mem, pages: pages.value });
}

/** @see drm_gem_unmap_dma_buf() */
function* drmGemUnmapDmaBuf(attach: DmaBufAttachment, sgt: SgTable): Task<void> {
  yield step("drm_gem_unmap_dma_buf", [attach]);
  attach.dmabuf.kernel.sim.free(sgt.mem, "drm_gem_unmap_dma_buf");
}

/**
 * mmap() of the dma-buf: the object's own mapping (its fault path), without entering the
 * device, so it works after unplug as on Linux (R54). The model maps an object from its first
 * page only: an offset into the buffer is EINVAL here (Linux accepts it).
 * @see drm_gem_dmabuf_mmap(), drm_gem_prime_mmap()
 */
function* drmGemDmabufMmap(dmabuf: DmaBuf, vma: Vma): Task<SysResult<0>> {
  const obj = gemFrom(dmabuf);
  yield step("drm_gem_prime_mmap", [], [obj, vma]);
  if (vma.pgoff !== 0n) return fail("EINVAL");
  const err = drmGemMmapObj(obj, vma);
  return err === 0 ? ok(0) : fail(err);
}

export const drmGemPrimeDmabufOps: DmaBufOps = {
  name: "drm_gem_prime_dmabuf_ops",
  attach: drmGemMapAttach,
  mapDmaBuf: drmGemMapDmaBuf,
  unmapDmaBuf: drmGemUnmapDmaBuf,
  release: drmGemDmabufRelease,
  mmap: drmGemDmabufMmap,
};

/**
 * A memory manager's getSgTable for objects whose backing another device can use as it is:
 * every page of the object, each made (zeroed) on first use as the fault path makes them.
 * @see drm_gem_shmem_get_sg_table(), drm_gem_dma_get_sg_table(), drm_prime_pages_to_sg()
 */
export function drmGemPrimeGetPages(obj: GemObject): SysResult<readonly Uint8Array[]> {
  const pages: Uint8Array[] = [];
  for (let i = 0; i < obj.sizeBytes / PAGE_SIZE; i++) {
    let page = obj.pages.get(i);
    if (page === undefined) {
      page = new Uint8Array(PAGE_SIZE);
      obj.pages.set(i, page);
    }
    pages.push(page);
  }
  return ok(pages);
}
