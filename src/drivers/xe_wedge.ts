/**
 * xe's wedged state and when it declares it (docs/requirements.md#r81; R81-R87). The state is
 * part of the driver's container (xe_device around the drm_device: `dev.driverData`), so a
 * step that changes it declares the drm_device.
 *
 * - `wedged.mode`: 0 never wedges (R82), 1 (default) wedges upon a critical error (a GT reset
 *   that fails, a firmware error), 2 wedges upon any hang without resetting, keeping the hang
 *   for debugging (its fences stay unsignalled) and sending `none` from 7.1 (R84, variant
 *   `xeHangModeMethod`; the default method before);
 * - declaring wedged: the first time, the flag is set, a function reset is due at unbind and
 *   a CRITICAL message is logged (R87); the submission back-end is wedged (every engine's
 *   scheduler stopped; in modes other than 2 the queued jobs are killed and every fence is
 *   signalled with -ECANCELED), then the event goes out with the method set beforehand
 *   (`vendor-specific` in survivability mode, R85) or `rebind,bus-reset` (R83), without task
 *   information (R86). Each declaration sends the event again, as xe's code does;
 * - while wedged, every ioctl is ECANCELED before anything else (xe.ts, R81) until the device
 *   is unbound: a rebind makes a new, clean one.
 *
 * A job timeout is a hang: in mode 2 it wedges at once (after the devcoredump); otherwise the
 * GT is reset (vtest's engine reset: the guilty job ends with -ETIME), unless the reset fails
 * (the debugfs fault `fail_gt_reset`), which is critical: the device is declared wedged.
 *
 * @see drivers/gpu/drm/xe/xe_device.c (xe_device_declare_wedged(),
 *      xe_device_set_wedged_method()), xe_guc_submit.c (guc_exec_queue_timedout_job(),
 *      xe_guc_submit_wedged()), xe_gt.c (gt_reset()), xe_survivability_mode.c
 */
import { devCoredumpv, variant } from "../base/mod.js";
import { lookupStep, step, type Task } from "../kernel/mod.js";
import { errnoValue } from "../uapi/mod.js";
import {
  DRM_WEDGE_RECOVERY_BUS_RESET,
  DRM_WEDGE_RECOVERY_NONE,
  DRM_WEDGE_RECOVERY_REBIND,
  DRM_WEDGE_RECOVERY_VENDOR,
  drmDevWedgedEvent,
  drmSchedEntityKill,
  drmSchedWqueueStop,
  schedKillObjects,
  schedStep,
  sFenceOf,
  drmSchedJobObjects,
  type DrmDevice,
  type DrmGpuSchedStat,
  type DrmSchedJob,
} from "../drm/mod.js";
import { newFaultAttr, shouldFail, type FaultAttr } from "./fault_attr.js";
import { engineObjects, vtestEngineForceCompletion, type VtestEngine } from "./vtest_engine.js";
import { vtestTimelineFini, vtestTimelineForceCompletion } from "./vtest_job.js";
import { vtestEnginesOf, vtestTimedoutJob } from "./vtest_sched.js";

export type XeWedgedMode = 0 | 1 | 2;
export const XE_WEDGED_MODE_DEFAULT: XeWedgedMode = 1;

/** xe_device's own state (the part the model has). */
export interface XeState {
  readonly wedged: { flag: boolean; mode: XeWedgedMode; method: number | null };
  /** A driver-initiated function reset is due at unbind (needs_flr_on_fini). */
  needsFlrOnFini: boolean;
  /** Runtime survivability mode (a firmware error): its sysfs file exists. */
  survivability: boolean;
  /** The debugfs fault attribute fail_gt_reset. */
  readonly failGtReset: FaultAttr;
  /** Where its debugfs files are: /sys/kernel/debug/dri/<primary minor>. */
  readonly debugfs: string;
  /**
   * What comes first when it declares the device wedged: the clean-up (xe), or the event
   * (the broken sibling xe-early-wedge, whose fences are still unsignalled then).
   */
  readonly order: "cleanup-first" | "event-first";
}

export function newXeState(debugfs: string, order: XeState["order"]): XeState {
  return {
    wedged: { flag: false, mode: XE_WEDGED_MODE_DEFAULT, method: null },
    needsFlrOnFini: false,
    survivability: false,
    failGtReset: newFaultAttr(),
    debugfs,
    order,
  };
}

/** The xe state in the container of `dev`. */
export function xeOf(dev: DrmDevice): XeState {
  return dev.driverData as XeState;
}

/** @see xe_device_wedged() */
export function xeDeviceWedged(dev: DrmDevice): boolean {
  return xeOf(dev).wedged.flag;
}

/** @see xe_device_set_wedged_method() */
export function xeDeviceSetWedgedMethod(dev: DrmDevice, method: number): void {
  xeOf(dev).wedged.method = method;
}

/** The method the event names: the one set beforehand, or rebind and bus reset (R83, R84). */
function wedgedMethod(dev: DrmDevice): number {
  const xe = xeOf(dev);
  if (xe.wedged.mode === 2 && variant(dev.kernel.profile, "xeHangModeMethod") === "none") {
    return DRM_WEDGE_RECOVERY_NONE;
  }
  return xe.wedged.method ?? DRM_WEDGE_RECOVERY_REBIND | DRM_WEDGE_RECOVERY_BUS_RESET;
}

/** Logs as drm_err() and friends do: the PCI driver and function first. */
export function xeLog(dev: DrmDevice, level: number, text: string): void {
  dev.sim.printk(level, `xe ${dev.parent.name}: [drm] ${text}`);
}

