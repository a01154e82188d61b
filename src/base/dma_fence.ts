/**
 * dma_fence: the kernel's one-shot completion of a piece of (GPU) work, shared between
 * drivers, files and processes by reference. A fence moves once from unsignalled to
 * signalled, optionally with an error set just before (R56); its status is 0 while
 * unsignalled, 1 once signalled without error, the negative error otherwise (R57).
 *
 * Who signals: the driver that made the fence (its work finished, or it gave up on it). A
 * fence released while still unsignalled with waiters is a bug: the release WARNs and signals
 * it with -EDEADLK, so that nobody waits for ever (dma_fence_release()). The core never leaves
 * a fence unsignalled on its own.
 *
 * Waiting: a waiter sleeps on the fence's wait queue, woken when the fence signals (Linux adds
 * a callback that wakes the task; the queue is the model of those callbacks). Callbacks
 * (dmaFenceAddCallback) run in the signaller's step, in the order they were added.
 *
 * Footprints: every function here touches the fence; the calling step declares it (a write
 * for signal, set_error, callbacks, get and put; a read for status and is_signaled, unless
 * the driver's `signaled` op may signal it).
 *
 * @see drivers/dma-buf/dma-fence.c, include/linux/dma-fence.h
 */
import {
  assert,
  KObject,
  Kref,
  krefGet,
  krefPut,
  waitEvent,
  waitEventInterruptible,
  WaitQueue,
  type KStruct,
  type StepYield,
  type Task,
} from "../kernel/mod.js";
import { errnoValue } from "../uapi/mod.js";
import type { Kernel } from "./kernel.js";

/** The largest errno a fence error may carry, as negative values go. @see MAX_ERRNO */
export const MAX_ERRNO = 4095;
/** What an interrupted kernel wait returns; userspace sees EINTR. @see include/linux/errno.h */
export const ERESTARTSYS = 512;

/**
 * What the fence's provider implements (struct dma_fence_ops). Names are required; the rest
 * are optional, as in Linux.
 */
export interface DmaFenceOps {
  getDriverName(fence: DmaFence): string;
  getTimelineName(fence: DmaFence): string;
  /**
   * Called once, when someone first needs the fence to signal (a waiter, a callback); false
   * means the work is already done and the fence is signalled at once.
   */
  enableSignaling?(fence: DmaFence): boolean;
  /** Polled by dmaFenceIsSignaled(): true once the work is done, even if not signalled yet. */
  signaled?(fence: DmaFence): boolean;
  /** Called when the last reference goes, before the fence is freed. */
  release?(fence: DmaFence): void;
}

/** A callback entry (struct dma_fence_cb); `func` runs once, when the fence signals. */
export interface DmaFenceCb {
  func: ((fence: DmaFence, cb: DmaFenceCb) => void) | null;
  /**
   * The queue `func` wakes, when it wakes a task that waits for the fence: the task of
   * default_wait_cb or syncobj_wait_entry, the poll queue of a sync_file. It lets a checker
   * name who waits for a fence (see dma_fence_hang.ts).
   */
  readonly wq?: WaitQueue;
}

/**
 * Per kernel, the unsignalled fences that a task started to wait for (it may have stopped
 * since): a checker's index (dma_fence_hang.ts), not kernel state. A fence leaves it when it
 * signals or is released.
 */
const WAITED = new WeakMap<Kernel, Set<DmaFence>>();

/** The unsignalled fences of `kernel` that tasks waited for, in the order first waited for. */
export function waitedFences(kernel: Kernel): ReadonlySet<DmaFence> {
  return WAITED.get(kernel) ?? new Set();
}

function noteWaited(fence: DmaFence): void {
  let fences = WAITED.get(fence.kernel);
  if (fences === undefined) WAITED.set(fence.kernel, (fences = new Set()));
  fences.add(fence);
}

export class DmaFence extends KObject {
  static readonly fixedFields = ["ops", "context", "seqno", "ref", "wait", "kernel"];
  readonly ref: Kref;
  /** DMA_FENCE_FLAG_SIGNALED_BIT. */
  signaled = false;
  /** DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT: enableSignaling was called. */
  signalingEnabled = false;
  /** 0, or the negative errno set before signalling. */
  error = 0;
  /** When it signalled (the tick), or null. */
  timestampTick: number | null = null;
  readonly cbList: DmaFenceCb[] = [];
  /** Where waiters sleep (the wake-ups of their callbacks). */
  readonly wait: WaitQueue;

  constructor(
    readonly kernel: Kernel,
    readonly ops: DmaFenceOps,
    readonly context: bigint,
    readonly seqno: bigint,
    owner?: KStruct,
  ) {
    const sim = kernel.sim;
    super(sim, sim.alloc("dma_fence", { label: `dma_fence ${context}:${seqno}`, owner }));
    this.ref = new Kref(sim, this);
    this.wait = new WaitQueue(sim, `dma_fence ${context}:${seqno}`);
  }
}

/**
 * `num` new fence contexts (timelines), numbered from 1 up, kernel-wide.
 * @see dma_fence_context_alloc()
 */
