/**
 * vdisp: a small PCI display driver that does hot-unplug right (the pattern of
 * docs/requirements.md#r8): the container comes from devm_drm_dev_alloc(), everything
 * userspace can reach is drmm-managed, devres holds only hardware resources (the enabled PCI
 * function), every hardware access is inside drmDevEnter(), and remove() calls drmDevUnplug().
 */
import { step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { drmGemFops, drmGemVramDriverDumbCreate, DRIVER_ATOMIC, DRIVER_GEM, DRIVER_MODESET, DRIVER_RENDER, type DrmDriver } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver, displayProbeFinish, displayProbeStart, displayRemoveStart } from "./display_pipe.js";

export const VDISP_PCI_ID = { vendor: 0x1b36, device: 0x00f0 } as const;

export const vdispDrmDriver: DrmDriver = {
  name: "vdisp",
  desc: "vdrm virtual display",
  date: "0",
  major: 1,
  minor: 0,
  patchlevel: 0,
  dumbCreate: drmGemVramDriverDumbCreate,
  fops: drmGemFops,
  features: DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC | DRIVER_RENDER,
};

export const vdispPciDriver = displayPciDriver("vdisp", [VDISP_PCI_ID], vdispProbe, vdispRemove);

function* vdispProbe(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("vdisp_pci_probe", [pdev]);
  const dev = yield* displayProbeStart(pdev, vdispDrmDriver, "vdisp_device");
  if (typeof dev === "string") return dev;
  return yield* displayProbeFinish(dev, pdev);
}

function* vdispRemove(pdev: PciDev): Task<void> {
  yield step("vdisp_pci_remove", [pdev]);
  yield* displayRemoveStart(pdev);
}
