/**
 * Stopping a scheduler: for a while (drm_sched_wqueue_stop(), before an engine is torn down)
 * and for good (drm_sched_fini(), at the driver's remove). After drm_sched_fini() no job is
 * taken any more, the entities are stopped (a flush waiting on them returns), the finished jobs
 * are freed, and the driver's cancel_job signals every other pending job's hardware fence with
 * an error, newest first, before it is freed (R59). A driver without cancel_job that leaves
 * jobs pending gets Linux's WARN, and the jobs are never freed.
 *
 * The scheduler's memory outlives drm_sched_fini(): entities of files still open are taken off
 * it at close, so the driver frees it with the device (drmSchedFree() in a drmm action).
 *
 * @see drm_sched_fini(), drm_sched_wqueue_stop(), drm_sched_wqueue_start() in
 *      drivers/gpu/drm/scheduler/sched_main.c
 */
import type { Task } from "../kernel/mod.js";
import { drmSchedJobFree, sFenceOf } from "./sched_job.js";
import { schedStep, type DrmGpuScheduler } from "./sched_main.js";

/** No job is taken or freed until started again. The step writes the scheduler. */
export function drmSchedWqueueStop(sched: DrmGpuScheduler): void {
  sched.paused = true;
}

/** @see drm_sched_wqueue_start() */
export function drmSchedWqueueStart(sched: DrmGpuScheduler): void {
  sched.paused = false;
  sched.wake.wakeUpAll();
}

/** Stops the thread and ends every job (see the file comment). @see drm_sched_fini() */
export function* drmSchedFini(sched: DrmGpuScheduler): Task<void> {
  const sim = sched.kernel.sim;
  yield schedStep("drm_sched_fini", sched);
  sched.stopRequested = true;
  sched.paused = true;
  sched.wake.wakeUpAll();
  const thread = sched.thread;
  if (thread !== null) yield* sim.join(thread); // kthread_stop()
  yield schedStep("drm_sched_fini", sched);
  sched.thread = null;
  sched.tdrDeadline = null;
  for (const entity of sched.entities) entity.stopped = true;
  sched.jobScheduled.wakeUpAll();
  const cancel = sched.ops.cancelJob;
  for (let i = sched.pending.length - 1; i >= 0; i--) {
    const job = sched.pending[i]!;
    if (!sFenceOf(job).finished.signaled) {
      if (cancel === undefined) continue;
      yield* cancel(job);
      yield schedStep("drm_sched_fini", sched);
    }
    sched.pending.splice(sched.pending.indexOf(job), 1);
    if (yield* drmSchedJobFree(job)) yield schedStep("drm_sched_fini", sched);
  }
  if (sched.pending.length > 0) {
    sim.warn(`drm_sched_fini: Tearing down scheduler ${sched.name} while jobs are pending!`);
  }
}

/** Frees the scheduler's memory, once no entity is on it. The step writes the scheduler. */
export function drmSchedFree(sched: DrmGpuScheduler): void {
  sched.kernel.sim.free(sched.mem, "drm_sched_free");
}
