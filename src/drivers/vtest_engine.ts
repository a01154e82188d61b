/**
 * vtest's engines: VTEST_ENGINE_COUNT rings, each a piece of simulated hardware with its own
 * GPU scheduler (drm_sched). The ring runs the jobs run_job gave it one after the other, each
 * for its duration, and signals each job's hardware fence when it is done (its interrupt: a
 * kernel task that sleeps until the head job's end). A job submitted with VTEST_SUBMIT_HANG
 * never ends on its own; a spinner (VTEST_SUBMIT_SPIN) ends when its batch says so, which the
 * ring checks once per loop of the batch (vtest_batch.ts).
 *
 * The driver's policy is amdgpu's: on a timeout (timedout_job) the ring is reset, the guilty
 * job's fences get -ETIME, the ring's other fences are force-completed and the other pending
 * jobs are run again (R61); with the device gone the handler answers ENODEV (R60). At unplug
 * every ring is force-completed with `unplugFenceError` (ECANCELED in mainline; the uAPI
 * documentation's ENODEV in uapi-doc, D5), after the queued jobs of every entity are killed
 * (-ESRCH, R58); then drm_sched_fini() (with cancel_job, R59). No fence is left unsignalled.
 *
 * @see drivers/gpu/drm/amd/amdgpu/amdgpu_job.c (amdgpu_job_run(), amdgpu_job_timedout()),
 *      amdgpu_fence.c (amdgpu_fence_driver_force_completion(), amdgpu_fence_driver_hw_fini())
 */
import {
  dmaFenceContextAlloc,
  dmaFenceGet,
  dmaFencePut,
  dmaFenceSetError,
  dmaFenceSignal,
  variant,
  type DmaFence,
} from "../base/mod.js";
import {
  KObject,
  lookupStep,
  WaitQueue,
  waitEventInterruptible,
  type KStruct,
  type SimTask,
  type Task,
} from "../kernel/mod.js";
import { errnoValue, type ErrnoName } from "../uapi/mod.js";
import {
  drmDevEnter,
  drmDevExit,
  drmSchedJobDoneFootprint,
  drmSchedJobObjects,
  sFenceOf,
  type DrmDevice,
  type DrmGpuScheduler,
  type DrmSchedJob,
  type DrmWedgeTaskInfo,
  type GemObject,
} from "../drm/mod.js";
import { vtestBatchEnded, VTEST_SPIN_LOOP_TICKS } from "./vtest_batch.js";
import { vtestFenceEmit, vtestFenceForceComplete } from "./vtest_fence.js";

/** What a vtest job asks of the hardware. */
export interface VtestJobData {
  readonly ticks: number;
  readonly hang: boolean;
  /** Loops over its batch until the batch ends it (`ticks` is not used). */
  readonly spin: boolean;
  /** The buffer it executes (a reference, dropped at free_job), or null. */
  readonly batch: GemObject | null;
  /**
   * The program that submitted it (its pid and name), which a driver may name when the job
   * hangs, as amdgpu records the submitting task on the file's VM (amdgpu_vm_set_task_info()).
   */
  readonly submitter: DrmWedgeTaskInfo;
}
export type VtestSchedJob = DrmSchedJob<VtestJobData>;

interface RingEntry {
  readonly fence: DmaFence;
  readonly job: VtestSchedJob;
  /** When the ring started it (it became the head), or null. */
  startTick: number | null;
}

export class VtestEngine extends KObject {
  static readonly fixedFields = ["dev", "index", "name", "context", "wake", "sched"];
  readonly ring: RingEntry[] = [];
  seqno = 0n;
  resets = 0;
  stopped = false;
  irq: SimTask | null = null;
  readonly context: bigint;
  readonly wake: WaitQueue;
  /** Its scheduler, made with the engine by `makeSched`. */
  readonly sched: DrmGpuScheduler;

  constructor(
    readonly dev: DrmDevice,
    readonly index: number,
    readonly name: string,
    makeSched: (engine: VtestEngine) => DrmGpuScheduler,
  ) {
    const sim = dev.sim;
    super(sim, sim.alloc("vtest_engine", { label: `vtest engine ${name}`, owner: dev }));
    this.context = dmaFenceContextAlloc(dev.kernel, 1);
    this.wake = new WaitQueue(sim, `vtest ${name}`);
    this.sched = makeSched(this);
  }
}

/** The engine, its ring's fences and what their callbacks touch (the jobs' done footprint). */
export function engineObjects(engine: VtestEngine): KStruct[] {
  return [engine, ...engine.ring.flatMap((e) => [e.fence, ...drmSchedJobDoneFootprint(e.job)])];
}

/** Starts the ring's interrupt task. */
export function vtestEngineStart(engine: VtestEngine): void {
  engine.irq = engine.dev.sim.spawn(`vtest ${engine.name} irq`, vtestEngineIrq(engine));
}

/** The batches of the ring's jobs, which the ring reads (a spinner's end). */
function ringBatches(engine: VtestEngine): KStruct[] {
  return engine.ring.flatMap((e) => (e.job.data.batch === null ? [] : [e.job.data.batch]));
}

