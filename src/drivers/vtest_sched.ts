/**
 * vtest's engines and their schedulers over the device's life: made at probe (a scheduler per
 * engine, credit limit VTEST_HW_SUBMISSION, timeout VTEST_JOB_TIMEOUT_MS), the timeout handler
 * (an engine reset, amdgpu-style: see vtest_engine.ts), and the teardown at remove, after
 * drm_dev_unplug(): the scheduler is parked, every entity's queued jobs are killed (-ESRCH,
 * as the scheduler core gives them; -ENODEV under uapi-doc: `unplugQueuedFenceError`, R55), the ring is force-completed with the unplug error, and drm_sched_fini() ends the rest. The
 * engines' and schedulers' memory goes with the device (a drmm action), since files still open
 * take their entities off the schedulers at close.
 *
 * @see amdgpu_job_timedout(), amdgpu_fence_driver_hw_fini(), amdgpu_fence_driver_sw_fini()
 */
import { dmaFenceSetError, variant } from "../base/mod.js";
import { lookupStep, step, ticksFromMs, type KStruct, type Task } from "../kernel/mod.js";
import { PciDev, pciWrite32 } from "../pci/mod.js";
import { errnoValue, VTEST_ENGINE_COUNT, type ErrnoName } from "../uapi/mod.js";
import {
  drmmAddAction,
  drmSchedEntityKill,
  drmSchedFini,
  drmSchedFree,
  drmSchedInit,
  drmSchedResubmitJobs,
  drmSchedStart,
  drmSchedStop,
  drmSchedWqueueStop,
  schedKillObjects,
  schedObjects,
  schedStep,
  sFenceOf,
  type DrmDevice,
  type DrmGpuScheduler,
  type DrmGpuSchedStat,
  type DrmSchedJob,
} from "../drm/mod.js";
import { devSectionEnter, devSectionExit } from "./dev_section.js";
import { vtestFreeJob } from "./vtest_batch.js";
import {
  engineObjects,
  vtestCancelJob,
  vtestEngineFini,
  vtestEngineForceCompletion,
  vtestEngineStart,
  vtestRunJob,
  VtestEngine,
  type VtestSchedJob,
} from "./vtest_engine.js";

/** The register that resets an engine: one per engine, from this offset of the BAR. */
export const VTEST_ENGINE_RESET_REG = 0x0200;

/** The reset register of `engine`. */
export function vtestEngineResetReg(engine: VtestEngine): number {
  return VTEST_ENGINE_RESET_REG + 4 * engine.index;
}

/** Jobs each engine takes at once (hw_submission). */
export const VTEST_HW_SUBMISSION = 2;
/** How long a job may keep its engine before the scheduler calls it hung. */
export const VTEST_JOB_TIMEOUT_MS = 500;

const ENGINES = Symbol("vtest engines");
type WithEngines = DrmDevice & { [ENGINES]?: readonly VtestEngine[] };

/** The engines of a vtest device (fields of its container, vtest_device). */
export function vtestEnginesOf(dev: DrmDevice): readonly VtestEngine[] | undefined {
  return (dev as WithEngines)[ENGINES];
}

/** A driver's timedout_job for an engine (vtest's resets the engine). */
export type EngineTimedout = (engine: VtestEngine, job: DrmSchedJob) => Task<DrmGpuSchedStat>;

/** What a driver built on vtest's engines decides: its timeout policy, its nop submission. */
export interface VtestEnginePolicy {
  readonly timedout: EngineTimedout;
  /**
   * The error with which run_job completes a job without giving it to the hardware, or null
   * to run it (i915's nop_submit_request() while wedged: see i915_reset.ts).
   */
  readonly nopError?: (dev: DrmDevice) => ErrnoName | null;
}

/**
 * Made at probe, once the device is registered; the caller's step writes `dev`. A driver built
 * on vtest's engines (xe.ts, i915.ts, amdgpu.ts) gives its own timeout policy.
 */
