/**
 * Which job the scheduler runs next: of its entities' first queued jobs, those whose
 * dependencies are all signalled, while the engine has the credits for them, the oldest
 * (DRM_SCHED_POLICY_FIFO, the default). A job still waiting for a dependency gets a callback on
 * it that wakes the scheduler when it signals (drm_sched_entity_wakeup()), so the wait costs
 * nothing until then. The calling step writes schedObjects(sched).
 *
 * @see drm_sched_select_entity(), drm_sched_entity_pop_job(), drm_sched_job_dependency(),
 *      drm_sched_can_queue() in drivers/gpu/drm/scheduler/
 */
import { dmaFenceAddCallback } from "../base/mod.js";
import type { DrmSchedJob } from "./sched_job.js";
import type { DrmGpuScheduler } from "./sched_main.js";

/** Whether the engine has room for `job` (a job larger than the limit runs alone). */
function canQueue(sched: DrmGpuScheduler, job: DrmSchedJob): boolean {
  const credits = Math.min(job.credits, sched.creditLimit);
  return sched.creditLimit - sched.creditCount >= credits;
}

/**
 * Whether every dependency of `job` is signalled; otherwise waits (by callback) for the first
 * one that is not.
 */
function dependenciesDone(sched: DrmGpuScheduler, job: DrmSchedJob): boolean {
  const dep = job.dependencies.find((f) => !f.signaled);
  if (dep === undefined) return true;
  if (job.depWaiting === dep) return false;
  job.depWaiting = dep;
  const wake = (): void => sched.wake.wakeUpAll();
  return dmaFenceAddCallback(dep, job.depCb, wake) === "ENOENT" && dependenciesDone(sched, job);
}

/** The job to run now, or null (nothing ready, or no credits). */
export function drmSchedSelectJob(sched: DrmGpuScheduler): DrmSchedJob | null {
  if (sched.paused) return null;
  let best: DrmSchedJob | null = null;
  for (const entity of sched.entities) {
    if (entity.stopped) continue;
    const job = entity.queue[0];
    if (job === undefined || !dependenciesDone(sched, job)) continue;
    if (best === null || job.submitSeq < best.submitSeq) best = job;
  }
  return best !== null && canQueue(sched, best) ? best : null;
}
