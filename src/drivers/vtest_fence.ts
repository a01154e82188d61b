/**
 * vtest's hardware fences: each timeline (the device's VTEST_JOB timeline, each engine's ring)
 * is a dma_fence context of its own with a running seqno, and its fences are named
 * "vtest:<timeline>" (labelled with the device's bus address, for reports). The driver signals them when the work is done, or gives up on the work
 * by signalling them with an error (force completion at a reset or an unplug).
 *
 * @see amdgpu_fence_emit(), amdgpu_fence_driver_force_completion() for the pattern
 */
import {
  dmaFenceInit,
  dmaFenceSetError,
  dmaFenceSignal,
  type DmaFence,
  type DmaFenceOps,
} from "../base/mod.js";
import type { DrmDevice } from "../drm/mod.js";
import type { KStruct } from "../kernel/mod.js";

/**
 * A vtest fence timeline: its context, the last seqno emitted on it, and its name. Its fences
 * belong to it (in the trace).
 */
export interface VtestFenceTimeline extends KStruct {
  readonly context: bigint;
  seqno: bigint;
  readonly name: string;
}

function vtestFenceOps(tl: VtestFenceTimeline): DmaFenceOps {
  return { getDriverName: () => "vtest", getTimelineName: () => tl.name };
}

/**
 * The next fence of `tl`, a timeline of `dev`, unsignalled, with one reference (the
 * caller's). The calling step writes `tl`.
 */
export function vtestFenceEmit(dev: DrmDevice, tl: VtestFenceTimeline): DmaFence {
  tl.seqno += 1n;
  return dmaFenceInit(dev.kernel, vtestFenceOps(tl), tl.context, tl.seqno, tl, dev.parent.name);
}

/** The driver gives up on the fence's work: it signals with `error` (a negative errno). */
export function vtestFenceForceComplete(fence: DmaFence, error: number): void {
  dmaFenceSetError(fence, error);
  dmaFenceSignal(fence);
}
