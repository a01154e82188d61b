/**
 * A scheduler job (struct drm_sched_job): a piece of work a driver hands to drm_sched through
 * an entity. It is made (drm_sched_job_init), given the fences it must wait for
 * (drm_sched_job_add_dependency), armed (its two scheduler fences are made, drm_sched_job_arm)
 * and pushed to its entity's queue. The scheduler runs it when its dependencies are signalled
 * and the engine has room (credits), keeps it on its pending list while the hardware works,
 * and frees it once its finished fence is signalled.
 *
 * `parent` is the hardware fence run_job returned; its callback (drm_sched_job_done_cb) runs
 * in the step of whoever signals it (the engine's interrupt, a reset, a force completion): that
 * step must declare drmSchedJobDoneFootprint() of the job.
 *
 * @see drivers/gpu/drm/scheduler/sched_main.c (drm_sched_job_init() and what follows)
 */
import {
  dmaFenceGet,
  dmaFencePut,
  dmaFenceRemoveCallback,
  type DmaFence,
  type DmaFenceCb,
} from "../base/mod.js";
import { KObject, type KStruct, type Task } from "../kernel/mod.js";
import {
  drmSchedFenceCreate,
  drmSchedFenceFinished,
  drmSchedFencePut,
  type DrmSchedFence,
} from "./sched_fence.js";
import type { DrmSchedEntity } from "./sched_entity.js";
import type { DrmGpuScheduler } from "./sched_main.js";

export class DrmSchedJob<D = unknown> extends KObject {
  static readonly fixedFields = ["entity", "sched", "credits", "data", "parentCb", "depCb"];
  /** Null until armed. */
  sFence: DrmSchedFence | null = null;
  /** The fences it waits for before it may run (a reference each). */
  readonly dependencies: DmaFence[] = [];
  /** The hardware fence of its current run (a reference), null before it runs. */
  parent: DmaFence | null = null;
  /** Its credits are counted in the scheduler's credit count (it is on the hardware). */
  inFlight = false;
  /** Its submission number on its scheduler: the FIFO policy's order (oldest first). */
  submitSeq = 0;
  /** The callback on `parent` (drm_sched_job_done_cb). */
  readonly parentCb: DmaFenceCb = { func: null };
  /** The callback on the dependency it waits for now (drm_sched_entity_wakeup). */
  readonly depCb: DmaFenceCb = { func: null };
  /** The dependency `depCb` is on, or null. */
  depWaiting: DmaFence | null = null;

  constructor(
    readonly entity: DrmSchedEntity,
    readonly sched: DrmGpuScheduler,
    readonly credits: number,
    readonly data: D,
  ) {
    const sim = sched.kernel.sim;
    super(sim, sim.alloc("drm_sched_job", { label: `drm_sched_job (${sched.name})`, owner: entity }));
  }
}

/** A new job of `entity`, not armed. @see drm_sched_job_init() */
export function drmSchedJobInit<D>(entity: DrmSchedEntity, credits: number, data: D): DrmSchedJob<D> {
  return new DrmSchedJob(entity, entity.sched, credits, data);
}

/**
 * The job waits for `fence` before it runs; a signalled fence is not kept. (Linux also keeps
 * only the latest fence of a context; waiting for each is the same wait.)
 * @see drm_sched_job_add_dependency()
 */
export function drmSchedJobAddDependency(job: DrmSchedJob, fence: DmaFence): void {
  if (fence.signaled) return;
  job.dependencies.push(dmaFenceGet(fence));
}

/** Makes the job's scheduler fences, next on its entity's timeline. @see drm_sched_job_arm() */
export function drmSchedJobArm(job: DrmSchedJob): DrmSchedFence {
  const entity = job.entity;
  entity.fenceSeq += 1n;
  job.sFence = drmSchedFenceCreate(job.sched.kernel, entity, entity.fenceSeq);
  return job.sFence;
}

/** The job's scheduler fences; armed jobs only. */
export function sFenceOf(job: DrmSchedJob): DrmSchedFence {
  const s = job.sFence;
  if (s === null) throw new Error(`Cannot use ${job.mem.label}: not armed`);
  return s;
}

/** What the step that signals a job's hardware fence touches through its callback. */
export function drmSchedJobDoneFootprint(job: DrmSchedJob): KStruct[] {
  return [job.sched, job, sFenceOf(job).finished];
}

/**
 * The hardware is done with the job (`result`: 0 or its negative error): its credits are
 * returned, its finished fence signalled, and the scheduler woken to free it.
 * @see drm_sched_job_done()
 */
export function drmSchedJobDone(job: DrmSchedJob, result: number): void {
  const sched = job.sched;
  if (job.inFlight) {
    job.inFlight = false;
    sched.creditCount -= job.credits;
  }
  drmSchedFenceFinished(sFenceOf(job), result);
  sched.wake.wakeUpAll();
}

/** Everything a job holds, as a footprint: itself, its fences and its dependencies. */
export function drmSchedJobObjects(job: DrmSchedJob): KStruct[] {
  const s = job.sFence;
  const fences = s === null ? [] : [s.scheduled, s.finished];
  const parent = job.parent === null ? [] : [job.parent];
  return [job, ...fences, ...parent, ...job.dependencies];
}

/**
 * Drops what the job holds (its dependencies, its hardware and scheduler fences), lets the
 * driver drop what its part holds (free_job), and frees it. The calling step writes
 * drmSchedJobObjects(job). Returns true when the driver's free_job yielded a step of its own:
 * the caller then yields one again before it touches more objects.
 * @see drm_sched_job_cleanup(), drm_sched_backend_ops.free_job
 */
export function* drmSchedJobFree(job: DrmSchedJob): Task<boolean> {
  if (job.depWaiting !== null) dmaFenceRemoveCallback(job.depWaiting, job.depCb);
  job.depWaiting = null;
  if (job.parent !== null && job.parentCb.func !== null) {
    dmaFenceRemoveCallback(job.parent, job.parentCb);
  }
  for (const dep of job.dependencies.splice(0)) yield* dmaFencePut(dep);
  const parent = job.parent;
  job.parent = null;
  if (parent !== null) yield* dmaFencePut(parent);
  if (job.sFence !== null) yield* drmSchedFencePut(job.sFence);
  const freeJob = job.sched.ops.freeJob;
  const yielded = freeJob === undefined ? false : yield* freeJob(job);
  job.sched.kernel.sim.free(job.mem, "drm_sched_job_cleanup");
  return yielded;
}
