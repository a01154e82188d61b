/**
 * The GPU scheduler (struct drm_gpu_scheduler): one per engine (ring). It takes jobs from its
 * entities (the oldest ready job first: DRM_SCHED_POLICY_FIFO) when their dependencies are
 * signalled and the engine has credits left (`creditLimit`, the hw_submission limit), hands
 * them to the driver (run_job), keeps them on its pending list while the hardware works, and
 * frees them once finished. A job on the hardware longer than `timeoutTicks` (since it started
 * or since the previous job finished) goes to the driver's timedout_job (sched_recovery.ts).
 *
 * The scheduler's thread is a kernel task (as drm_sched_main() was before the scheduler moved
 * to a workqueue in 6.8: one work loop either way), asleep interruptibly when idle. Every step
 * of it declares the scheduler with its entities, their first queued jobs and its pending jobs,
 * with their fences (schedObjects()): the jobs queued behind the first are not touched, so a
 * step costs the same whatever the depth of the queues. The driver's ops yield their own steps
 * for the driver's objects.
 *
 * drm_sched_fini() stops the thread, marks the entities stopped (their flushes return), frees
 * the finished jobs and, with the driver's cancel_job, cancels the others newest first (R59);
 * without it, pending jobs WARN and are left (a leak).
 *
 * @see drivers/gpu/drm/scheduler/sched_main.c, include/drm/gpu_scheduler.h
 */
import { dmaFenceGet, dmaFencePut, type DmaFence, type Kernel } from "../base/mod.js";
import {
  isFreed,
  KObject,
  lookupStep,
  WaitQueue,
  waitEventInterruptible,
  type KStruct,
  type SimTask,
  type StepYield,
  type Task,
} from "../kernel/mod.js";
import { drmSchedEntityHeadObjects, drmSchedEntityObjects, type DrmSchedEntity } from "./sched_entity.js";
import { drmSchedFenceScheduled } from "./sched_fence.js";
import {
  drmSchedJobFree,
  drmSchedJobObjects,
  sFenceOf,
  type DrmSchedJob,
} from "./sched_job.js";
import { drmSchedAttachParent, drmSchedJobTimedout } from "./sched_recovery.js";
import { drmSchedSelectJob } from "./sched_select.js";

/** What a timedout_job handler reports. @see enum drm_gpu_sched_stat */
export type DrmGpuSchedStat = "RESET" | "ENODEV" | "NO_HANG";

/** The driver's side (struct drm_sched_backend_ops); each op yields its own first step. */
export interface DrmSchedBackendOps {
  /** Gives the job to the hardware: its hardware fence (a new reference), or null if none. */
  runJob(job: DrmSchedJob): Task<DmaFence | null>;
  timedoutJob(job: DrmSchedJob): Task<DrmGpuSchedStat>;
  /**
   * Whether run_job completes jobs without giving them to the hardware (i915's
   * nop_submit_request() while wedged): such a running scheduler does no DMA.
   */
  nopSubmission?(): boolean;
  /** Makes the job's hardware fence signal with an error (drm_sched_fini). */
  cancelJob?(job: DrmSchedJob): Task<void>;
  /**
   * Drops what the driver's job holds besides the scheduler's fences (its buffers), just
   * before the job is freed. It yields its own first step only when it has something to drop,
   * and returns whether it did: then the caller's step is over.
   */
  freeJob?(job: DrmSchedJob): Task<boolean>;
}

export class DrmGpuScheduler extends KObject {
  static readonly fixedFields = [
    "kernel", "name", "ops", "creditLimit", "timeoutTicks", "wake", "jobScheduled",
  ];
  readonly entities: DrmSchedEntity[] = [];
  /** Jobs on the hardware or finished and not freed yet, oldest first. */
  readonly pending: DrmSchedJob[] = [];
  creditCount = 0;
  submitSeq = 0;
  /** When the running job times out (the timeout work's expiry), or null. */
  tdrDeadline: number | null = null;
  /** drm_sched_wqueue_stop(): no job is taken or freed until started again. */
  paused = false;
  stopRequested = false;
  thread: SimTask | null = null;
  /** The thread sleeps here (wake_up of the work). */
  readonly wake: WaitQueue;
  /** Flushing entities sleep here, woken when a job is taken. */
  readonly jobScheduled: WaitQueue;

  constructor(
    readonly kernel: Kernel,
    readonly name: string,
    readonly ops: DrmSchedBackendOps,
    readonly creditLimit: number,
    readonly timeoutTicks: number,
    owner: KStruct | undefined,
  ) {
    const sim = kernel.sim;
    super(sim, sim.alloc("drm_gpu_scheduler", { label: `drm_gpu_scheduler ${name}`, owner }));
    this.wake = new WaitQueue(sim, `drm_sched ${name}`);
    this.jobScheduled = new WaitQueue(sim, `drm_sched ${name} job_scheduled`);
  }
}

/** A checker's index (not kernel state): the schedulers made for each device. */
const BY_DEVICE = new WeakMap<KStruct, DrmGpuScheduler[]>();

/** The schedulers made for `dev` that are not freed yet (for the wedge prerequisites). */
export function drmSchedulersOf(dev: KStruct): readonly DrmGpuScheduler[] {
  return (BY_DEVICE.get(dev) ?? []).filter((s) => !isFreed(s));
}

