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
import { drmDevInit, drmDevPut, drmDevRegister, drmDevUnplug, type DrmDevice, type DrmDriver } from "../drm/mod.js";
import type { PciDev, PciDriver } from "../pci/mod.js";
import { displayPipeInit, displayPipeSetScanout } from "./display_pipe.js";
import { VDISP_PCI_ID, vdispDrmDriver } from "./vdisp.js";

export const vdispDevmDrmDriver: DrmDriver = { ...vdispDrmDriver, name: "vdisp-devm" };

export const vdispDevmPciDriver: PciDriver = {
  name: "vdisp-devm",
  busName: "pci",
  idTable: [VDISP_PCI_ID],
  probe: (dev) => probe(dev as PciDev),
  remove: (dev) => remove(dev as PciDev),
};

function* probe(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("vdisp_devm_probe", [pdev]);
  // BUG (on purpose): the drm_device lives in devres memory, freed at unbind.
  const mem = devmKzalloc(pdev, "vdisp_devm_device");
  if (mem === null) return "ENOMEM";
  const dev = yield* drmDevInit(pdev.kernel, mem, vdispDevmDrmDriver, pdev);
  if (typeof dev === "string") return dev;
  pdev.drvdata = dev;
  const perr = displayPipeInit(dev, "Virtual");
  if (perr !== 0) return perr;
  const rerr = yield* drmDevRegister(dev);
  if (rerr !== 0) return rerr;
  yield* displayPipeSetScanout(dev, pdev, true);
  return 0;
}

function* remove(pdev: PciDev): Task<void> {
  const dev = pdev.drvdata as DrmDevice;
  yield step("vdisp_devm_remove", [pdev], [dev]);
  yield* drmDevUnplug(dev);
  yield* displayPipeSetScanout(dev, pdev, false);
  yield* drmDevPut(dev); // drops the initial reference; open files keep theirs
}
