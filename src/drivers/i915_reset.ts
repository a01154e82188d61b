/**
 * i915's resets and its wedged state (kernel-contract.md 11.4), on vtest's engines. The state is
 * part of the driver's container (drm_i915_private around the drm_device: `dev.driverData`),
 * so a step that changes it declares the drm_device.
 *
 * - A hang (a job timeout: i915's heartbeat) goes to intel_gt_handle_error(): with the
 *   parameter `reset` at 2 or more the engine alone is reset (the guilty job's fence gets
 *   -EIO, the others run again), no uevent; otherwise the whole GT is reset, between i915's
 *   own uevents on the card, `ERROR=1` then `RESET=1` before and `ERROR=0` after.
 * - With `reset` at 0 (resets disabled, i915_params/reset in debugfs) the GT reset cannot be
 *   done: the GT is wedged (intel_gt_set_wedged()). Submission becomes a nop that completes
 *   each job with -EIO without running it (the engines' nopSubmission); what is on the rings
 *   and what is queued with nothing to wait for ends with -EIO at once; a job still waiting
 *   for another device's fence ends with -EIO when that fence signals, not before. Then,
 *   from 6.14, `WEDGED=rebind,bus-reset` without task information (drm_dev_wedged_event()).
 *   While wedged, submission, context creation and throttling fail with EIO (i915.ts).
 * - A forced reset (a write to debugfs i915_wedged) runs the same error handler on the given
 *   engines; a full reset first unwedges: it waits until every queued job has gone through the
 *   nop submission (each waits for its foreign fence), then lifts the nop, then resets; with
 *   resets still disabled the GT wedges again.
 *
 * @see drivers/gpu/drm/i915/gt/intel_reset.c (intel_gt_handle_error(), intel_gt_reset_global(),
 *      intel_gt_reset(), __intel_gt_set_wedged(), __intel_gt_unset_wedged(), nop_submit_request())
 */
import { kobjectUevent } from "../base/mod.js";
import { lookupStep, step, type Task } from "../kernel/mod.js";
import { errnoValue } from "../uapi/mod.js";
import {
  DRM_WEDGE_RECOVERY_BUS_RESET,
  DRM_WEDGE_RECOVERY_REBIND,
  drmDevWedgedEvent,
  drmSchedEntityCancelReady,
  drmSchedEntityFlush,
  drmWedgedStateClear,
  schedKillObjects,
  type DrmDevice,
  type DrmGpuSchedStat,
  type DrmSchedJob,
} from "../drm/mod.js";
import { engineObjects, vtestEngineForceCompletion, type VtestEngine } from "./vtest_engine.js";
import { vtestEngineReset, vtestEnginesOf } from "./vtest_sched.js";

/** i915.reset's default: engine resets allowed. @see i915_params.h */
export const I915_RESET_DEFAULT = 3;

/** drm_i915_private's own state (the part the model has). */
export interface I915State {
  /** I915_WEDGED in gt->reset.flags. */
  wedged: boolean;
  /** The device's copy of the `reset` parameter: 0 none, 1 full GT reset, 2+ engine reset. */
  reset: number;
  /** gpu_error.reset_count: full resets tried. */
  resetCount: number;
  /** Where its debugfs files are: /sys/kernel/debug/dri/<primary minor>. */
  readonly debugfs: string;
}

export function newI915State(debugfs: string): I915State {
  return { wedged: false, reset: I915_RESET_DEFAULT, resetCount: 0, debugfs };
}

/** The i915 state in the container of `dev`. */
export function i915Of(dev: DrmDevice): I915State {
  return dev.driverData as I915State;
}

/** @see intel_gt_is_wedged() */
export function intelGtIsWedged(dev: DrmDevice): boolean {
  return i915Of(dev).wedged;
}

/** Logs as drm_notice() and friends do: the PCI driver and function first. */
export function i915Log(dev: DrmDevice, level: number, text: string): void {
  dev.sim.printk(level, `i915 ${dev.parent.name}: [drm] ${text}`);
}

function engines(dev: DrmDevice): readonly VtestEngine[] {
  return vtestEnginesOf(dev) ?? [];
}

/** A step that writes the engine, its ring's fences and its scheduler with every queued job. */
function engineKillStep(fn: string, engine: VtestEngine) {
  return lookupStep(fn, () => ({
    reads: [],
    writes: [...engineObjects(engine), ...schedKillObjects(engine.sched)],
  }));
}

/**
 * Wedges the GT (see the file comment): nop submission from now on, the rings and the ready
 * queued jobs end with -EIO.
 * @see __intel_gt_set_wedged()
 */
export function* intelGtSetWedged(dev: DrmDevice): Task<void> {
  yield step("intel_gt_set_wedged", [dev.parent], [dev]);
  const i915 = i915Of(dev);
  if (i915.wedged) return;
  i915.wedged = true;
  const eio = -errnoValue("EIO");
  for (const engine of engines(dev)) {
    yield engineKillStep("intel_gt_set_wedged", engine);
    yield* vtestEngineForceCompletion(engine, () => eio);
    for (const entity of [...engine.sched.entities]) {
      if (yield* drmSchedEntityCancelReady(entity, eio)) {
        yield engineKillStep("intel_gt_set_wedged", engine);
      }
    }
  }
}

