/**
 * vdisp-waitclose: a deliberately broken sibling of vdisp, for negative controls. Its remove()
 * unplugs the drm_device as vdisp does, then sleeps until every file of the device is closed:
 * the "flush" that the amdgpu hot-unplug RFC of May 2020 added, waiting for the drm file count
 * to drop to zero so that no client could reach the device after remove() (seed 001). The
 * answer on the list was that a hot-unplug handler must not wait for userspace, which may never
 * close: a compositor asleep in read(), a daemon that holds the fd and never looks at it. Such
 * a program makes the unbind, the sysfs remove or pciehp's removal sleep for ever, and since
 * remove() sleeps uninterruptibly (wait_event()), killing the writer does not help either; the
 * checker reports a hang that names the waiting task. Each close wakes remove() (from the
 * driver's postclose()), so a close, even a late one, ends the wait.
 *
 * Everything else is vdisp's (devm_drm_dev_alloc(), drmm-managed state, drm_dev_unplug()), so
 * the wait is its only bug.
 *
 * @see drm_dev_unplug() and drm_dev_enter() in drivers/gpu/drm/drm_drv.c (what to do instead:
 *      references, not waiting); the RFC "drm/amdgpu: Wait for all user clients" (2020)
 */
import { assert, step, waitEvent, WaitQueue, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DrmDevice, DrmDriver, DrmFile } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver, displayProbeFinish, displayProbeStart, displayRemoveStart } from "./display_pipe.js";
import { VDISP_PCI_ID, vdispDrmDriver } from "./vdisp.js";

/** Where remove() sleeps until the last close (a field of the driver's container). */
const CLOSE_WAIT = Symbol("vdisp-waitclose close wait");
type WithCloseWait = DrmDevice & { [CLOSE_WAIT]?: WaitQueue };

/** postclose(): a file of the device is gone; wakes remove() if it waits. */
function* vdispWaitclosePostclose(dev: DrmDevice, _file: DrmFile): Task<void> {
  (dev as WithCloseWait)[CLOSE_WAIT]?.wakeUpAll();
}

export const vdispWaitcloseDrmDriver: DrmDriver = {
  ...vdispDrmDriver,
  name: "vdisp-waitclose",
  postclose: vdispWaitclosePostclose,
};

export const vdispWaitclosePciDriver = displayPciDriver(
  "vdisp-waitclose",
  [VDISP_PCI_ID],
  vdispWaitcloseProbe,
  vdispWaitcloseRemove,
);

function* vdispWaitcloseProbe(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("vdisp_waitclose_probe", [pdev]);
  const dev = yield* displayProbeStart(pdev, vdispWaitcloseDrmDriver, "vdisp_waitclose_device");
  if (typeof dev === "string") return dev;
  const wq = new WaitQueue(dev.sim, `vdisp-waitclose close wait (${pdev.name})`);
  (dev as WithCloseWait)[CLOSE_WAIT] = wq;
  return yield* displayProbeFinish(dev, pdev);
}

/** What remove() waits for, with the files still open (node and pid of each). */
function closeWaitReason(dev: DrmDevice): string {
  const open = [...dev.files].map((f) => `${f.minor.name} of pid ${f.kfile.pid}`);
  return `the last close of ${dev.label} (vdisp-waitclose remove() waits for userspace; ` +
    `still open: ${open.join(", ")})`;
}

function* vdispWaitcloseRemove(pdev: PciDev): Task<void> {
  yield step("vdisp_waitclose_remove", [pdev]);
  const dev = yield* displayRemoveStart(pdev);
  const wq = (dev as WithCloseWait)[CLOSE_WAIT];
  assert(wq !== undefined, `Cannot remove ${pdev.name}: probe made no close wait queue`);
  const resume = step("vdisp_waitclose_remove", [dev]);
  yield resume;
  // BUG (on purpose): waits for every program to close its file, which may never happen.
  while (dev.files.size > 0) {
    const open = dev.files.size;
    yield* waitEvent(wq, closeWaitReason(dev), () => dev.files.size < open, null, resume);
  }
}
