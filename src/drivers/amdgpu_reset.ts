/**
 * amdgpu's answer to a hang and to an unrecoverable error (kernel-contract.md 11.3, R60, R61,
 * R89), on vtest's engines. The state is part of the driver's container (amdgpu_device around
 * the drm_device: `dev.driverData`), so a step that changes it declares the drm_device.
 *
 * - A job timeout names the program behind the job (its pid and name, recorded at submission
 *   as amdgpu records the submitting task on the file's VM) and first tries a reset of that
 *   ring alone: the guilty job's fence gets -ETIME, the other jobs on the ring run again
 *   (vtestEngineReset()). If it succeeds the device recovered by itself: `WEDGED=none`, with
 *   `PID=` and `TASK=` of that program from 6.17 (R89).
 * - If the ring reset fails (the model's fault attribute `fail_ring_reset` in debugfs; amdgpu
 *   has none of its own), the whole GPU is recovered: every ring is reset, the guilty job's
 *   fence gets -ETIME, the others run again; then `WEDGED=none` with the same task
 *   information. The model's full recovery does not fail. amdgpu never sends another method.
 * - An unrecoverable error (a fatal RAS error: the model's debugfs `inject_fatal_error`)
 *   halts the device instead of wedging it: drm_dev_unplug() (its nodes go, with `remove`
 *   uevents, and its ioctls fail with ENODEV), every fence force-completed (-ECANCELED),
 *   the schedulers torn down, with no wedged event. The PCI function stays bound to amdgpu; a
 *   rebind makes a new device.
 *
 * @see drivers/gpu/drm/amd/amdgpu/amdgpu_job.c (amdgpu_job_timedout()), amdgpu_device.c
 *      (amdgpu_device_gpu_recover(), amdgpu_device_halt()), amdgpu_ring.c (amdgpu_ring_reset())
 */
import { lookupStep, step, type Task } from "../kernel/mod.js";
import {
  DRM_WEDGE_RECOVERY_NONE,
  drmDevUnplug,
  drmDevWedgedEvent,
  type DrmDevice,
  type DrmGpuSchedStat,
  type DrmSchedJob,
} from "../drm/mod.js";
import { devSectionEnter, devSectionExit } from "./dev_section.js";
import { newFaultAttr, shouldFail, type FaultAttr } from "./fault_attr.js";
import type { VtestEngine, VtestSchedJob } from "./vtest_engine.js";
import { vtestTimelineFini, vtestTimelineForceCompletion } from "./vtest_job.js";
import { vtestEngineReset, vtestEnginesFini, vtestEnginesOf } from "./vtest_sched.js";

/** amdgpu_device's own state (the part the model has). */
export interface AmdgpuState {
  /** The model's fault attribute fail_ring_reset: ring resets that fail. */
  readonly failRingReset: FaultAttr;
  /** amdgpu_device_halt() ran: the device is unplugged, the driver still bound. */
  halted: boolean;
  /** gpu_reset_counter: ring resets and GPU recoveries that succeeded. */
  resets: number;
  readonly debugfs: string;
}

export function newAmdgpuState(debugfs: string): AmdgpuState {
  return { failRingReset: newFaultAttr(), halted: false, resets: 0, debugfs };
}

export function amdgpuOf(dev: DrmDevice): AmdgpuState {
  return dev.driverData as AmdgpuState;
}

/** Logs as dev_err() and friends do: the PCI driver and function first. */
export function amdgpuLog(dev: DrmDevice, level: number, text: string): void {
  dev.sim.printk(level, `amdgpu ${dev.parent.name}: ${text}`);
}

/**
 * The whole GPU reset: every ring, the guilty job's with -ETIME.
 * @see amdgpu_device_gpu_recover()
 */
function* amdgpuDeviceGpuRecover(dev: DrmDevice, guilty: DrmSchedJob, guarded: boolean): Task<void> {
  amdgpuLog(dev, 6, "GPU reset begin!");
  for (const engine of vtestEnginesOf(dev) ?? []) {
    yield step("amdgpu_device_gpu_recover", [dev]);
    const message = `amdgpu ${dev.parent.name}: ${engine.name} reset`;
    yield* vtestEngineReset(engine, guilty, "ETIME", message, { level: 7, guarded });
  }
  yield step("amdgpu_device_gpu_recover", [dev.parent], [dev]);
  amdgpuOf(dev).resets += 1;
  amdgpuLog(dev, 6, "GPU reset(1) succeeded!");
}

/**
 * timedout_job: see the file comment; ENODEV without recovery once the device is gone (R60).
 * `guarded: false` leaves out that check and the drm_dev_enter() of the resets (the broken
 * amdgpu-tdr-noenter): a hang is then recovered on a device already unplugged.
 * @see amdgpu_job_timedout()
 */
export function* amdgpuJobTimedout(
  engine: VtestEngine,
  job: DrmSchedJob,
  guarded = true,
): Task<DrmGpuSchedStat> {
  const dev = engine.dev;
  const declare = lookupStep("amdgpu_job_timedout", () => ({
    reads: [dev.parent, engine],
    writes: [dev.unplugSrcu, dev],
  }));
  yield declare;
  const section = devSectionEnter(dev, guarded);
  if (section === null) return "ENODEV";
  try {
    const ti = (job as VtestSchedJob).data.submitter;
    const seq = engine.seqno;
    amdgpuLog(dev, 3, `ring ${engine.name} timeout, signaled seq=${seq - 1n}, emitted seq=${seq}`);
    const who = `process ${ti.comm} pid ${ti.pid} thread ${ti.comm} pid ${ti.pid}`;
    amdgpuLog(dev, 3, `Process information: ${who}`);
    const state = amdgpuOf(dev);
    amdgpuLog(dev, 3, `Starting ${engine.name} ring reset`);
    if (!shouldFail(dev.sim, state.failRingReset)) {
      const message = `amdgpu ${dev.parent.name}: ${engine.name} ring reset`;
      yield* vtestEngineReset(engine, job, "ETIME", message, { level: 7, guarded });
      yield step("amdgpu_job_timedout", [dev.parent], [dev]);
      state.resets += 1;
      amdgpuLog(dev, 3, `Ring ${engine.name} reset succeeded`);
    } else {
      amdgpuLog(dev, 3, `Ring ${engine.name} reset failed`);
      yield* amdgpuDeviceGpuRecover(dev, job, guarded);
    }
    yield* drmDevWedgedEvent(dev, DRM_WEDGE_RECOVERY_NONE, ti);
    yield declare;
    return "RESET";
  } finally {
    devSectionExit(dev, section);
  }
}

/**
 * An unrecoverable error: the device is halted (see the file comment). Nothing happens to a
 * device halted already. @see amdgpu_device_halt()
 */
export function* amdgpuDeviceHalt(dev: DrmDevice): Task<void> {
  yield step("amdgpu_device_halt", [dev.parent], [dev]);
  const state = amdgpuOf(dev);
  if (state.halted) return;
  state.halted = true;
  amdgpuLog(dev, 3, "uncorrectable hardware error detected, halting the device");
  yield* drmDevUnplug(dev);
  yield* vtestTimelineForceCompletion(dev);
  yield* vtestTimelineFini(dev);
  yield* vtestEnginesFini(dev);
}