/**
 * Lifts the wedge: waits until every queued job went through the nop submission (a job waits
 * for its foreign fence first), then the engines take jobs again. @see __intel_gt_unset_wedged()
 */
function* intelGtUnsetWedged(dev: DrmDevice): Task<void> {
  yield step("intel_gt_unset_wedged", [dev]);
  if (!i915Of(dev).wedged) return;
  for (const engine of engines(dev)) {
    const sched = engine.sched;
    for (;;) {
      const reads = () => ({ reads: [sched, ...sched.entities], writes: [] });
      yield lookupStep("intel_gt_unset_wedged", reads);
      const busy = sched.entities.find((e) => e.queue.length > 0 && !e.stopped);
      if (busy === undefined) break;
      yield* drmSchedEntityFlush(busy, 0);
    }
  }
  yield step("intel_gt_unset_wedged", [dev.parent], [dev]);
  i915Of(dev).wedged = false;
  drmWedgedStateClear(dev);
}

/** One of i915's own change uevents on the card (I915_ERROR_UEVENT, I915_RESET_UEVENT). */
function* i915Uevent(dev: DrmDevice, key: "ERROR" | "RESET", value: string): Task<void> {
  yield lookupStep("intel_gt_reset_global", () => {
    const primary = dev.primary;
    const kdev = primary?.kdev;
    const reads = [dev.parent, ...(primary ? [primary] : []), ...(kdev ? [kdev] : [])];
    return { reads, writes: [dev] };
  });
  const kdev = dev.primary?.kdev;
  if (kdev == null || !kdev.added) return;
  yield* kobjectUevent(kdev, "change", [[key, value]]);
}

/**
 * A full GT reset between i915's uevents; with resets disabled the GT is wedged instead and the
 * wedged event goes out (from 6.14). @see intel_gt_reset_global(), intel_gt_reset()
 */
function* intelGtResetGlobal(
  dev: DrmDevice,
  guilty: DrmSchedJob | null,
  reason: string,
): Task<void> {
  yield* i915Uevent(dev, "ERROR", "1");
  yield* i915Uevent(dev, "RESET", "1");
  yield* intelGtUnsetWedged(dev);
  const i915 = i915Of(dev);
  i915Log(dev, 5, `Resetting chip for ${reason}`);
  i915.resetCount += 1;
  if (i915.reset === 0) {
    i915Log(dev, 7, "GPU reset disabled");
    yield* intelGtSetWedged(dev);
  } else {
    for (const engine of engines(dev)) {
      const message = `i915 ${dev.parent.name}: [drm] ${engine.name} reset with the GT`;
      yield* vtestEngineReset(engine, guilty, "EIO", message, { level: 7 });
    }
  }
  yield step("intel_gt_reset_global", [dev.parent], [dev]);
  if (!i915.wedged) {
    yield* i915Uevent(dev, "ERROR", "0");
    return;
  }
  yield* drmDevWedgedEvent(dev, DRM_WEDGE_RECOVERY_REBIND | DRM_WEDGE_RECOVERY_BUS_RESET, null);
}

/**
 * A GPU error on the engines `mask` (bit i: engine i): an engine reset each where allowed,
 * else a full reset (see the file comment). `guilty` is the hung job, if one is known.
 * @see intel_gt_handle_error()
 */
export function* intelGtHandleError(
  dev: DrmDevice,
  mask: number,
  guilty: DrmSchedJob | null,
  reason: string,
): Task<void> {
  yield step("intel_gt_handle_error", [dev.parent], [dev]);
  const i915 = i915Of(dev);
  let left = mask;
  if (i915.reset >= 2 && !i915.wedged) {
    for (const engine of engines(dev)) {
      const bit = 2 ** engine.index;
      if ((left & bit) === 0) continue;
      const message = `i915 ${dev.parent.name}: [drm] Resetting ${engine.name} for ${reason}`;
      if (yield* vtestEngineReset(engine, guilty, "EIO", message, { level: 5 })) left &= ~bit;
    }
  }
  if (left === 0) return;
  yield* intelGtResetGlobal(dev, guilty, reason);
}

/**
 * timedout_job: the heartbeat found the engine stuck. A wedged GT has nothing to reset: its
 * ring was emptied with the wedge. @see heartbeat() in intel_engine_heartbeat.c
 */
export function* i915TimedoutJob(engine: VtestEngine, job: DrmSchedJob): Task<DrmGpuSchedStat> {
  const dev = engine.dev;
  yield step("i915_heartbeat", [dev.parent], [dev]);
  if (i915Of(dev).wedged) return "NO_HANG";
  i915Log(dev, 5, `${engine.name} heartbeat stopped: GPU HANG`);
  yield* intelGtHandleError(dev, 2 ** engine.index, job, `stopped heartbeat on ${engine.name}`);
  return "RESET";
}
