/**
 * Timeouts and engine recovery. When the oldest job on the hardware has run longer than the
 * scheduler's timeout, the scheduler calls the driver's timedout_job with it
 * (drm_sched_job_timedout()). A driver that resets the engine does it in the helpers' order:
 * drm_sched_stop() detaches the scheduler from the hardware fences, the driver resets the
 * engine (the guilty job's fence signals with -ETIME, R61), drm_sched_resubmit_jobs() runs the
 * other pending jobs again and drm_sched_start() re-attaches: a job whose hardware fence is
 * signalled already is done with its error. After the handler the timeout restarts, unless it
 * said ENODEV (the device is gone: nothing to recover, R60) or the scheduler is stopped.
 *
 * @see drivers/gpu/drm/scheduler/sched_main.c (drm_sched_job_timedout(), drm_sched_stop(),
 *      drm_sched_start(), drm_sched_resubmit_jobs())
 */
import {
  dmaFenceAddCallback,
  dmaFencePut,
  dmaFenceRemoveCallback,
  type DmaFence,
} from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import { drmSchedWqueueStart, drmSchedWqueueStop } from "./sched_fini.js";
import { drmSchedJobDone, sFenceOf, type DrmSchedJob } from "./sched_job.js";
import { schedStep, schedStepWith, type DrmGpuScheduler } from "./sched_main.js";

/**
 * Makes `fence` (a reference, or null: no hardware work) the job's hardware fence and attaches
 * drm_sched_job_done_cb(); a fence signalled already makes the job done at once.
 */
export function drmSchedAttachParent(job: DrmSchedJob, fence: DmaFence | null): void {
  job.parent = fence;
  if (fence === null) {
    drmSchedJobDone(job, 0);
    return;
  }
  const done = (f: DmaFence): void => drmSchedJobDone(job, f.error);
  if (dmaFenceAddCallback(fence, job.parentCb, done) === "ENOENT") drmSchedJobDone(job, fence.error);
}

/** The timeout work: the oldest pending job goes to the driver. @see drm_sched_job_timedout() */
export function* drmSchedJobTimedout(sched: DrmGpuScheduler): Task<void> {
  sched.tdrDeadline = null;
  const job = sched.pending[0];
  if (job === undefined) return;
  const sim = sched.kernel.sim;
  const finished = sFenceOf(job).finished;
  sim.printk(3, `[drm:drm_sched_job_timedout] *ERROR* ${sched.name} timeout, fence ` +
    `${finished.context}:${finished.seqno}`);
  const status = yield* sched.ops.timedoutJob(job);
  yield schedStep("drm_sched_job_timedout", sched);
  if (status === "ENODEV" || sched.stopRequested || sched.pending.length === 0) return;
  sched.tdrDeadline = sim.now + sched.timeoutTicks;
}

/**
 * Parks the scheduler and detaches it from the hardware fences of its pending jobs: their
 * credits are returned (the engine is about to be reset). The calling step writes
 * schedObjects(sched). @see drm_sched_stop()
 */
export function drmSchedStop(sched: DrmGpuScheduler): void {
  drmSchedWqueueStop(sched);
  for (const job of sched.pending) {
    if (job.parent === null || !dmaFenceRemoveCallback(job.parent, job.parentCb)) continue;
    if (job.inFlight) sched.creditCount -= job.credits;
    job.inFlight = false;
  }
}

/**
 * Runs every pending job that is not over (its finished fence has no error and its hardware
 * fence is not signalled) again on the reset engine, replacing its hardware fence. Each run is
 * a step of the driver's; the steps in between write schedObjects(sched).
 * @see drm_sched_resubmit_jobs()
 */
export function* drmSchedResubmitJobs(sched: DrmGpuScheduler): Task<void> {
  for (const job of [...sched.pending]) {
    const finished = sFenceOf(job).finished;
    if (finished.signaled || finished.error !== 0) continue;
    const old = job.parent;
    job.parent = null;
    if (old !== null) yield* dmaFencePut(old);
    sched.creditCount += job.credits;
    job.inFlight = true;
    const fence = yield* sched.ops.runJob(job);
    yield schedStepWith("drm_sched_resubmit_jobs", sched, fence);
    job.parent = fence;
  }
}

/**
 * Re-attaches the scheduler to its pending jobs' hardware fences (a job whose fence signalled
 * is done with its error) and unparks it. The calling step writes schedObjects(sched).
 * @see drm_sched_start()
 */
export function drmSchedStart(sched: DrmGpuScheduler): void {
  for (const job of [...sched.pending]) {
    if (sFenceOf(job).finished.signaled) continue;
    drmSchedAttachParent(job, job.parent);
  }
  drmSchedWqueueStart(sched);
}