export function dmaFenceContextAlloc(kernel: Kernel, num: number): bigint {
  assert(num > 0, "Cannot allocate fence contexts: none asked for");
  return kernel.allocFenceContexts(num);
}

/**
 * A new unsignalled fence holding one reference, labelled "dma_fence <name>" (fenceName()),
 * followed by `device` when given: the device whose work it stands for, for findings. `owner`
 * is what the fence belongs to in the trace (the timeline or job that made it).
 * @see dma_fence_init()
 */
export function dmaFenceInit(
  kernel: Kernel,
  ops: DmaFenceOps,
  context: bigint,
  seqno: bigint,
  owner?: KStruct,
  device?: string,
): DmaFence {
  const fence = new DmaFence(kernel, ops, context, seqno, owner);
  const of = device === undefined ? "" : ` of ${device}`;
  kernel.sim.relabel(fence.mem, `dma_fence ${fenceName(fence)}${of}`);
  return fence;
}

export function dmaFenceGet(fence: DmaFence): DmaFence {
  krefGet(fence.ref);
  return fence;
}

/** Drops a reference; the last one releases the fence (see the file comment). */
export function* dmaFencePut(fence: DmaFence): Task<void> {
  yield* krefPut(fence.ref, function* () {
    dmaFenceRelease(fence);
  });
}

/**
 * dmaFencePut() for a caller that cannot yield (an event sent by the vblank interrupt): Linux's
 * dma_fence_put() never sleeps, and neither does the model's release, so it runs to its end.
 */
export function dmaFencePutAtomic(fence: DmaFence): void {
  const r = dmaFencePut(fence).next();
  assert(r.done === true, `Cannot put fence ${fenceName(fence)} atomically: its release yielded`);
}

/** @see dma_fence_release() */
function dmaFenceRelease(fence: DmaFence): void {
  const sim = fence.kernel.sim;
  if (!fence.signaled && fence.cbList.length > 0) {
    sim.warn(`dma_fence_release: fence ${fenceName(fence)} released with pending signals`);
    dmaFenceSetError(fence, -errnoValue("EDEADLK"));
    dmaFenceSignal(fence);
  }
  fence.ops.release?.(fence);
  WAITED.get(fence.kernel)?.delete(fence);
  sim.free(fence.mem, "dma_fence_release");
}

/** "driver:timeline:context:seqno", as the kernel prints a fence. */
export function fenceName(fence: DmaFence): string {
  const { ops } = fence;
  const { context, seqno } = fence;
  return `${ops.getDriverName(fence)}:${ops.getTimelineName(fence)}:${context}:${seqno}`;
}

/**
 * Sets the error the fence will signal with. R56: WARNs (and still stores it, as Linux does)
 * when the fence is already signalled, or when `error` is not in -MAX_ERRNO..-1.
 * @see dma_fence_set_error() in include/linux/dma-fence.h
 */
export function dmaFenceSetError(fence: DmaFence, error: number): void {
  const sim = fence.kernel.sim;
  if (fence.signaled) sim.warn(`dma_fence_set_error: fence ${fenceName(fence)} already signaled`);
  if (!(Number.isInteger(error) && error < 0 && error >= -MAX_ERRNO)) {
    const name = fenceName(fence);
    sim.warn(`dma_fence_set_error: error ${error} of fence ${name} not in -${MAX_ERRNO}..-1`);
  }
  fence.error = error;
}

/**
 * Signals the fence: stamps it, runs its callbacks in order and wakes its waiters. Returns
 * false if it was signalled already (and then does nothing), as dma_fence_check_and_signal().
 * @see dma_fence_signal_timestamp_locked()
 */
export function dmaFenceSignal(fence: DmaFence): boolean {
  if (fence.signaled) return false;
  fence.signaled = true;
  const sim = fence.kernel.sim;
  fence.timestampTick = sim.now;
  sim.traceSignaled(fence.mem, fence.error);
  WAITED.get(fence.kernel)?.delete(fence);
  const cbs = fence.cbList.splice(0);
  for (const cb of cbs) {
    const func = cb.func;
    assert(func !== null, `Cannot signal fence ${fenceName(fence)}: a callback without a function`);
    func(fence, cb);
  }
  fence.wait.wakeUpAll();
  return true;
}

/**
 * Whether the fence is signalled; asks the provider's `signaled` op and signals the fence if
 * it says the work is done.
 * @see dma_fence_is_signaled()
 */
export function dmaFenceIsSignaled(fence: DmaFence): boolean {
  if (fence.signaled) return true;
  if (fence.ops.signaled?.(fence) === true) {
    dmaFenceSignal(fence);
    return true;
  }
  return false;
}

/**
 * R57: 0 while unsignalled, 1 once signalled without error, the negative error otherwise.
 * @see dma_fence_get_status()
 */
export function dmaFenceGetStatus(fence: DmaFence): number {
  if (!dmaFenceIsSignaled(fence)) return 0;
  return fence.error !== 0 ? fence.error : 1;
}

