/**
 * xe: a model of Linux's Intel xe driver where wedging is concerned (docs/requirements.md#r81,
 * R81-R88), on vtest's engines, GPU schedulers and uapi (its ioctls are vtest's: the model has
 * none of xe's own). What is xe's:
 *
 * - its file operations: every ioctl fails with ECANCELED while the device is wedged, checked
 *   before anything else, the DRM core's unplug check included (R81); mmap is not blocked;
 * - its wedge policy and modes (xe_wedge.ts), with devcoredumps of hangs;
 * - its debugfs knobs under /sys/kernel/debug/dri/<minor>/ (xe_debugfs.ts);
 * - `survivability_mode` in the PCI device's sysfs directory once a firmware error put it in
 *   runtime survivability mode (R85), reading "Survivability mode type: Runtime";
 * - at unbind, after vtest's teardown, the driver-initiated function reset a wedged device
 *   needs (R87).
 *
 * @see drivers/gpu/drm/xe/xe_device.c (xe_drm_ioctl(), xe_device_remove()), xe_pci.c,
 *      xe_survivability_mode.c
 */
import { type KFile } from "../base/mod.js";
import { lookupStep, step, type Task } from "../kernel/mod.js";
import { fail, type ErrnoName, type IoctlFields, type IoctlRequest, type SysResult } from "../uapi/mod.js";
import { drmFileOf, drmGemFops, type DrmDevice, type DrmDriver } from "../drm/mod.js";
import { pciHardwareResponds, type PciDev } from "../pci/mod.js";
import { displayPciDriver } from "./display_pipe.js";
import { vtestDrmDriver, vtestProbe, vtestRemove } from "./vtest.js";
import { driDebugfsDir } from "./dri_debugfs.js";
import { xeDebugfsInit, xeDebugfsRemove } from "./xe_debugfs.js";
import {
  newXeState,
  xeDeviceWedged,
  xeLog,
  xeOf,
  xeTimedoutJob,
  type XeState,
} from "./xe_wedge.js";

/** An Intel Battlemage (Arc B580) function. */
export const XE_PCI_ID = { vendor: 0x8086, device: 0xe20b } as const;

/**
 * The ioctl op: ECANCELED while wedged, else the DRM core's drm_ioctl(). The wedged flag is
 * part of the container, which the op's first step (fdget and drm_ioctl) reads.
 * @see xe_drm_ioctl()
 */
function* xeDrmIoctl(
  kfile: KFile,
  request: IoctlRequest,
  arg: IoctlFields,
): Task<SysResult<IoctlFields>> {
  if (xeDeviceWedged(drmFileOf(kfile).dev)) return fail("ECANCELED");
  return yield* drmGemFops.ioctl!(kfile, request, arg);
}

export const xeDrmDriver: DrmDriver = {
  ...vtestDrmDriver,
  name: "xe",
  desc: "Intel Xe2 Graphics (model)",
  fops: { ...drmGemFops, ioctl: xeDrmIoctl },
};

/** probe() of xe and of its broken sibling, given its drm_driver and wedge order. */
export function* xeProbe(pdev: PciDev, driver: DrmDriver, order: XeState["order"]): Task<0 | ErrnoName> {
  // xe_device is allocated with the drm_device (its container): its state, the wedged flag
  // included, exists before the nodes are registered and opened.
  const init = (dev: DrmDevice): void => void (dev.driverData = newXeState(driDebugfsDir(dev), order));
  const err = yield* vtestProbe(pdev, driver, xeTimedoutJob, "xe_device", init);
  if (err !== 0) return err;
  yield step("xe_device_probe", [pdev]);
  const dev = pdev.drvdata as DrmDevice;
  yield lookupStep("xe_device_probe", () => ({
    reads: dev.primary === null ? [] : [dev.primary],
    writes: [dev, pdev, dev.kernel.sysfs],
  }));
  xeDebugfsInit(dev);
  return 0;
}

/**
 * remove(): vtest's teardown (unplug, every fence signalled, schedulers finished), the debugfs
 * and survivability files, then the driver-initiated FLR of a wedged device (R87).
 * @see xe_pci_remove(), xe_driver_flr_fini()
 */
export function* xeRemove(pdev: PciDev): Task<void> {
  const dev = pdev.drvdata as DrmDevice;
  yield* vtestRemove(pdev);
  yield step("xe_device_remove", [], [dev, pdev, dev.kernel.sysfs]);
  xeDebugfsRemove(dev);
  const xe = xeOf(dev);
  if (xe.survivability) dev.kernel.sysfs.remove(`${pdev.sysfsPath}/survivability_mode`);
  if (!xe.needsFlrOnFini) return;
  xeLog(dev, 6, "Triggering Driver-FLR");
  const hw = pdev.hardware;
  if (pciHardwareResponds(hw)) {
    hw.resetCount++;
    hw.mmio.clear();
  }
}

export const xePciDriver = displayPciDriver(
  "xe",
  [XE_PCI_ID],
  (pdev) => xeProbe(pdev, xeDrmDriver, "cleanup-first"),
  xeRemove,
);
