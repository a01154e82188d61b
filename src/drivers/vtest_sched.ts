/**
 * vtest's engines and their schedulers over the device's life: made at probe (a scheduler per
 * engine, credit limit VTEST_HW_SUBMISSION, timeout VTEST_JOB_TIMEOUT_MS), the timeout handler
 * (an engine reset, amdgpu-style: see vtest_engine.ts), and the teardown at remove, after
 * drm_dev_unplug(): the scheduler is parked, every entity's queued jobs are killed (-ESRCH),
 * the ring is force-completed with the unplug error, and drm_sched_fini() ends the rest. The
 * engines' and schedulers' memory goes with the device (a drmm action), since files still open
 * take their entities off the schedulers at close.
 *
 * @see amdgpu_job_timedout(), amdgpu_fence_driver_hw_fini(), amdgpu_fence_driver_sw_fini()
 */
import { dmaFenceSetError } from "../base/mod.js";
import { lookupStep, step, ticksFromMs, type KStruct, type Task } from "../kernel/mod.js";
import { errnoValue, VTEST_ENGINE_COUNT } from "../uapi/mod.js";
import {
  drmDevEnter,
  drmDevExit,
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

/** Made at probe, once the device is registered; the caller's step writes `dev`. */
export function vtestEnginesInit(dev: DrmDevice): void {
  const base = dev.primary?.name ?? dev.label;
  const engines: VtestEngine[] = [];
  for (let i = 0; i < VTEST_ENGINE_COUNT; i++) {
    const makeSched = (engine: VtestEngine): DrmGpuScheduler =>
      drmSchedInit(dev.kernel, engine.name, {
        runJob: (job) => vtestRunJob(engine, job as VtestSchedJob),
        timedoutJob: (job) => vtestTimedoutJob(engine, job),
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
function* vtestTimedoutJob(engine: VtestEngine, job: DrmSchedJob): Task<DrmGpuSchedStat> {
  const dev = engine.dev;
  const sched = engine.sched;
  const writes = (): KStruct[] => [dev.unplugSrcu, ...engineObjects(engine), ...schedObjects(sched)];
  const again = lookupStep("vtest_job_timedout", () => ({ reads: [dev], writes: writes() }));
  yield again;
  const token = drmDevEnter(dev);
  if (token === null) return "ENODEV";
  try {
    dev.sim.printk(3, `vtest: ${engine.name}: job timed out, resetting the engine`);
    dmaFenceSetError(sFenceOf(job).finished, -errnoValue("ETIME"));
    drmSchedStop(sched);
    const etime = -errnoValue("ETIME");
    const ecanceled = -errnoValue("ECANCELED");
    yield* vtestEngineForceCompletion(engine, (j) => (j === job ? etime : ecanceled));
    engine.resets += 1;
    yield* drmSchedResubmitJobs(sched);
    yield again;
    drmSchedStart(sched);
    return "RESET";
  } finally {
    drmDevExit(dev, token);
  }
}

/** At remove, after drm_dev_unplug(): see the file comment. */
export function* vtestEnginesFini(dev: DrmDevice): Task<void> {
  for (const engine of vtestEnginesOf(dev) ?? []) {
    const sched = engine.sched;
    yield lookupStep("vtest_engines_fini", () => ({ reads: [], writes: schedKillObjects(sched) }));
    drmSchedWqueueStop(sched);
    for (const entity of sched.entities) {
      if (yield* drmSchedEntityKill(entity)) yield schedStep("vtest_engines_fini", sched);
    }
    yield* vtestEngineFini(engine);
    yield* drmSchedFini(sched);
  }
}