/**
 * A scheduler with its thread started; `dev` is the device it runs for (in the trace, its
 * owner). @see drm_sched_init(), drm_sched_init_args.dev
 */
export function drmSchedInit(
  kernel: Kernel,
  name: string,
  ops: DrmSchedBackendOps,
  creditLimit: number,
  timeoutTicks: number,
  dev?: KStruct,
): DrmGpuScheduler {
  const sched = new DrmGpuScheduler(kernel, name, ops, creditLimit, timeoutTicks, dev);
  sched.thread = kernel.sim.spawn(`drm_sched ${name}`, drmSchedMain(sched));
  if (dev !== undefined) BY_DEVICE.set(dev, [...(BY_DEVICE.get(dev) ?? []), sched]);
  return sched;
}

function schedFootprint(sched: DrmGpuScheduler, ofEntity: (e: DrmSchedEntity) => KStruct[]): KStruct[] {
  return [sched, ...sched.entities.flatMap(ofEntity), ...sched.pending.flatMap(drmSchedJobObjects)];
}

/**
 * What the scheduler's own steps touch, as a footprint: the scheduler, its entities with their
 * first queued jobs (drmSchedEntityHeadObjects()), and every pending job with its fences.
 */
export function schedObjects(sched: DrmGpuScheduler): KStruct[] {
  return schedFootprint(sched, drmSchedEntityHeadObjects);
}

/** schedObjects() and every queued job of every entity: for a step that kills the entities. */
export function schedKillObjects(sched: DrmGpuScheduler): KStruct[] {
  return schedFootprint(sched, drmSchedEntityObjects);
}

/** A step of the scheduler's own, declaring schedObjects() in the state it runs in. */
export function schedStep(fn: string, sched: DrmGpuScheduler): StepYield {
  return lookupStep(fn, () => ({ reads: [], writes: schedObjects(sched) }));
}

/** schedStep(), and a fence the running code holds besides (run_job's, not attached yet). */
export function schedStepWith(fn: string, sched: DrmGpuScheduler, fence: DmaFence | null): StepYield {
  const more = fence === null ? [] : [fence];
  return lookupStep(fn, () => ({ reads: [], writes: [...schedObjects(sched), ...more] }));
}

/** The oldest pending job, if its finished fence is signalled. */
function finishedJob(sched: DrmGpuScheduler): DrmSchedJob | undefined {
  const job = sched.pending[0];
  return job !== undefined && sFenceOf(job).finished.signaled ? job : undefined;
}

function timedOut(sched: DrmGpuScheduler): boolean {
  return sched.tdrDeadline !== null && sched.kernel.sim.now >= sched.tdrDeadline;
}

/** The scheduler's thread. @see drm_sched_main() (up to 6.7), drm_sched_run_job_work() */
function* drmSchedMain(sched: DrmGpuScheduler): Task<void> {
  const again = schedStep("drm_sched_main", sched);
  yield again;
  const work = (): boolean =>
    sched.stopRequested ||
    (!sched.paused &&
      (finishedJob(sched) !== undefined || timedOut(sched) || drmSchedSelectJob(sched) !== null));
  for (;;) {
    if (sched.stopRequested) return;
    if (!sched.paused) {
      const done = finishedJob(sched);
      if (done !== undefined) {
        drmSchedFreeFinished(sched);
        if (yield* drmSchedJobFree(done)) yield again;
        continue;
      }
      if (timedOut(sched)) {
        yield* drmSchedJobTimedout(sched);
        yield again;
        continue;
      }
      const job = drmSchedSelectJob(sched);
      if (job !== null) {
        yield* drmSchedRunJob(sched, job);
        yield again;
        continue;
      }
    }
    // Stopped, it sleeps until started: a deadline passed meanwhile waits for the start (a
    // timed wait past its deadline would return at once, and the loop would spin).
    const deadline = sched.paused ? null : sched.tdrDeadline;
    const left = deadline === null ? null : deadline - sched.kernel.sim.now;
    yield* waitEventInterruptible(sched.wake, `drm_sched ${sched.name}`, work, left, again);
  }
}

/** Takes the finished job off the pending list; the timeout restarts for the next one. */
function drmSchedFreeFinished(sched: DrmGpuScheduler): void {
  sched.pending.shift();
  const sim = sched.kernel.sim;
  sched.tdrDeadline = sched.pending.length > 0 ? sim.now + sched.timeoutTicks : null;
}

/**
 * Moves the job from its entity to the hardware: it is scheduled, counted in the credits and
 * pending; then run_job, and its hardware fence's callback. @see drm_sched_run_job_work()
 */
function* drmSchedRunJob(sched: DrmGpuScheduler, job: DrmSchedJob): Task<void> {
  const entity = job.entity;
  entity.queue.shift();
  sched.jobScheduled.wakeUpAll();
  const sFence = sFenceOf(job);
  const last = entity.lastScheduled;
  entity.lastScheduled = dmaFenceGet(sFence.finished);
  if (last !== null) yield* dmaFencePut(last);
  sched.creditCount += job.credits;
  job.inFlight = true;
  sched.pending.push(job);
  sched.tdrDeadline ??= sched.kernel.sim.now + sched.timeoutTicks;
  drmSchedFenceScheduled(sFence);
  const fence = yield* sched.ops.runJob(job);
  yield schedStepWith("drm_sched_run_job_work", sched, fence);
  drmSchedAttachParent(job, fence);
}
