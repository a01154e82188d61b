/**
 * DRM_IOCTL_SYNCOBJ_WAIT: a host-side wait for the fences of several syncobjs, for the first
 * one (its index comes back in `first_signaled`) or for all of them (WAIT_ALL). A syncobj
 * without a fence fails the call with EINVAL, unless WAIT_FOR_SUBMIT makes the wait last until
 * a fence is put in it. The wait sleeps interruptibly: a signal ends it with EINTR (the
 * kernel's -ERESTARTSYS as a program sees it), and the time running out with ETIME.
 *
 * The timeout is an absolute CLOCK_MONOTONIC time in nanoseconds (the virtual clock: a tick is
 * a microsecond); 0, or a time already past, only checks once. The model waits until the
 * first tick at or after that time (Linux rounds up to whole jiffies).
 *
 * A fence signalled with an error counts as signalled: the call returns 0 and says nothing of
 * the error (a program asks the fence, e.g. through a sync_file, SYNC_IOC_FILE_INFO). The wait
 * holds no drm_dev_enter(): an unplug of the device does not end it; the driver signalling its
 * fences does.
 *
 * @see drm_syncobj_wait_ioctl(), drm_syncobj_array_wait_timeout(),
 *      drm_timeout_abs_to_jiffies() in drivers/gpu/drm/drm_syncobj.c
 */
import {
  dmaFenceAddCallback,
  dmaFenceIsSignaled,
  dmaFencePut,
  dmaFenceRemoveCallback,
  fenceName,
  type Kernel,
} from "../base/mod.js";
import {
  lookupStep,
  nsFromTicks,
  ticksFromNsCeil,
  WaitQueue,
  waitEventInterruptible,
  type KStruct,
  type StepYield,
  type Task,
} from "../kernel/mod.js";
import {
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
  fail,
  ok,
  type DRM_IOCTL_SYNCOBJ_WAIT,
  type ErrnoName,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmFile } from "./file.js";
import {
  drmSyncobjFenceGet,
  drmSyncobjObjects,
  type DrmSyncobj,
  type SyncobjWaitEntry,
} from "./syncobj.js";
import {
  drmSyncobjArrayFind,
  drmSyncobjArrayFree,
  syncobjStep,
  syncobjUnsupported,
} from "./syncobj_ioctl.js";

const WAIT_FLAGS =
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE;
/** The longest wait (MAX_SCHEDULE_TIMEOUT - 1 in Linux): kept exact as a number of ticks. */
const WAIT_TICKS_MAX = 2 ** 52;
/** first_signaled when no fence was found signalled: (uint32_t)~0. */
const NONE_SIGNALED = 0xffffffff;

/**
 * Ticks from now until the absolute CLOCK_MONOTONIC time `timeoutNs`: 0 for 0 (a poll) or a
 * time already past. @see drm_timeout_abs_to_jiffies()
 */
export function drmTimeoutAbsToTicks(kernel: Kernel, timeoutNs: bigint): number {
  if (timeoutNs === 0n) return 0;
  const nowNs = nsFromTicks(kernel.sim.now);
  if (timeoutNs <= nowNs) return 0;
  return Math.min(ticksFromNsCeil(timeoutNs - nowNs), WAIT_TICKS_MAX);
}

type WaitOut = IoctlOutOf<typeof DRM_IOCTL_SYNCOBJ_WAIT>;

/** @see drm_syncobj_wait_ioctl() */
export function* drmSyncobjWaitIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_SYNCOBJ_WAIT>,
): Task<SysResult<WaitOut>> {
  const unsupported = syncobjUnsupported(file);
  if (unsupported !== null) return unsupported;
  if ((arg.flags & ~WAIT_FLAGS) !== 0 || arg.count_handles === 0) return fail("EINVAL");
  yield syncobjStep("drm_syncobj_array_find", file, arg.handles.slice(0, arg.count_handles));
  const found = drmSyncobjArrayFind(file, arg.handles, arg.count_handles);
  if (!found.ok) return found;
  const syncobjs = found.value;
  const timeoutTicks = drmTimeoutAbsToTicks(file.dev.kernel, arg.timeout_nsec);
  const r = yield* drmSyncobjArrayWaitTimeout(file.dev.kernel, syncobjs, arg.flags, timeoutTicks);
  yield waitStep("drm_syncobj_array_free", syncobjs, []);
  yield* drmSyncobjArrayFree(syncobjs);
  return typeof r === "string" ? fail(r) : ok({ first_signaled: r });
}

/** A step that writes the syncobjs, their fences and the fences the wait entries hold. */
function waitStep(
  fn: string,
  syncobjs: readonly DrmSyncobj[],
  entries: readonly SyncobjWaitEntry[],
): StepYield {
  return lookupStep(fn, () => {
    const writes: KStruct[] = [];
    for (const s of syncobjs) writes.push(...drmSyncobjObjects(s));
    for (const e of entries) if (e.fence !== null) writes.push(e.fence);
    return { reads: [], writes };
  });
}

