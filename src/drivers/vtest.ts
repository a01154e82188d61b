/**
 * vtest: a DRM test device, the model's counterpart of Linux's vgem (a GEM device with no
 * display hardware that IGT drives through its own ioctls). It has a primary and a render node,
 * no modesetting, dumb buffers (as vgem has; here the batches jobs execute, made on the
 * primary node by the VRAM helper, so a mapping refaults to the dummy page once the device is
 * unplugged), the import of other devices' dma-bufs (as vgem's shmem helper does: an object
 * over the exporter's pages), syncobjs (DRIVER_SYNCOBJ), and three private ioctls:
 * DRM_IOCTL_VTEST_HOLD_ENTER stays inside drm_dev_enter() for a given time, a reader that
 * drm_dev_unplug() of any DRM device waits for, since they all share drm_unplug_srcu (R11,
 * R96); DRM_IOCTL_VTEST_JOB runs a job whose out-fence goes into a syncobj (vtest_job.ts);
 * DRM_IOCTL_VTEST_SUBMIT submits a job through the GPU scheduler to one of its engines
 * (vtest_submit.ts, vtest_sched.ts, vtest_engine.ts).
 *
 * Probe and remove do lifetimes right, as vdisp does: devm_drm_dev_alloc(), drm_dev_register(),
 * and drm_dev_unplug() at remove.
 *
 * @see drivers/gpu/drm/vgem/vgem_drv.c for a real test driver with private ioctls
 */
import { sleepTicks, step, ticksFromNsCeil, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_VTEST_HOLD_ENTER,
  DRM_IOCTL_VTEST_JOB,
  DRM_IOCTL_VTEST_SUBMIT,
  fail,
  ok,
  type ErrnoName,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import {
  DRIVER_GEM,
  DRIVER_RENDER,
  DRIVER_SYNCOBJ,
  DRM_RENDER_ALLOW,
  drmDevEnter,
  drmDevExit,
  drmDevRegister,
  drmDevUnplug,
  drmDriverIoctlTable,
  drmGemFops,
  drmGemPrimeImportSgTable,
  drmGemVramDriverDumbCreate,
  drmIoctlDef,
  sleepingHandler,
  type DrmDevice,
  type DrmDriver,
  type DrmFile,
} from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver, displayProbeStart } from "./display_pipe.js";
import {
  vtestJobIoctl,
  vtestTimelineFini,
  vtestTimelineForceCompletion,
  vtestTimelineInit,
} from "./vtest_job.js";
import { VTEST_DURATION_NS_MAX } from "./vtest_limits.js";
import {
  vtestEnginesFini,
  vtestEnginesInit,
  vtestTimedoutJob,
  type EngineTimedout,
  type VtestEnginePolicy,
} from "./vtest_sched.js";
import { vtestPostclose, vtestSubmitIoctl } from "./vtest_submit.js";

export const VTEST_PCI_ID = { vendor: 0x1b36, device: 0x00f1 } as const;

/** The longest hold the driver accepts; longer ones fail with EINVAL. */
export const VTEST_HOLD_NS_MAX = VTEST_DURATION_NS_MAX;

/**
 * Enters the device, sleeps `duration_ns` (rounded up to whole ticks, as msleep() rounds up),
 * and exits. ENODEV if the device is already unplugged.
 */
function* vtestHoldEnterIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_VTEST_HOLD_ENTER>,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_VTEST_HOLD_ENTER>>> {
  const dev = file.dev;
  if (arg.duration_ns > VTEST_HOLD_NS_MAX) return fail("EINVAL");
  const token = drmDevEnter(dev);
  if (token === null) return fail("ENODEV");
  try {
    // The wake-up runs drm_dev_exit(): it reads the device and writes drm_unplug_srcu.
    const exit = step("vtest_hold_enter_ioctl", [dev], [dev.unplugSrcu]);
    yield sleepTicks(ticksFromNsCeil(arg.duration_ns), exit);
  } finally {
    drmDevExit(dev, token);
  }
  return ok({});
}

export const vtestDrmDriver: DrmDriver = {
  name: "vtest",
  desc: "vdrm test device",
  date: "0",
  major: 1,
  minor: 0,
  patchlevel: 0,
  features: DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ,
  fops: drmGemFops,
  dumbCreate: drmGemVramDriverDumbCreate,
  // vgem imports other devices' dma-bufs (DRM_GEM_SHMEM_DRIVER_OPS'
  // drm_gem_shmem_prime_import_sg_table()): an object over the exporter's pages (R94).
  gemPrimeImportSgTable: drmGemPrimeImportSgTable,
  ioctls: drmDriverIoctlTable([
    drmIoctlDef(
      DRM_IOCTL_VTEST_HOLD_ENTER,
      "vtest_hold_enter_ioctl",
      DRM_RENDER_ALLOW,
      sleepingHandler(vtestHoldEnterIoctl),
    ),
    drmIoctlDef(DRM_IOCTL_VTEST_JOB, "vtest_job_ioctl", DRM_RENDER_ALLOW, sleepingHandler(vtestJobIoctl)),
    drmIoctlDef(
      DRM_IOCTL_VTEST_SUBMIT,
      "vtest_submit_ioctl",
      DRM_RENDER_ALLOW,
      sleepingHandler(vtestSubmitIoctl),
    ),
  ]),
  postclose: vtestPostclose,
};

export const vtestPciDriver = displayPciDriver(
  "vtest",
  [VTEST_PCI_ID],
  (pdev) => vtestProbe(pdev, vtestDrmDriver),
  vtestRemove,
);

/**
 * probe() of vtest, with its drm_driver or a variant's (a copy under another name); a driver
 * built on vtest's engines gives its timeout policy (or its whole engine policy), the type of
 * its container, and the container's own state, set up before the nodes are registered (a
 * program may open them and call an ioctl as soon as their `add` uevent is out).
 */
export function* vtestProbe(
  pdev: PciDev,
  driver: DrmDriver,
  policy: EngineTimedout | VtestEnginePolicy = vtestTimedoutJob,
  containerType = "vtest_device",
  containerInit?: (dev: DrmDevice) => void,
): Task<0 | ErrnoName> {
  yield step("vtest_pci_probe", [pdev]);
  const dev = yield* displayProbeStart(pdev, driver, containerType);
  if (typeof dev === "string") return dev;
  if (containerInit !== undefined) {
    yield step("vtest_pci_probe", [], [dev]);
    containerInit(dev);
  }
  const err = yield* drmDevRegister(dev);
  if (err !== 0) return err;
  yield step("vtest_pci_probe", [], [dev]);
  vtestTimelineInit(dev);
  vtestEnginesInit(dev, typeof policy === "function" ? { timedout: policy } : policy);
  return 0;
}

export function* vtestRemove(pdev: PciDev): Task<void> {
  yield step("vtest_pci_remove", [pdev]);
  const dev = pdev.drvdata as DrmDevice;
  yield* drmDevUnplug(dev);
  yield* vtestTimelineForceCompletion(dev);
  yield* vtestTimelineFini(dev);
  yield* vtestEnginesFini(dev);
}
