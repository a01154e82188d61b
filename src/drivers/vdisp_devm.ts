/**
 * vdisp-devm: a deliberately broken sibling of vdisp, for negative controls. It allocates the
 * container that embeds its drm_device with devm_kzalloc() (the classic bug the seed threads
 * discuss): at unbind devres frees the container while open files still point at the
 * drm_device, so a late close(), the final drm_dev_put() and the drmm release all touch
 * freed memory (R28). drm_dev_register() also warns: no final_kfree is set (R4).
 */
import { devmKzalloc } from "../base/mod.js";
import { step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { drmDevInit, drmDevPut, type DrmDriver } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver, displayProbeFinish, displayRemoveStart } from "./display_pipe.js";
import { VDISP_PCI_ID, vdispDrmDriver } from "./vdisp.js";

export const vdispDevmDrmDriver: DrmDriver = { ...vdispDrmDriver, name: "vdisp-devm" };

export const vdispDevmPciDriver = displayPciDriver("vdisp-devm", [VDISP_PCI_ID], probe, remove);

function* probe(pdev: PciDev): Task<0 | ErrnoName> {
  const probeStep = step("vdisp_devm_probe", [], [pdev]);
  yield probeStep;
  // BUG (on purpose): the drm_device lives in devres memory, freed at unbind.
  const mem = devmKzalloc(pdev, "vdisp_devm_device");
  if (mem === null) return "ENOMEM";
  const dev = yield* drmDevInit(pdev.kernel, mem, vdispDevmDrmDriver, pdev);
  if (typeof dev === "string") return dev;
  yield probeStep;
  pdev.drvdata = dev;
  return yield* displayProbeFinish(dev, pdev);
}

function* remove(pdev: PciDev): Task<void> {
  yield step("vdisp_devm_remove", [pdev]);
  const dev = yield* displayRemoveStart(pdev);
  yield* drmDevPut(dev); // drops the initial reference; open files keep theirs
}
