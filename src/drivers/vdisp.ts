/**
 * vdisp: a small PCI display driver that does hot-unplug right (the pattern of
 * kernel-contract.md 1.8): the container comes from devm_drm_dev_alloc(), everything
 * userspace can reach is drmm-managed, devres holds only hardware resources, every hardware
 * access is inside drmDevEnter(), and remove() calls drmDevUnplug().
 */
import { devmAddActionOrReset, type Device } from "../base/mod.js";
import { step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { DRIVER_ATOMIC, DRIVER_GEM, DRIVER_MODESET, DRIVER_RENDER, devmDrmDevAlloc, drmDevRegister, drmDevUnplug, type DrmDevice, type DrmDriver } from "../drm/mod.js";
import type { PciDev, PciDriver } from "../pci/mod.js";
import { displayPipeInit, displayPipeSetScanout } from "./display_pipe.js";

export const VDISP_PCI_ID = { vendor: 0x1b36, device: 0x00f0 } as const;

export const vdispDrmDriver: DrmDriver = {
  name: "vdisp",
  desc: "vdrm virtual display",
  date: "0",
  major: 1,
  minor: 0,
  patchlevel: 0,
  features: DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC | DRIVER_RENDER,
};

export const vdispPciDriver: PciDriver = {
  name: "vdisp",
  busName: "pci",
  idTable: [VDISP_PCI_ID],
  probe: (dev) => vdispProbe(dev as PciDev),
  remove: (dev) => vdispRemove(dev as PciDev),
};

function* vdispProbe(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("vdisp_pci_probe", [pdev]);
  const dev = yield* devmDrmDevAlloc(pdev, vdispDrmDriver, "vdisp_device");
  if (typeof dev === "string") return dev;
  pdev.drvdata = dev;
  // A hardware resource: devres, released at unbind, after remove() has run.
  const err = yield* devmAddActionOrReset(pdev, "pcim_iounmap", () => undefined);
  if (err !== 0) return err;
  const perr = displayPipeInit(dev, "Virtual");
  if (perr !== 0) return perr;
  const rerr = yield* drmDevRegister(dev);
  if (rerr !== 0) return rerr;
  yield* displayPipeSetScanout(dev, pdev, true);
  return 0;
}

function* vdispRemove(pdev: PciDev): Task<void> {
  const dev = pdev.drvdata as DrmDevice;
  yield step("vdisp_pci_remove", [pdev], [dev]);
  yield* drmDevUnplug(dev);
  // Like drm_atomic_helper_shutdown(): skipped for the hardware once unplugged.
  yield* displayPipeSetScanout(dev, pdev, false);
}

export type { Device };
