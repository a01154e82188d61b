/**
 * The check for fences that are never signalled. dma-fence's rule is that every fence
 * signals in finite time: a driver that gives up on the work (a reset, an unplug) signals the
 * fence with an error, so that no waiter waits for ever. A driver that forgets leaves its
 * waiters waiting for ever; since the signal is the kernel's to give, that is a kernel hang
 * even when the wait is interruptible (a program in DRM_IOCTL_SYNCOBJ_WAIT, or in poll() of a
 * sync_file, which the hung-task detector does not count).
 *
 * The check runs when the simulation is at rest (Sim.onIdle(): no task can run, no timer is
 * due) and proves "never": a fence can only be signalled by a task that runs, so if no task
 * is sleeping and every task with a pending timeout is waiting for an unsignalled fence, no
 * task will ever run again except those waiters, when their time runs out, and a waiter that
 * gives up does not signal what it waited for. (A waiter's process could, after its timeout,
 * close a file and so end the queued jobs of a scheduler stuck behind the fence; such a job's
 * fence waits for this fence, which is the one reported.) Each such fence with a waiter that
 * waits longer than the hung-task timeout (or without a timeout: the Linux clamp of an
 * INT64_MAX wait, MAX_SCHEDULE_TIMEOUT - 1, is for ever in practice) is a finding
 * `fence-never-signalled`, naming the fence (its label carries the device when the driver
 * gave it one) and every task waiting for it. A waiter with a shorter time limit only gets
 * its timeout; the fence is reported when someone waits for it longer.
 *
 * The waiters of a fence are the tasks asleep on its own queue (dma_fence_wait()) and on the
 * queues its callbacks wake (DmaFenceCb.wq). Linux has no such detector; the model can have
 * one because it knows when nothing can run.
 *
 * @see Documentation/driver-api/dma-buf.rst, "Indefinite DMA Fences"
 */
import { assert, type Sim, type SimTask, type WaitQueue } from "../kernel/mod.js";
import { waitedFences, type DmaFence } from "./dma_fence.js";
import type { Kernel } from "./kernel.js";

/** Fences already reported, so that the next moment at rest does not report them again. */
const REPORTED = new WeakSet<DmaFence>();

/** The queues a task waiting for `fence` sleeps on. */
function fenceQueues(fence: DmaFence): WaitQueue[] {
  const queues = [fence.wait];
  for (const cb of fence.cbList) if (cb.wq !== undefined) queues.push(cb.wq);
  return queues;
}

/** The tasks asleep waiting for `fence`, each once, in the order they are found. */
function fenceWaiters(fence: DmaFence): SimTask[] {
  return [...new Set(fenceQueues(fence).flatMap((wq) => wq.tasks))];
}

/**
 * Whether only the waiters of unsignalled fences can ever run again: no task sleeps, and each
 * task with a pending timeout waits on one of `queues`. Newest tasks first: they are the ones
 * likely to be sleeping, which ends the search early.
 */
function onlyFenceWaitersLeft(sim: Sim, queues: ReadonlySet<WaitQueue>): boolean {
  const tasks = sim.allTasks;
  for (let i = tasks.length - 1; i >= 0; i--) {
    const t = tasks[i]!;
    if (t.state === "sleeping") return false;
    const on = t.blockedOn;
    if (on !== null && on.untilTick !== null && !queues.has(on.wq)) return false;
  }
  return true;
}

/** Whether `task` waits longer than the hung-task timeout from now, or for ever. */
function waitsTooLong(sim: Sim, task: SimTask): boolean {
  const until = task.blockedOn?.untilTick ?? null;
  return until === null || until - sim.now > sim.hungTaskTicks;
}

/**
 * Reports a `fence-never-signalled` finding for each fence that can never be signalled while
 * a task waits for it too long (see the file comment). Caller must: call it at rest, outside
 * any task (Sim.onIdle()). Returns the number of findings reported.
 */
export function reportFencesNeverSignalled(kernel: Kernel): number {
  const sim = kernel.sim;
  assert(sim.current === null, "Cannot check fences at rest: a task is running");
  const waited = new Map<DmaFence, SimTask[]>();
  for (const fence of waitedFences(kernel)) {
    const tasks = fenceWaiters(fence);
    if (tasks.length > 0) waited.set(fence, tasks);
  }
  if (waited.size === 0) return 0;
  const queues = new Set([...waited.keys()].flatMap(fenceQueues));
  if (!onlyFenceWaitersLeft(sim, queues)) return 0;
  let reported = 0;
  for (const [fence, tasks] of waited) {
    if (REPORTED.has(fence) || !tasks.some((t) => waitsTooLong(sim, t))) continue;
    REPORTED.add(fence);
    const waiters = tasks.map((t) => sim.waiterOf(t));
    sim.report({ kind: "fence-never-signalled", fence: fence.mem.label, waiters });
    reported++;
  }
  return reported;
}
