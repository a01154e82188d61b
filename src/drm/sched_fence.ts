/**
 * The scheduler's fences of a job (struct drm_sched_fence): two dma_fences on the job's
 * entity's two timelines. `scheduled` signals when the scheduler hands the job to the hardware
 * (run_job), `finished` when the hardware is done with it, with the hardware fence's error, or
 * when the scheduler gives up on it (a killed entity: -ESRCH, R58). `finished` is the fence
 * userspace gets (a syncobj's, a sync_file's); it never waits on the hardware fence itself.
 *
 * @see drivers/gpu/drm/scheduler/sched_fence.c
 */
import {
  dmaFenceInit,
  dmaFencePut,
  dmaFenceSetError,
  dmaFenceSignal,
  type DmaFence,
  type DmaFenceOps,
  type Kernel,
} from "../base/mod.js";
import type { KStruct, Task } from "../kernel/mod.js";

export interface DrmSchedFence {
  readonly scheduled: DmaFence;
  readonly finished: DmaFence;
}

/**
 * Where the fences of an entity live: its two contexts and the scheduler's name. The fences
 * belong to it (in the trace).
 */
export interface SchedFenceTimeline extends KStruct {
  /** The scheduled fences' context; the finished fences' is the next one. */
  readonly fenceContext: bigint;
  readonly schedName: string;
}

/** The ops of both fences: drm_sched's driver name, the scheduler's name as the timeline. */
function schedFenceOps(schedName: string): DmaFenceOps {
  return { getDriverName: () => "drm_sched", getTimelineName: () => schedName };
}

/**
 * The two fences of a job with sequence number `seqno` on `tl`, unsignalled, one reference
 * each (the job's). @see drm_sched_fence_alloc(), drm_sched_fence_init()
 */
export function drmSchedFenceCreate(
  kernel: Kernel,
  tl: SchedFenceTimeline,
  seqno: bigint,
): DrmSchedFence {
  const ops = schedFenceOps(tl.schedName);
  return {
    scheduled: dmaFenceInit(kernel, ops, tl.fenceContext, seqno, tl),
    finished: dmaFenceInit(kernel, ops, tl.fenceContext + 1n, seqno, tl),
  };
}

/** The job went to the hardware. @see drm_sched_fence_scheduled() */
export function drmSchedFenceScheduled(fence: DrmSchedFence): void {
  dmaFenceSignal(fence.scheduled);
}

/**
 * The job is over: `result` is 0, or the negative error `finished` signals with (the hardware
 * fence's, or the scheduler's). @see drm_sched_fence_finished()
 */
export function drmSchedFenceFinished(fence: DrmSchedFence, result: number): void {
  if (fence.finished.signaled) return;
  if (result !== 0) dmaFenceSetError(fence.finished, result);
  dmaFenceSignal(fence.finished);
}

/** Drops the job's references to both fences. @see drm_sched_fence_free() */
export function* drmSchedFencePut(fence: DrmSchedFence): Task<void> {
  yield* dmaFencePut(fence.scheduled);
  yield* dmaFencePut(fence.finished);
}
