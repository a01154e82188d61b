/**
 * The check for fences never signalled, on a bare kernel: a waiter of a fence that nothing
 * can signal any more is reported once with the fence and the waiter, whether it sleeps on the
 * fence or on the queue of a callback; a fence whose signaller still sleeps, or a waiter with
 * a short limit, is not reported.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  FifoStrategy,
  findingSummary,
  Sim,
  sleepTicks,
  step,
  WaitQueue,
  waitEventInterruptible,
  type Task,
} from "../kernel/mod.js";
import {
  dmaFenceAddCallback,
  dmaFenceContextAlloc,
  dmaFenceInit,
  dmaFenceSignal,
  dmaFenceWaitTimeout,
  type DmaFence,
  type DmaFenceOps,
} from "./dma_fence.js";
import { reportFencesNeverSignalled } from "./dma_fence_hang.js";
import { Kernel } from "./kernel.js";

const OPS: DmaFenceOps = { getDriverName: () => "test", getTimelineName: () => "ring0" };
const HUNG_TICKS = 1000;
const FOREVER_TICKS = 2 ** 52;

function machine(): { sim: Sim; kernel: Kernel; fence: DmaFence } {
  const sim = new Sim({ seed: 1, strategy: new FifoStrategy(), hungTaskTicks: HUNG_TICKS });
  const kernel = new Kernel(sim, { name: "mainline", version: "7.1" });
  sim.onIdle(() => void reportFencesNeverSignalled(kernel));
  const fence = dmaFenceInit(kernel, OPS, dmaFenceContextAlloc(kernel, 1), 1n, undefined, "0000:01:00.0");
  return { sim, kernel, fence };
}

/** A task that waits for `fence` interruptibly for `ticks`; its result is what the wait gave. */
function* waiter(fence: DmaFence, ticks: number): Task<number> {
  const wake = step("waiter", [], [fence]);
  yield wake;
  return yield* dmaFenceWaitTimeout(fence, true, ticks, wake);
}

const summaries = (sim: Sim): string[] => sim.findings.map(findingSummary);

describe("fences never signalled (dma_fence_hang.ts)", () => {
  test("a waiter of a fence nothing can signal any more: one finding, with fence and waiter", () => {
    const { sim, fence } = machine();
    const task = sim.spawn("app", waiter(fence, FOREVER_TICKS));
    sim.spawn("other", (function* (): Task<void> {
      yield sleepTicks(5 * HUNG_TICKS, step("other"));
    })());
    sim.run();
    assert.deepEqual(summaries(sim), ["hang: dma_fence test:ring0:1:1 of 0000:01:00.0 is never " +
      "signalled; app waits on dma_fence_wait test:ring0:1:1"]);
    const [f] = sim.findings;
    assert.ok(f?.kind === "fence-never-signalled");
    assert.ok(f.waiters[0]!.sinceTick < 5 * HUNG_TICKS, "found once the other task's sleep ended");
    assert.equal(task.result, 0, "the wait ends at its (huge) limit, reported once");
  });

  test("a fence whose signaller still sleeps is not reported, and signals", () => {
    const { sim, fence } = machine();
    const task = sim.spawn("app", waiter(fence, FOREVER_TICKS));
    sim.spawn("irq", (function* (): Task<void> {
      yield sleepTicks(10 * HUNG_TICKS, step("irq", [], [fence]));
      dmaFenceSignal(fence);
    })());
    sim.run();
    assert.deepEqual(summaries(sim), []);
    assert.ok((task.result as number) > 0);
  });

  test("a waiter with a limit under the hung-task timeout only times out", () => {
    const { sim, fence } = machine();
    const task = sim.spawn("app", waiter(fence, HUNG_TICKS / 2));
    sim.run();
    assert.deepEqual(summaries(sim), []);
    assert.equal(task.result, 0);
  });

  test("a task asleep on the queue a callback wakes is the fence's waiter", () => {
    const { sim, fence } = machine();
    const wq = new WaitQueue(sim, "poll");
    sim.spawn("poller", (function* (): Task<void> {
      const wake = step("poller", [], [fence]);
      yield wake;
      let woken = false;
      dmaFenceAddCallback(fence, { func: null, wq }, () => {
        woken = true;
        wq.wakeUpAll();
      });
      yield* waitEventInterruptible(wq, "poll on ring0", () => woken, null, wake);
    })());
    sim.run();
    assert.deepEqual(summaries(sim), ["hang: dma_fence test:ring0:1:1 of 0000:01:00.0 is never " +
      "signalled; poller waits on poll on ring0"]);
  });
});
