/**
 * vtest-nosignal: a deliberately broken sibling of vtest, for negative controls. Its remove()
 * stops the jobs of DRM_IOCTL_VTEST_JOB (their timers, the model of the hardware's completion
 * interrupt, are cancelled: the device is gone) but leaves out the force completion that
 * vtest does first: the fences of the jobs still running are never signalled. Nothing else
 * can signal them (dma-fence leaves that to the driver that made them), so whoever waits for
 * one waits for ever: a program in DRM_IOCTL_SYNCOBJ_WAIT without a time limit, a poll() of
 * an exported sync_file. The checker reports such a wait as a `fence-never-signalled` hang,
 * naming the fence, its device and every waiter.
 *
 * Everything else is vtest's, the engines and their GPU schedulers included (their teardown
 * still ends every job submitted with DRM_IOCTL_VTEST_SUBMIT), so the omission is its only bug.
 *
 * @see amdgpu_fence_driver_hw_fini(), which force-completes the ring fences at unplug
 */
import { step, type Task } from "../kernel/mod.js";
import { drmDevUnplug, type DrmDevice, type DrmDriver } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver } from "./display_pipe.js";
import { VTEST_PCI_ID, vtestDrmDriver, vtestProbe } from "./vtest.js";
import { vtestTimelineFini } from "./vtest_job.js";
import { vtestEnginesFini } from "./vtest_sched.js";

export const vtestNosignalDrmDriver: DrmDriver = { ...vtestDrmDriver, name: "vtest-nosignal" };

export const vtestNosignalPciDriver = displayPciDriver(
  "vtest-nosignal",
  [VTEST_PCI_ID],
  (pdev) => vtestProbe(pdev, vtestNosignalDrmDriver),
  vtestNosignalRemove,
);

function* vtestNosignalRemove(pdev: PciDev): Task<void> {
  yield step("vtest_nosignal_pci_remove", [pdev]);
  const dev = pdev.drvdata as DrmDevice;
  yield* drmDevUnplug(dev);
  // BUG (on purpose): no vtestTimelineForceCompletion(dev) before the timers are cancelled.
  yield* vtestTimelineFini(dev);
  yield* vtestEnginesFini(dev);
}
