/**
 * vtest's engine: one timeline of out-fences per device (a dma_fence context), and jobs that
 * run for a given time, then signal their fence (DRM_IOCTL_VTEST_JOB). A job is a timer: a
 * kernel task that sleeps the job's duration, like an hrtimer whose callback signals.
 *
 * At remove, after drm_dev_unplug() (no new job can start: the ioctl enters the device), the
 * driver gives up on the jobs still running: each fence gets the profile's `unplugFenceError`
 * and is signalled, as amdgpu force-completes its ring fences (R61: -ECANCELED in mainline; D5:
 * the documented -ENODEV in uapi-doc), the same error as the engines' fences
 * (vtestTimelineForceCompletion()), then each timer is cancelled (hrtimer_cancel(): waits for
 * a callback already running) (vtestTimelineFini()). No fence of the device is left
 * unsignalled; vtest-nosignal, the broken variant, leaves out the first of the two.
 *
 * @see drivers/gpu/drm/vgem/vgem_fence.c for a test driver's timer-signalled fences;
 *      amdgpu_fence_driver_hw_fini() for force completion at unplug
 */
import {
  dmaFenceContextAlloc,
  dmaFencePut,
  dmaFenceSignal,
  variant,
  type DmaFence,
} from "../base/mod.js";
import {
  KObject,
  lookupStep,
  sleepTicks,
  step,
  ticksFromNsCeil,
  type SimTask,
  type StepYield,
  type Task,
} from "../kernel/mod.js";
import {
  errnoValue,
  fail,
  ok,
  type DRM_IOCTL_VTEST_JOB,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import {
  drmDevEnter,
  drmDevExit,
  drmSyncobjLookup,
  drmSyncobjObjects,
  drmSyncobjReplaceFence,
  type DrmDevice,
  type DrmFile,
} from "../drm/mod.js";
import { vtestFenceEmit, vtestFenceForceComplete } from "./vtest_fence.js";
import { VTEST_DURATION_NS_MAX } from "./vtest_limits.js";

interface VtestJob {
  readonly fence: DmaFence;
  task: SimTask | null;
  cancelled: boolean;
}

/** The device's engine: its fence context, the last seqno, the jobs running. */
export class VtestTimeline extends KObject {
  static readonly fixedFields = ["context", "name"];
  seqno = 0n;
  readonly pending = new Set<VtestJob>();
  constructor(dev: DrmDevice, readonly context: bigint, readonly name: string) {
    super(dev.sim, dev.sim.alloc("vtest_timeline", { label: `vtest timeline (${name})`, owner: dev }));
  }
}

const TIMELINE = Symbol("vtest timeline");
type WithTimeline = DrmDevice & { [TIMELINE]?: VtestTimeline };

/** The timeline of a vtest device (a field of its container, vtest_device). */
export function vtestTimelineOf(dev: DrmDevice): VtestTimeline | undefined {
  return (dev as WithTimeline)[TIMELINE];
}

/** Made at probe, once the device is registered; the caller's step writes `dev`. */
export function vtestTimelineInit(dev: DrmDevice): void {
  const name = dev.primary?.name ?? dev.label;
  const context = dmaFenceContextAlloc(dev.kernel, 1);
  (dev as WithTimeline)[TIMELINE] = new VtestTimeline(dev, context, name);
}

/** @see vgem_fence_attach_ioctl() for the shape; the timer signals, as vgem_fence_timeout() */
export function* vtestJobIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_VTEST_JOB>,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_VTEST_JOB>>> {
  const dev = file.dev;
  const tl = vtestTimelineOf(dev);
  if (tl === undefined || arg.duration_ns > VTEST_DURATION_NS_MAX) return fail("EINVAL");
  yield lookupStep("vtest_job_ioctl", () => {
    const out = drmSyncobjObjects(drmSyncobjLookup(file, arg.out_syncobj));
    return { reads: [dev], writes: [file, tl, dev.unplugSrcu, ...out] };
  });
  const syncobj = drmSyncobjLookup(file, arg.out_syncobj);
  if (syncobj === undefined) return fail("ENOENT");
  const token = drmDevEnter(dev);
  if (token === null) return fail("ENODEV");
  try {
    const fence = vtestFenceEmit(dev, tl);
    const job: VtestJob = { fence, task: null, cancelled: false };
    tl.pending.add(job);
    const ticks = ticksFromNsCeil(arg.duration_ns);
    job.task = dev.sim.spawn(`vtest job ${tl.context}:${tl.seqno}`, vtestJobRun(tl, job, ticks));
    yield* drmSyncobjReplaceFence(syncobj, fence);
    return ok({ seqno: Number(tl.seqno) });
  } finally {
    drmDevExit(dev, token);
  }
}

/**
 * The job's timer: signals the fence when the time is up, unless the driver cancelled it. The
 * timer is armed by the ioctl; this task may first run only after a cancel (the ioctl's caller
 * runs on, straight into the unplug), and then it does not wait: a cancelled timer never fires.
 */
function* vtestJobRun(tl: VtestTimeline, job: VtestJob, ticks: number): Task<void> {
  const timeout = step("vtest_job_timeout", [], [tl, job.fence]);
  if (job.cancelled) yield timeout;
  else yield sleepTicks(ticks, timeout);
  if (!job.cancelled) {
    tl.pending.delete(job);
    dmaFenceSignal(job.fence);
  }
  yield* dmaFencePut(job.fence);
}

/** The step that writes the timeline and the fences of its running jobs. */
function timelineStep(fn: string, tl: VtestTimeline): StepYield {
  return lookupStep(fn, () => ({ reads: [], writes: [tl, ...[...tl.pending].map((j) => j.fence)] }));
}

/**
 * At remove, after drm_dev_unplug(): the driver gives up on every running job, whose fence
 * gets the profile's `unplugFenceError` and is signalled.
 * @see amdgpu_fence_driver_force_completion()
 */
export function* vtestTimelineForceCompletion(dev: DrmDevice): Task<void> {
  const tl = vtestTimelineOf(dev);
  if (tl === undefined) return;
  yield timelineStep("vtest_fence_force_completion", tl);
  const error = -errnoValue(variant(dev.kernel.profile, "unplugFenceError"));
  for (const job of tl.pending) vtestFenceForceComplete(job.fence, error);
}

/**
 * At remove, after vtestTimelineForceCompletion(): every job's timer is cancelled (the
 * hardware is gone: what is still unsignalled now stays so), and the timeline is freed.
 */
export function* vtestTimelineFini(dev: DrmDevice): Task<void> {
  const tl = vtestTimelineOf(dev);
  if (tl === undefined) return;
  yield timelineStep("vtest_fence_fini", tl);
  const jobs = [...tl.pending];
  for (const job of jobs) {
    job.cancelled = true;
    tl.pending.delete(job);
  }
  const sim = dev.sim;
  for (const job of jobs) {
    if (job.task === null) continue;
    sim.wake(job.task); // hrtimer_cancel(): the timer does not fire
    yield* sim.join(job.task);
  }
  yield step("vtest_fence_fini", [], [dev, tl]);
  delete (dev as WithTimeline)[TIMELINE];
  sim.free(tl.mem, "vtest_fence_fini");
}
