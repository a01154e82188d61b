/**
 * A scheduler entity (struct drm_sched_entity): one submission queue of one client (a file,
 * a context) on one scheduler, with its own two fence timelines (scheduled, finished). Jobs
 * leave it in order, when the scheduler picks them.
 *
 * At the end of its client (the file's close), the entity is flushed and killed
 * (drm_sched_entity_destroy()): the flush waits for the scheduler to take every queued job,
 * at most MAX_WAIT_SCHED_ENTITY_Q_EMPTY when the process is exiting, killably otherwise; then
 * the jobs still queued are killed: their scheduled fence signals, their finished fence
 * signals with -ESRCH (R58), and they are freed without running. Jobs already on the hardware
 * run on. (Linux signals the killed jobs' fences after the entity's last scheduled job
 * finishes; the model signals them at the kill.)
 *
 * @see drivers/gpu/drm/scheduler/sched_entity.c
 */
import {
  currentProcessExiting,
  dmaFenceContextAlloc,
  dmaFencePut,
  type DmaFence,
} from "../base/mod.js";
import {
  KObject,
  lookupStep,
  step,
  ticksFromMs,
  waitEvent,
  waitEventInterruptible,
  type KStruct,
  type Task,
} from "../kernel/mod.js";
import { errnoValue } from "../uapi/mod.js";
import { drmSchedFenceFinished, drmSchedFenceScheduled } from "./sched_fence.js";
import { drmSchedJobFree, drmSchedJobObjects, type DrmSchedJob } from "./sched_job.js";
import type { DrmGpuScheduler } from "./sched_main.js";

/** How long a closing, exiting process's entity may take to drain. @see sched_entity.c */
export const MAX_WAIT_SCHED_ENTITY_Q_EMPTY_TICKS = ticksFromMs(1000);

export class DrmSchedEntity extends KObject {
  static readonly fixedFields = ["sched", "fenceContext", "schedName"];
  readonly queue: DrmSchedJob[] = [];
  /** The last seqno armed on its timelines. */
  fenceSeq = 0n;
  /** Killed, or its scheduler is gone: nothing more is taken from it. */
  stopped = false;
  /** The finished fence of the last job the scheduler took (a reference). */
  lastScheduled: DmaFence | null = null;
  readonly fenceContext: bigint;
  readonly schedName: string;

  constructor(readonly sched: DrmGpuScheduler, label: string) {
    const sim = sched.kernel.sim;
    super(sim, sim.alloc("drm_sched_entity", { label: `drm_sched_entity ${label}`, owner: sched }));
    this.fenceContext = dmaFenceContextAlloc(sched.kernel, 2);
    this.schedName = sched.name;
  }
}

/**
 * A new entity on `sched`, named `label` in traces. The calling step writes the scheduler.
 * @see drm_sched_entity_init()
 */
export function drmSchedEntityInit(sched: DrmGpuScheduler, label: string): DrmSchedEntity {
  const entity = new DrmSchedEntity(sched, label);
  sched.entities.push(entity);
  return entity;
}

/** The entity and everything its queued jobs hold, as a footprint (a kill touches them all). */
export function drmSchedEntityObjects(entity: DrmSchedEntity): KStruct[] {
  const last = entity.lastScheduled === null ? [] : [entity.lastScheduled];
  return [entity, ...last, ...entity.queue.flatMap(drmSchedJobObjects)];
}

/**
 * What the scheduler's thread touches of the entity: itself, its last scheduled fence and its
 * first queued job (the one it may select, run, or wait on a dependency of). The jobs behind
 * it wait untouched, so a step of the thread costs the same whatever the depth of the queue.
 */
export function drmSchedEntityHeadObjects(entity: DrmSchedEntity): KStruct[] {
  const last = entity.lastScheduled === null ? [] : [entity.lastScheduled];
  const head = entity.queue[0];
  return [entity, ...last, ...(head === undefined ? [] : drmSchedJobObjects(head))];
}

/**
 * Queues an armed job and wakes the scheduler. A job pushed to a stopped entity is killed at
 * once (Linux logs an error and drops it). The calling step writes the entity, its scheduler
 * and the job. Returns true when the kill's free_job yielded (drmSchedJobFree()): the
 * caller's step is over.
 * @see drm_sched_entity_push_job()
 */
export function* drmSchedEntityPushJob(job: DrmSchedJob): Task<boolean> {
  const { entity, sched } = job;
  if (entity.stopped) {
    sched.kernel.sim.printk(3, "[drm] *ERROR* Trying to push to a killed entity");
    return yield* drmSchedKillJob(job, -errnoValue("ESRCH"));
  }
  job.submitSeq = ++sched.submitSeq;
  entity.queue.push(job);
  sched.wake.wakeUpAll();
  return false;
}

