/**
 * vtest-drain: a deliberately broken sibling of vtest, for negative controls: the design the
 * wedged-event thread argued against (seed 002), where recovery is left to userspace (unbind,
 * a bus reset, bind) while the kernel still has fences pending. Its remove() drains the
 * hardware first: it waits, uninterruptibly and without a time limit, for every job on its
 * rings to finish, and only then does vtest's teardown (which force-completes what is left).
 * A job that hangs never finishes, and with the device unplugged its timeout handler resets
 * nothing (R60), so the unbind that userspace's bus reset starts blocks in the kernel for
 * ever, and so does every waiter of the job's fence: a `hung-task` or `fence-never-signalled`
 * hang. vtest signals the fences first (-ECANCELED), and the unbind goes through.
 *
 * Everything else is vtest's, so the wait is its only bug.
 *
 * @see amdgpu_fence_driver_hw_fini(), which waits for the rings with a time limit and then
 *      force-completes them
 */
import { dmaFenceGet, dmaFencePut, dmaFenceWaitTimeout } from "../base/mod.js";
import { lookupStep, step, type Task } from "../kernel/mod.js";
import { drmDevUnplug, type DrmDevice, type DrmDriver } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver } from "./display_pipe.js";
import { VTEST_PCI_ID, vtestDrmDriver, vtestProbe } from "./vtest.js";
import { engineObjects } from "./vtest_engine.js";
import { vtestTimelineFini, vtestTimelineForceCompletion } from "./vtest_job.js";
import { vtestEnginesFini, vtestEnginesOf } from "./vtest_sched.js";

export const vtestDrainDrmDriver: DrmDriver = { ...vtestDrmDriver, name: "vtest-drain" };

/** MAX_SCHEDULE_TIMEOUT in ticks: dma_fence_wait() without a time limit. */
const FOREVER_TICKS = 2 ** 52;

/** Waits for every fence on the device's rings, oldest first. */
function* vtestDrainRings(dev: DrmDevice): Task<void> {
  for (const engine of vtestEnginesOf(dev) ?? []) {
    yield lookupStep("vtest_drain_rings", () => ({
      reads: engineObjects(engine), writes: engine.ring.map((e) => e.fence),
    }));
    // Each fence is held while it is waited for (its job may end and drop the ring's reference).
    const fences = engine.ring.map((e) => dmaFenceGet(e.fence));
    for (const fence of fences) {
      // BUG (on purpose): the hardware is trusted to finish; a hung job never does.
      const resume = step("vtest_drain_rings", [], [fence]);
      yield step("vtest_drain_rings", [fence]);
      yield* dmaFenceWaitTimeout(fence, false, FOREVER_TICKS, resume);
      yield* dmaFencePut(fence);
    }
  }
}

function* vtestDrainRemove(pdev: PciDev): Task<void> {
  yield step("vtest_drain_pci_remove", [pdev]);
  const dev = pdev.drvdata as DrmDevice;
  yield* drmDevUnplug(dev);
  yield* vtestDrainRings(dev);
  yield step("vtest_drain_pci_remove", [pdev]);
  yield* vtestTimelineForceCompletion(dev);
  yield* vtestTimelineFini(dev);
  yield* vtestEnginesFini(dev);
}

export const vtestDrainPciDriver = displayPciDriver(
  "vtest-drain",
  [VTEST_PCI_ID],
  (pdev) => vtestProbe(pdev, vtestDrainDrmDriver),
  vtestDrainRemove,
);
