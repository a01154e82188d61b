/**
 * vdisp-dma: a deliberately broken sibling of vdisp, for a negative control of the memory-map
 * contract. Its dumb buffers come from the GEM DMA helper, as on many SoC and tiny display
 * drivers: a mapping is remapped whole at mmap time and has no fault handler, so once
 * drm_dev_unplug() has zapped it the next access gets SIGBUS (D7), which the uAPI
 * documentation rules out (R53) and the checker reports as the program being killed
 * (finding `fatal-signal`). Everything else is vdisp's.
 *
 * @see drivers/gpu/drm/drm_gem_dma_helper.c; DRM_GEM_DMA_DRIVER_OPS in
 *      include/drm/drm_gem_dma_helper.h
 */
import { step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { drmGemDmaDumbCreate, drmGemPrimeImportSgTable, type DrmDriver } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import {
  displayPciDriver,
  displayProbeFinish,
  displayProbeStart,
  displayRemoveStart,
} from "./display_pipe.js";
import { VDISP_PCI_ID, vdispDrmDriver } from "./vdisp.js";

export const vdispDmaDrmDriver: DrmDriver = {
  ...vdispDrmDriver,
  name: "vdisp-dma",
  dumbCreate: drmGemDmaDumbCreate,
  // DRM_GEM_DMA_DRIVER_OPS: it imports other devices' buffers as DMA objects (and its own
  // buffers share their pages, drm_gem_dma_default_funcs.get_sg_table).
  gemPrimeImportSgTable: drmGemPrimeImportSgTable,
};

export const vdispDmaPciDriver = displayPciDriver("vdisp-dma", [VDISP_PCI_ID], probe, remove);

function* probe(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("vdisp_dma_probe", [pdev]);
  const dev = yield* displayProbeStart(pdev, vdispDmaDrmDriver, "vdisp_dma_device");
  if (typeof dev === "string") return dev;
  return yield* displayProbeFinish(dev, pdev);
}

function* remove(pdev: PciDev): Task<void> {
  yield step("vdisp_dma_remove", [pdev]);
  yield* displayRemoveStart(pdev);
}