/** Asks the provider to signal when done (once). @see dma_fence_enable_sw_signaling() */
export function dmaFenceEnableSwSignaling(fence: DmaFence): void {
  if (fence.signalingEnabled) return;
  fence.signalingEnabled = true;
  if (fence.signaled) return;
  if (fence.ops.enableSignaling?.(fence) === false) dmaFenceSignal(fence);
}

/**
 * Adds `cb` to run when the fence signals. "ENOENT" (and `cb` is not added) if the fence is
 * signalled already, or signals while its signalling is being enabled.
 * @see dma_fence_add_callback()
 */
export function dmaFenceAddCallback(
  fence: DmaFence,
  cb: DmaFenceCb,
  func: NonNullable<DmaFenceCb["func"]>,
): 0 | "ENOENT" {
  if (fence.signaled) return "ENOENT";
  dmaFenceEnableSwSignaling(fence);
  if (fence.signaled) return "ENOENT";
  cb.func = func;
  fence.cbList.push(cb);
  if (cb.wq !== undefined) noteWaited(fence);
  return 0;
}

/**
 * Removes `cb`; false if it was not queued (the fence signalled, and ran it, already).
 * @see dma_fence_remove_callback()
 */
export function dmaFenceRemoveCallback(fence: DmaFence, cb: DmaFenceCb): boolean {
  const i = fence.cbList.indexOf(cb);
  if (i < 0) return false;
  fence.cbList.splice(i, 1);
  return true;
}

/**
 * Waits up to `timeoutTicks` for the fence. Returns the ticks left (at least 1 if it was
 * signalled already, 0 if signalled exactly at the deadline), 0 if the time ran out, or
 * -ERESTARTSYS if the wait was interruptible (`intr`) and a signal came. `resume` is the step
 * the task runs each time it wakes: it must read the fence.
 * @see dma_fence_wait_timeout(), dma_fence_default_wait()
 */
export function* dmaFenceWaitTimeout(
  fence: DmaFence,
  intr: boolean,
  timeoutTicks: number,
  resume: StepYield,
): Task<number> {
  const valid = Number.isInteger(timeoutTicks) && timeoutTicks >= 0;
  assert(valid, `Cannot wait for fence ${fenceName(fence)}: timeout ${timeoutTicks}`);
  const sim = fence.kernel.sim;
  dmaFenceEnableSwSignaling(fence);
  const done = timeoutTicks === 0 ? 1 : timeoutTicks;
  if (fence.signaled) return done;
  if (intr && sim.fatalSignalPending()) return -ERESTARTSYS;
  if (timeoutTicks === 0) return 0;
  const deadline = sim.now + timeoutTicks;
  const reason = `dma_fence_wait ${fenceName(fence)}`;
  const signaled = (): boolean => fence.signaled;
  noteWaited(fence);
  if (!intr) {
    const ok = yield* waitEvent(fence.wait, reason, signaled, timeoutTicks, resume);
    return ok ? deadline - sim.now : 0;
  }
  const r = yield* waitEventInterruptible(fence.wait, reason, signaled, timeoutTicks, resume);
  if (r === "interrupted") return -ERESTARTSYS;
  return r === "ready" ? deadline - sim.now : 0;
}

/**
 * Waits without a time limit (MAX_SCHEDULE_TIMEOUT) until the fence is signalled: 0, or
 * -ERESTARTSYS when the wait was interruptible (`intr`) and a signal came. `resume` is the
 * step the task runs each time it wakes: it must read the fence.
 * @see dma_fence_wait()
 */
export function* dmaFenceWait(fence: DmaFence, intr: boolean, resume: StepYield): Task<number> {
  const sim = fence.kernel.sim;
  dmaFenceEnableSwSignaling(fence);
  if (fence.signaled) return 0;
  if (intr && sim.fatalSignalPending()) return -ERESTARTSYS;
  const reason = `dma_fence_wait ${fenceName(fence)}`;
  const signaled = (): boolean => fence.signaled;
  noteWaited(fence);
  if (!intr) {
    yield* waitEvent(fence.wait, reason, signaled, null, resume);
    return 0;
  }
  const r = yield* waitEventInterruptible(fence.wait, reason, signaled, null, resume);
  return r === "interrupted" ? -ERESTARTSYS : 0;
}

/** Stub fence ops: the already signalled fences the core makes itself. */
const STUB_OPS: DmaFenceOps = {
  getDriverName: () => "stub",
  getTimelineName: () => "stub",
};

/**
 * A new fence of its own context, signalled already (SYNCOBJ_SIGNAL, CREATE_SIGNALED), made
 * for `owner` (in the trace).
 * @see dma_fence_allocate_private_stub()
 */
export function dmaFenceAllocatePrivateStub(kernel: Kernel, owner?: KStruct): DmaFence {
  const fence = dmaFenceInit(kernel, STUB_OPS, dmaFenceContextAlloc(kernel, 1), 0n, owner);
  dmaFenceSignal(fence);
  return fence;
}