/** A job that will not run: scheduled, then finished with `error`, then freed. */
function* drmSchedKillJob(job: DrmSchedJob, error: number): Task<boolean> {
  if (job.sFence !== null) {
    drmSchedFenceScheduled(job.sFence);
    drmSchedFenceFinished(job.sFence, error);
  }
  return yield* drmSchedJobFree(job);
}

/**
 * Stops the entity and ends every queued job with `error`: -ESRCH as the scheduler core gives
 * them (R58), unless a driver killing it at unplug passes the profile's error (R55). The
 * calling step writes drmSchedEntityObjects(entity). Returns true when a job's free_job yielded
 * (drmSchedJobFree()): the caller's step is over.
 * @see drm_sched_entity_kill()
 */
export function* drmSchedEntityKill(entity: DrmSchedEntity, error = -errnoValue("ESRCH")): Task<boolean> {
  entity.stopped = true;
  const jobs = entity.queue.splice(0);
  let yielded = false;
  for (const [i, job] of jobs.entries()) {
    if (!(yield* drmSchedKillJob(job, error))) continue;
    yielded = true;
    const rest = jobs.slice(i + 1);
    yield lookupStep("drm_sched_entity_kill", () => ({
      reads: [],
      writes: [entity, ...rest.flatMap(drmSchedJobObjects)],
    }));
  }
  return yielded;
}

/**
 * Ends the entity's queued jobs that wait for nothing any more (every dependency signalled),
 * oldest first, with `error`, without running them; the first job still waiting for a
 * dependency stays queued, with the jobs behind it, for the scheduler to take when it is
 * ready (a driver whose run_job no longer reaches the hardware ends it then). The calling
 * step writes drmSchedEntityObjects(entity). Returns true when a job's free_job yielded: the
 * caller's step is over. (A driver's cancel of its submitted requests, as i915's
 * execlists_reset_cancel() does while wedging, in drm_sched terms.)
 */
export function* drmSchedEntityCancelReady(entity: DrmSchedEntity, error: number): Task<boolean> {
  let yielded = false;
  for (;;) {
    const job = entity.queue[0];
    if (job === undefined || !job.dependencies.every((f) => f.signaled)) return yielded;
    entity.queue.shift();
    if (!(yield* drmSchedKillJob(job, error))) continue;
    yielded = true;
    yield lookupStep("drm_sched_entity_cancel_ready", () => ({
      reads: [],
      writes: drmSchedEntityObjects(entity),
    }));
  }
}

/**
 * Waits for the scheduler to take every queued job: at most `timeoutTicks` if the process is
 * exiting, else until then or a fatal signal. @see drm_sched_entity_flush()
 */
export function* drmSchedEntityFlush(entity: DrmSchedEntity, timeoutTicks: number): Task<void> {
  const sched = entity.sched;
  const recheck = step("drm_sched_entity_flush", [entity]);
  yield recheck;
  const idle = (): boolean => entity.queue.length === 0 || entity.stopped;
  const reason = `drm_sched_entity_flush (${sched.name})`;
  if (currentProcessExiting(sched.kernel)) {
    yield* waitEvent(sched.jobScheduled, reason, idle, timeoutTicks, recheck);
  } else {
    yield* waitEventInterruptible(sched.jobScheduled, reason, idle, null, recheck);
  }
}

/**
 * Kills what is left, takes the entity off its scheduler and frees it.
 * @see drm_sched_entity_fini()
 */
export function* drmSchedEntityFini(entity: DrmSchedEntity): Task<void> {
  const sched = entity.sched;
  const objects = (): KStruct[] => [sched, ...drmSchedEntityObjects(entity)];
  yield lookupStep("drm_sched_entity_fini", () => ({ reads: [], writes: objects() }));
  if (yield* drmSchedEntityKill(entity)) {
    yield lookupStep("drm_sched_entity_fini", () => ({ reads: [], writes: objects() }));
  }
  const i = sched.entities.indexOf(entity);
  if (i >= 0) sched.entities.splice(i, 1);
  const last = entity.lastScheduled;
  entity.lastScheduled = null;
  if (last !== null) yield* dmaFencePut(last);
  sched.kernel.sim.free(entity.mem, "drm_sched_entity_fini");
}

/** Flush, then fini. @see drm_sched_entity_destroy() */
export function* drmSchedEntityDestroy(entity: DrmSchedEntity): Task<void> {
  yield* drmSchedEntityFlush(entity, MAX_WAIT_SCHED_ENTITY_Q_EMPTY_TICKS);
  yield* drmSchedEntityFini(entity);
}