/** The device's engines and what stopping them writes. */
function engines(dev: DrmDevice): readonly VtestEngine[] {
  return vtestEnginesOf(dev) ?? [];
}

/**
 * Stops submission on every engine; outside mode 2, the queued jobs are killed (-ESRCH) and
 * the rings force-completed (-ECANCELED), so no fence is left unsignalled, and the direct
 * jobs of DRM_IOCTL_VTEST_JOB end the same way. @see xe_guc_submit_wedged()
 */
export function* xeGucSubmitWedged(dev: DrmDevice, keepHang: boolean): Task<void> {
  const ecanceled = -errnoValue("ECANCELED");
  for (const engine of engines(dev)) {
    const sched = engine.sched;
    yield lookupStep("xe_guc_submit_wedged", () => ({ reads: [], writes: schedKillObjects(sched) }));
    drmSchedWqueueStop(sched);
    if (keepHang) continue;
    for (const entity of sched.entities) {
      if (yield* drmSchedEntityKill(entity)) yield schedStep("xe_guc_submit_wedged", sched);
    }
    yield lookupStep("xe_guc_submit_wedged", () => ({ reads: [], writes: engineObjects(engine) }));
    yield* vtestEngineForceCompletion(engine, () => ecanceled);
  }
  if (keepHang) return;
  yield* vtestTimelineForceCompletion(dev);
  yield* vtestTimelineFini(dev);
}

/**
 * Declares the device wedged (see the file comment); nothing in mode 0.
 * @see xe_device_declare_wedged()
 */
export function* xeDeviceDeclareWedged(dev: DrmDevice): Task<void> {
  yield step("xe_device_declare_wedged", [dev.parent], [dev]);
  const xe = xeOf(dev);
  if (xe.wedged.mode === 0) {
    xeLog(dev, 7, "Device wedged, but not declared wedged by wedged_mode=0");
    return;
  }
  if (!xe.wedged.flag) {
    xe.wedged.flag = true;
    xe.needsFlrOnFini = true;
    xeLog(dev, 3, `CRITICAL: Xe has declared device ${dev.parent.name} as wedged.`);
    xeLog(dev, 3, "IOCTLs and executions are blocked. Only a rebind may clear the failure");
  }
  const keepHang = xe.wedged.mode === 2;
  if (xe.order === "event-first") {
    // BUG (xe-early-wedge, on purpose): the event goes out before the device is harmless.
    yield* drmDevWedgedEvent(dev, wedgedMethod(dev), null);
    yield* xeGucSubmitWedged(dev, keepHang);
    return;
  }
  yield* xeGucSubmitWedged(dev, keepHang);
  yield step("xe_device_declare_wedged", [], [dev]);
  yield* drmDevWedgedEvent(dev, wedgedMethod(dev), null);
}

/** A snapshot of the hang, published as a devcoredump of the PCI device. @see xe_devcoredump() */
function* xeDevcoredump(engine: VtestEngine, job: DrmSchedJob): Task<void> {
  const dev = engine.dev;
  const finished = sFenceOf(job).finished;
  const text =
    `**** Xe Device Coredump ****\nmodule: xe\nPCI ID: ${dev.parent.name}\n**** Job ****\n` +
    `engine: ${engine.name}\nfence: ${finished.context}:${finished.seqno}\n`;
  const made = yield* devCoredumpv(dev.parent, text);
  if (!made) xeLog(dev, 7, "Multiple hangs are being ignored.");
}

/**
 * timedout_job: see the file comment. A device already wedged has nothing to recover (ENODEV:
 * the model's scheduler stops timing out its jobs).
 * @see guc_exec_queue_timedout_job()
 */
export function* xeTimedoutJob(engine: VtestEngine, job: DrmSchedJob): Task<DrmGpuSchedStat> {
  const dev = engine.dev;
  yield step("guc_exec_queue_timedout_job", [dev.parent, ...drmSchedJobObjects(job)], [dev]);
  const xe = xeOf(dev);
  if (xe.wedged.flag) return "ENODEV";
  xeLog(dev, 4, `Timedout job: engine=${engine.name}`);
  yield* xeDevcoredump(engine, job);
  if (xe.wedged.mode === 2) {
    yield* xeDeviceDeclareWedged(dev);
    return "ENODEV";
  }
  yield step("gt_reset", [dev.parent], [dev]);
  if (shouldFail(dev.sim, xe.failGtReset)) {
    xeLog(dev, 3, "GT0: reset failed (-ECANCELED)");
    yield* xeDeviceDeclareWedged(dev);
    return "ENODEV";
  }
  return yield* vtestTimedoutJob(engine, job);
}

/**
 * A firmware error the driver cannot recover from: runtime survivability mode, whose file
 * `survivability_mode` appears in the PCI function's sysfs directory, and the device wedged with `vendor-specific` (R85).
 * @see xe_survivability_mode_runtime_enable()
 */
export function* xeSurvivabilityModeRuntimeEnable(dev: DrmDevice): Task<void> {
  yield step("xe_survivability_mode_runtime_enable", [dev.parent], [dev, dev.kernel.sysfs]);
  const xe = xeOf(dev);
  if (xe.survivability) return;
  xe.survivability = true;
  dev.kernel.sysfs.add(`${dev.parent.sysfsPath}/survivability_mode`, {
    kind: "attr",
    owner: dev,
    show: () => "Survivability mode type: Runtime\n",
  });
  xeLog(dev, 3, "Runtime Survivability mode enabled");
  xeDeviceSetWedgedMethod(dev, DRM_WEDGE_RECOVERY_VENDOR);
  yield* xeDeviceDeclareWedged(dev);
}