/**
 * How long the head job has yet to run, started at `startTick`: 0 when it is done, null when
 * it never ends on its own; a spinner is looked at again after one loop of its batch.
 */
function ticksLeft(data: VtestJobData, startTick: number, now: number): number | null {
  if (data.hang) return null;
  if (data.spin) {
    return data.batch !== null && vtestBatchEnded(data.batch) ? 0 : VTEST_SPIN_LOOP_TICKS;
  }
  return Math.max(0, startTick + data.ticks - now);
}

/** The ring: runs its head job for its time, then signals its hardware fence. */
function* vtestEngineIrq(engine: VtestEngine): Task<void> {
  const again = lookupStep("vtest_engine_irq", () => ({
    reads: ringBatches(engine),
    writes: engineObjects(engine),
  }));
  yield again;
  const sim = engine.dev.sim;
  const reason = `vtest ${engine.name} idle`;
  for (;;) {
    if (engine.stopped) return;
    const head = engine.ring[0];
    if (head === undefined) {
      const work = (): boolean => engine.stopped || engine.ring.length > 0;
      yield* waitEventInterruptible(engine.wake, reason, work, null, again);
      continue;
    }
    head.startTick ??= sim.now;
    const left = ticksLeft(head.job.data, head.startTick, sim.now);
    if (left === 0) {
      engine.ring.shift();
      dmaFenceSignal(head.fence);
      yield* dmaFencePut(head.fence);
      continue;
    }
    const moved = (): boolean => engine.stopped || engine.ring[0] !== head;
    yield* waitEventInterruptible(engine.wake, `vtest ${engine.name} busy`, moved, left, again);
  }
}

/**
 * run_job: the job goes on the ring. A driver whose submission is a nop for now (`nopError`
 * gives an error: i915 wedged) completes it with that error without running it instead.
 * @see amdgpu_job_run(), nop_submit_request() in i915's intel_reset.c
 */
export function* vtestRunJob(
  engine: VtestEngine,
  job: VtestSchedJob,
  nopError?: (dev: DrmDevice) => ErrnoName | null,
): Task<DmaFence | null> {
  const dev = engine.dev;
  const writes = (): KStruct[] => [dev.unplugSrcu, ...engineObjects(engine), ...drmSchedJobObjects(job)];
  yield lookupStep("vtest_run_job", () => ({ reads: [dev], writes: writes() }));
  const nop = nopError?.(dev) ?? null;
  if (nop !== null) {
    dmaFenceSetError(sFenceOf(job).finished, -errnoValue(nop));
    return null;
  }
  const token = drmDevEnter(dev);
  if (token === null) {
    dmaFenceSetError(sFenceOf(job).finished, -errnoValue(unplugError(engine)));
    return null;
  }
  try {
    const fence = vtestFenceEmit(dev, engine);
    engine.ring.push({ fence, job, startTick: null });
    engine.wake.wakeUpAll();
    return dmaFenceGet(fence);
  } finally {
    drmDevExit(dev, token);
  }
}

function unplugError(engine: VtestEngine) {
  return variant(engine.dev.kernel.profile, "unplugFenceError");
}

/**
 * Empties the ring: each fence gets `errorOf` its job and is signalled (its callback, if the
 * scheduler still has one on it, ends the job). The calling step writes engineObjects().
 * @see amdgpu_fence_driver_force_completion()
 */
export function* vtestEngineForceCompletion(
  engine: VtestEngine,
  errorOf: (job: VtestSchedJob) => number,
): Task<void> {
  for (const entry of engine.ring.splice(0)) yield* forceCompleteEntry(entry, errorOf(entry.job));
  engine.wake.wakeUpAll();
}

/** A ring entry taken off the ring: its fence signals with `error`, and the ring's reference goes. */
function* forceCompleteEntry(entry: RingEntry, error: number): Task<void> {
  vtestFenceForceComplete(entry.fence, error);
  yield* dmaFencePut(entry.fence);
}

/** At unplug: the ring is force-completed with the unplug error, and its interrupt stopped. */
export function* vtestEngineFini(engine: VtestEngine): Task<void> {
  const error = -errnoValue(unplugError(engine));
  yield lookupStep("vtest_engine_fini", () => ({ reads: [], writes: engineObjects(engine) }));
  yield* vtestEngineForceCompletion(engine, () => error);
  engine.stopped = true;
  engine.wake.wakeUpAll();
  if (engine.irq !== null) yield* engine.dev.sim.join(engine.irq);
}

/** cancel_job at drm_sched_fini(): the job's fence gets the unplug error. */
export function* vtestCancelJob(engine: VtestEngine, job: VtestSchedJob): Task<void> {
  const writes = (): KStruct[] => [...engineObjects(engine), ...drmSchedJobObjects(job)];
  yield lookupStep("vtest_cancel_job", () => ({ reads: [], writes: writes() }));
  const i = engine.ring.findIndex((e) => e.job === job);
  if (i < 0) return;
  const [entry] = engine.ring.splice(i, 1);
  yield* forceCompleteEntry(entry!, -errnoValue(unplugError(engine)));
  engine.wake.wakeUpAll();
}