/** What the wait's passes over its entries found: an answer, or keep waiting (null). */
type Verdict = number | ErrnoName | null;

/**
 * The first pass: takes each syncobj's fence; EINVAL for one without (unless WAIT_FOR_SUBMIT),
 * the first signalled index if that is enough already.
 */
function initialPass(
  syncobjs: readonly DrmSyncobj[],
  entries: readonly SyncobjWaitEntry[],
  flags: number,
): { verdict: Verdict; first: number } {
  const forSubmit = (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT) !== 0;
  let first = NONE_SIGNALED;
  let signaledCount = 0;
  for (let i = 0; i < syncobjs.length; i++) {
    const fence = drmSyncobjFenceGet(syncobjs[i]!);
    if (fence === null) {
      if (!forSubmit) return { verdict: "EINVAL", first };
      continue;
    }
    entries[i]!.fence = fence;
    if (!dmaFenceIsSignaled(fence)) continue;
    if (signaledCount === 0) first = i;
    signaledCount++;
  }
  const waitAll = (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL) !== 0;
  const done = signaledCount === syncobjs.length || (signaledCount > 0 && !waitAll);
  return { verdict: done ? first : null, first };
}

/**
 * One pass of the wait loop: with WAIT_ALL, whether every fence is signalled; else the index
 * of the first signalled one. Adds the wake-up callback to each fence not signalled yet.
 */
function signaledPass(
  entries: readonly SyncobjWaitEntry[],
  waitAll: boolean,
): number | "all" | null {
  let signaledCount = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.fence === null) continue;
    const added = e.cb.func !== null || dmaFenceAddCallback(e.fence, e.cb, e.wake) === 0;
    if (added && !dmaFenceIsSignaled(e.fence)) continue;
    if (!waitAll) return i;
    signaledCount++;
  }
  return signaledCount === entries.length ? "all" : null;
}

function waitReason(entries: readonly SyncobjWaitEntry[]): string {
  const names = entries.map((e) => (e.fence === null ? "(no fence yet)" : fenceName(e.fence)));
  return `drm_syncobj_wait on ${names.join(", ")}`;
}

/**
 * Waits as the file comment says; returns the index of the first signalled fence (or
 * NONE_SIGNALED) or the errno. @see drm_syncobj_array_wait_timeout()
 */
function* drmSyncobjArrayWaitTimeout(
  kernel: Kernel,
  syncobjs: readonly DrmSyncobj[],
  flags: number,
  timeoutTicks: number,
): Task<number | ErrnoName> {
  const sim = kernel.sim;
  const wq = new WaitQueue(sim, "drm_syncobj_wait");
  let woken = false;
  const wake = (): void => {
    woken = true;
    wq.wakeUpAll();
  };
  const entries = syncobjs.map((): SyncobjWaitEntry => ({ fence: null, cb: { func: null, wq }, wake }));
  const resume = waitStep("drm_syncobj_array_wait_timeout", syncobjs, entries);
  let { verdict, first } = initialPass(syncobjs, entries, flags);
  if (verdict === null && (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT) !== 0) {
    syncobjs.forEach((s, i) => drmSyncobjFenceAddWait(s, entries[i]!));
  }
  const waitAll = (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL) !== 0;
  const deadline = sim.now + timeoutTicks;
  while (verdict === null) {
    const found = signaledPass(entries, waitAll);
    if (found === "all") verdict = first;
    else if (found !== null) verdict = first = found;
    else if (deadline - sim.now <= 0) verdict = "ETIME";
    else if (sim.fatalSignalPending()) verdict = "EINTR"; // -ERESTARTSYS
    else {
      woken = false;
      const leftTicks = deadline - sim.now;
      yield* waitEventInterruptible(wq, waitReason(entries), () => woken, leftTicks, resume);
    }
  }
  yield* cleanupEntries(syncobjs, entries);
  return verdict;
}

/**
 * Waits for a fence to appear in `syncobj`, or takes the one it has.
 * @see drm_syncobj_fence_add_wait()
 */
function drmSyncobjFenceAddWait(syncobj: DrmSyncobj, entry: SyncobjWaitEntry): void {
  if (entry.fence !== null) return;
  const fence = drmSyncobjFenceGet(syncobj);
  if (fence === null) syncobj.cbList.push(entry);
  else entry.fence = fence;
}

/** Takes every entry off its syncobj and fence, and drops the fences. */
function* cleanupEntries(
  syncobjs: readonly DrmSyncobj[],
  entries: readonly SyncobjWaitEntry[],
): Task<void> {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const s = syncobjs[i]!;
    const at = s.cbList.indexOf(e);
    if (at >= 0) s.cbList.splice(at, 1);
    if (e.fence === null) continue;
    if (e.cb.func !== null) dmaFenceRemoveCallback(e.fence, e.cb);
    yield* dmaFencePut(e.fence);
  }
}
