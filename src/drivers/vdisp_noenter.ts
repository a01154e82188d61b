/**
 * vdisp-noenter: a deliberately broken sibling of vdisp, for a negative control of the
 * display contract (docs/requirements.md#r8): its commit paths program the hardware without
 * drm_dev_enter(). A commit still in flight when the device is unplugged (a non-blocking
 * mode set waiting for its PLL to lock) then writes the registers of a device that is gone,
 * or already handed back to the bus, which the check of hardware accesses reports
 * (`hardware-after-unplug`). Everything else is vdisp's.
 */
import { step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DrmDriver } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver, displayProbeFinish, displayProbeStart, displayRemoveStart } from "./display_pipe.js";
import { VDISP_PCI_ID, vdispDrmDriver } from "./vdisp.js";

export const vdispNoenterDrmDriver: DrmDriver = { ...vdispDrmDriver, name: "vdisp-noenter" };

export const vdispNoenterPciDriver = displayPciDriver("vdisp-noenter", [VDISP_PCI_ID], probe, remove);

function* probe(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("vdisp_noenter_probe", [pdev]);
  const dev = yield* displayProbeStart(pdev, vdispNoenterDrmDriver, "vdisp_noenter_device");
  if (typeof dev === "string") return dev;
  return yield* displayProbeFinish(dev, pdev, false);
}

function* remove(pdev: PciDev): Task<void> {
  yield step("vdisp_noenter_remove", [pdev]);
  yield* displayRemoveStart(pdev);
}
