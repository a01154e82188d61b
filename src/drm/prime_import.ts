/**
 * Importing a dma-buf into a DRM device. A device's own dma-buf gives back the object it was
 * exported from (self-import, no attachment). Another device's buffer is attached to the
 * importing device and mapped for it, and the driver makes a new GEM object of it
 * (gem_prime_import_sg_table) that holds the attachment and a reference to the dma-buf (and
 * so the exporter's object and device) until it is freed.
 *
 * Importing a buffer whose exporting device is gone: Linux imports it as it would have before
 * (the attach needs nothing of the device); the uAPI document allows that or ENODEV (R94), and
 * the `uapi-doc` profile takes ENODEV (variant primeImportGoneExporter).
 *
 * @see drm_gem_prime_import_dev(), drm_prime_gem_destroy() in drm_prime.c
 */
import {
  dmaBufAttach,
  dmaBufDetach,
  dmaBufMapAttachment,
  dmaBufPut,
  getDmaBuf,
  PAGE_SIZE,
  variant,
  type DmaBuf,
  type DmaBufAttachment,
  type SgTable,
} from "../base/mod.js";
import { assert, lookupStep, step, type KStruct, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { drmDevIsUnplugged, type DrmDevice } from "./device.js";
import { drmGemObjectGet, drmGemObjectRelease, GemObject, type DrmGemObjectFuncs } from "./gem.js";
import { gemOfDmaBuf } from "./prime_dmabuf.js";

/** Whether the buffer's memory is gone for the import, per the profile (R94). */
function exporterGone(dev: DrmDevice, exported: GemObject | null): boolean {
  if (exported === null) return false;
  if (variant(dev.kernel.profile, "primeImportGoneExporter") !== "ENODEV") return false;
  return drmDevIsUnplugged(exported.dev);
}

/**
 * The GEM object of `dmabuf` in device `dev`, with a reference for the caller: the exported
 * object itself for the device's own buffer; else a new object of the driver's, attached to
 * the buffer. EINVAL for a driver that imports no other device's buffers, the exporter's
 * errno if it refuses the attachment (ENOSYS), ENODEV for a gone exporter under uapi-doc.
 * @see drm_gem_prime_import_dev()
 */
export function* drmGemPrimeImportDev(dev: DrmDevice, dmabuf: DmaBuf): Task<GemObject | ErrnoName> {
  const exported = gemOfDmaBuf(dmabuf);
  yield lookupStep("drm_gem_prime_import_dev", () => {
    const reads: KStruct[] = [dev, dmabuf];
    if (exported === null) return { reads, writes: [] };
    return { reads: [...reads, exported.dev], writes: [exported, exported.dev.unplugSrcu] };
  });
  if (exported !== null && exported.dev === dev) {
    drmGemObjectGet(exported);
    return exported;
  }
  const importSgTable = dev.driver.gemPrimeImportSgTable;
  if (importSgTable === undefined) return "EINVAL";
  if (exporterGone(dev, exported)) return "ENODEV";
  const attached = yield* dmaBufAttach(dmabuf, dev.parent, dev);
  if (!attached.ok) return attached.errno;
  const attach = attached.value;
  yield step("drm_gem_prime_import_dev", [], [dmabuf.file]);
  getDmaBuf(dmabuf); // the attachment's
  const sgt = yield* dmaBufMapAttachment(attach);
  const obj = sgt.ok ? yield* importSgTable(dev, attach, sgt.value) : sgt.errno;
  if (typeof obj === "string") {
    yield* dmaBufDetach(dmabuf, attach);
    yield* dmaBufPut(dmabuf);
    return obj;
  }
  yield step("drm_gem_prime_import_dev", [], [obj]);
  obj.importAttach = attach;
  return obj;
}

/**
 * Frees an imported object's hold on its buffer: the attachment (and its mapping), then the
 * reference to the dma-buf. The object's free calls it.
 * @see drm_prime_gem_destroy()
 */
export function* drmPrimeGemDestroy(obj: GemObject): Task<void> {
  const attach = obj.importAttach;
  assert(attach !== null, `Cannot destroy the import of ${obj.mem.label}: it is not imported`);
  obj.importAttach = null;
  const dmabuf = attach.dmabuf;
  yield* dmaBufDetach(dmabuf, attach);
  yield* dmaBufPut(dmabuf);
}

/**
 * The free of an imported object: it lets go of its dma-buf, then the core's part.
 * @see drm_gem_dma_free() of an imported object
 */
function* drmGemPrimeImportedFree(obj: GemObject): Task<void> {
  yield* drmPrimeGemDestroy(obj);
  yield step("drm_gem_object_free", [], [obj, obj.dev]);
  drmGemObjectRelease(obj, "drm_gem_dma_free");
}

/**
 * The functions of an imported object: no mapping of its own (MAP_DUMB refuses it; its
 * dma-buf is mapped instead), no export (it exports as the dma-buf it came from).
 */
const drmGemPrimeImportedFuncs: DrmGemObjectFuncs = {
  name: "drm_gem_dma_default_funcs",
  free: drmGemPrimeImportedFree,
};

/**
 * A driver's gemPrimeImportSgTable for a device that uses another's buffer by its pages, as
 * the DMA helper does: a GEM object of the buffer's size whose pages are the exporter's (what
 * the importing device reads of it is the exporter's memory), which the importing device
 * owns (in the trace; its label names the exporter too).
 * @see drm_gem_dma_prime_import_sg_table()
 */
export function* drmGemPrimeImportSgTable(
  dev: DrmDevice,
  attach: DmaBufAttachment,
  sgt: SgTable,
): Task<GemObject | ErrnoName> {
  const dmabuf = attach.dmabuf;
  const exported = gemOfDmaBuf(dmabuf);
  const reads = [dev, dmabuf, attach, ...(exported === null ? [] : [exported.dev])];
  yield step("drm_gem_prime_import_sg_table", reads);
  const sizeBytes = dmabuf.sizeBytes;
  const what = `dma-buf #${dmabuf.ino}`;
  const covered = sgt.pages.length * PAGE_SIZE >= sizeBytes;
  assert(covered, `Cannot import ${what}: its pages do not cover it`);
  const exporter = exported?.dev.label ?? dmabuf.expName;
  const label = `gem ${sizeBytes}B imported from ${what} of ${exporter} [${dev.label}]`;
  const mem = dev.sim.alloc("drm_gem_object", { label, sizeBytes, owner: dev });
  const obj = new GemObject(mem, dev, sizeBytes, drmGemPrimeImportedFuncs);
  sgt.pages.forEach((page, i) => obj.pages.set(i, page));
  return obj;
}