export function vtestEnginesInit(
  dev: DrmDevice,
  policy: VtestEnginePolicy = { timedout: vtestTimedoutJob },
): void {
  const base = dev.primary?.name ?? dev.label;
  const engines: VtestEngine[] = [];
  const { timedout, nopError } = policy;
  for (let i = 0; i < VTEST_ENGINE_COUNT; i++) {
    const makeSched = (engine: VtestEngine): DrmGpuScheduler =>
      drmSchedInit(dev.kernel, engine.name, {
        runJob: (job) => vtestRunJob(engine, job as VtestSchedJob, nopError),
        nopSubmission: () => (nopError?.(dev) ?? null) !== null,
        timedoutJob: (job) => timedout(engine, job),
        cancelJob: (job) => vtestCancelJob(engine, job as VtestSchedJob),
        freeJob: (job) => vtestFreeJob(job as VtestSchedJob),
      }, VTEST_HW_SUBMISSION, ticksFromMs(VTEST_JOB_TIMEOUT_MS), dev);
    const engine = new VtestEngine(dev, i, `${base}-ring${i}`, makeSched);
    vtestEngineStart(engine);
    engines.push(engine);
  }
  (dev as WithEngines)[ENGINES] = engines;
  drmmAddAction(dev, "vtest_engines_free", vtestEnginesFree);
}

/** The device's release: the schedulers' and engines' memory. */
function* vtestEnginesFree(dev: DrmDevice): Task<void> {
  const engines = vtestEnginesOf(dev) ?? [];
  yield step("vtest_engines_free", [], [dev, ...engines, ...engines.map((e) => e.sched)]);
  for (const engine of engines) {
    drmSchedFree(engine.sched);
    dev.sim.free(engine.mem, "vtest_engines_free");
  }
  delete (dev as WithEngines)[ENGINES];
}

/** timedout_job: an engine reset (see vtest_engine.ts). @see amdgpu_job_timedout() */
export function* vtestTimedoutJob(engine: VtestEngine, job: DrmSchedJob): Task<DrmGpuSchedStat> {
  const message = `vtest: ${engine.name}: job timed out, resetting the engine`;
  return (yield* vtestEngineReset(engine, job, "ETIME", message)) ? "RESET" : "ENODEV";
}

/**
 * Resets `engine` (inside drm_dev_enter(); false, and nothing done, if the device is gone),
 * logging `message` at `level` (err by default): the scheduler is stopped, the `guilty`
 * job's finished fence gets `guiltyError`, the engine's reset register is written, the ring
 * is force-completed (the guilty job's hardware fence with that error, the others with
 * -ECANCELED), the other pending jobs are run again and the scheduler started. With `guilty`
 * null or another engine's job (an engine reset as part of a whole-GPU reset), every pending
 * job runs again. `guarded: false` leaves out drm_dev_enter() (a broken driver's reset, which
 * then reaches hardware that may be gone).
 * @see amdgpu_job_timedout(), amdgpu_ring_reset(), i915's __intel_engine_reset()
 */
export function* vtestEngineReset(
  engine: VtestEngine,
  guilty: DrmSchedJob | null,
  guiltyError: ErrnoName,
  message: string,
  { level = 3, guarded = true }: { level?: number; guarded?: boolean } = {},
): Task<boolean> {
  const dev = engine.dev;
  const sched = engine.sched;
  const writes = (): KStruct[] =>
    [dev.unplugSrcu, ...engineObjects(engine), ...schedObjects(sched)];
  const again = lookupStep("vtest_job_timedout", () => ({ reads: [dev], writes: writes() }));
  yield again;
  const section = devSectionEnter(dev, guarded);
  if (section === null) return false;
  try {
    dev.sim.printk(level, message);
    const bad = -errnoValue(guiltyError);
    const mine = guilty !== null && sched.pending.includes(guilty) ? guilty : null;
    if (mine !== null) dmaFenceSetError(sFenceOf(mine).finished, bad);
    drmSchedStop(sched);
    if (dev.parent instanceof PciDev) {
      yield* pciWrite32(dev.parent, vtestEngineResetReg(engine), 1);
      yield again;
    }
    const ecanceled = -errnoValue("ECANCELED");
    yield* vtestEngineForceCompletion(engine, (j) => (j === mine ? bad : ecanceled));
    engine.resets += 1;
    yield* drmSchedResubmitJobs(sched);
    yield again;
    drmSchedStart(sched);
    return true;
  } finally {
    devSectionExit(dev, section);
  }
}

/** At remove, after drm_dev_unplug(): see the file comment. */
export function* vtestEnginesFini(dev: DrmDevice): Task<void> {
  for (const engine of vtestEnginesOf(dev) ?? []) {
    const sched = engine.sched;
    yield lookupStep("vtest_engines_fini", () => ({ reads: [], writes: schedKillObjects(sched) }));
    drmSchedWqueueStop(sched);
    const killed = -errnoValue(variant(dev.kernel.profile, "unplugQueuedFenceError"));
    for (const entity of sched.entities) {
      if (yield* drmSchedEntityKill(entity, killed)) yield schedStep("vtest_engines_fini", sched);
    }
    yield* vtestEngineFini(engine);
    yield* drmSchedFini(sched);
  }
}
