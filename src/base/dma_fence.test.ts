/**
 * dma_fence at the boundary its users see: status numbers (R57), the WARNs of set_error
 * (R56), callbacks and their -ENOENT, waits on the virtual clock (remaining ticks, 0 on
 * timeout, -ERESTARTSYS on a signal), the provider's ops, and the sanitizer on a put fence.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FifoStrategy, Sim, sleepTicks, step, type Task } from "../kernel/mod.js";
import {
  DmaFence,
  dmaFenceAddCallback,
  dmaFenceAllocatePrivateStub,
  dmaFenceContextAlloc,
  dmaFenceGet,
  dmaFenceGetStatus,
  dmaFenceInit,
  dmaFenceIsSignaled,
  dmaFencePut,
  dmaFenceRemoveCallback,
  dmaFenceSetError,
  dmaFenceSignal,
  dmaFenceWaitTimeout,
  ERESTARTSYS,
  type DmaFenceCb,
  type DmaFenceOps,
} from "./dma_fence.js";
import { Kernel } from "./kernel.js";

const OPS: DmaFenceOps = { getDriverName: () => "test", getTimelineName: () => "ring0" };

function machine(): { sim: Sim; kernel: Kernel } {
  const sim = new Sim({ seed: 1, strategy: new FifoStrategy() });
  return { sim, kernel: new Kernel(sim, { name: "mainline", version: "7.1" }) };
}

/** Runs `body` in a task whose first step writes `fence`. */
function inStep<T>(sim: Sim, fence: DmaFence, body: () => T): T {
  return sim.runTask("t", (function* (): Task<T> {
    yield step("test", [], [fence]);
    return body();
  })());
}

function warnings(sim: Sim): string[] {
  return sim.findings.flatMap((f) => (f.kind === "warn" ? [f.message] : []));
}

describe("dma_fence_get_status() (R57)", () => {
  test("is 0 unsignalled, 1 signalled without error, the negative errno with one", () => {
    const { sim, kernel } = machine();
    const ctx = dmaFenceContextAlloc(kernel, 2);
    const ok = dmaFenceInit(kernel, OPS, ctx, 1n);
    const bad = dmaFenceInit(kernel, OPS, ctx + 1n, 1n);
    assert.equal(dmaFenceGetStatus(ok), 0);
    dmaFenceSignal(ok);
    assert.equal(dmaFenceGetStatus(ok), 1);
    dmaFenceSetError(bad, -125);
    assert.equal(dmaFenceGetStatus(bad), 0, "an error alone does not signal");
    dmaFenceSignal(bad);
    assert.equal(dmaFenceGetStatus(bad), -125);
    assert.deepEqual(warnings(sim), []);
  });

  test("asks the provider's signaled op, and signals the fence when it says done", () => {
    const { kernel } = machine();
    let done = false;
    const fence = dmaFenceInit(kernel, { ...OPS, signaled: () => done }, 1n, 1n);
    assert.equal(dmaFenceGetStatus(fence), 0);
    done = true;
    assert.equal(dmaFenceGetStatus(fence), 1);
    assert.equal(fence.signaled, true);
  });
});

describe("dma_fence_set_error() (R56)", () => {
  test("warns on a signalled fence, and still stores the error", () => {
    const { sim, kernel } = machine();
    const fence = dmaFenceInit(kernel, OPS, 1n, 7n);
    dmaFenceSignal(fence);
    dmaFenceSetError(fence, -62);
    assert.deepEqual(warnings(sim), ["dma_fence_set_error: fence test:ring0:1:7 already signaled"]);
    assert.equal(dmaFenceGetStatus(fence), -62);
  });

  test("warns for 0, a positive value and one below -MAX_ERRNO; -1 and -4095 are fine", () => {
    const { sim, kernel } = machine();
    const fence = dmaFenceInit(kernel, OPS, 1n, 1n);
    for (const e of [-1, -4095]) dmaFenceSetError(fence, e);
    assert.deepEqual(warnings(sim), []);
    for (const e of [0, 5, -4096]) dmaFenceSetError(fence, e);
    assert.deepEqual(warnings(sim), [
      "dma_fence_set_error: error 0 of fence test:ring0:1:1 not in -4095..-1",
      "dma_fence_set_error: error 5 of fence test:ring0:1:1 not in -4095..-1",
      "dma_fence_set_error: error -4096 of fence test:ring0:1:1 not in -4095..-1",
    ]);
  });
});

describe("dma_fence callbacks", () => {
  test("run once at the signal, in the order they were added; a second signal does nothing", () => {
    const { kernel } = machine();
    const fence = dmaFenceInit(kernel, OPS, 1n, 1n);
    const ran: string[] = [];
    const a: DmaFenceCb = { func: null };
    const b: DmaFenceCb = { func: null };
    assert.equal(dmaFenceAddCallback(fence, a, () => ran.push("a")), 0);
    assert.equal(dmaFenceAddCallback(fence, b, () => ran.push("b")), 0);
    assert.equal(dmaFenceSignal(fence), true);
    assert.equal(dmaFenceSignal(fence), false);
    assert.deepEqual(ran, ["a", "b"]);
  });

  test("add_callback is -ENOENT on a signalled fence; remove_callback false once it ran", () => {
    const { kernel } = machine();
    const fence = dmaFenceInit(kernel, OPS, 1n, 1n);
    const cb: DmaFenceCb = { func: null };
    const removed: DmaFenceCb = { func: null };
    dmaFenceAddCallback(fence, cb, () => {});
    dmaFenceAddCallback(fence, removed, () => assert.fail("a removed callback ran"));
    assert.equal(dmaFenceRemoveCallback(fence, removed), true);
    dmaFenceSignal(fence);
    assert.equal(dmaFenceRemoveCallback(fence, cb), false);
    assert.equal(dmaFenceAddCallback(fence, { func: null }, () => {}), "ENOENT");
  });

  test("enable_signaling returning false signals the fence, and the callback is -ENOENT", () => {
    const { kernel } = machine();
    let asked = 0;
    const ops = { ...OPS, enableSignaling: () => (asked++, false) };
    const fence = dmaFenceInit(kernel, ops, 1n, 1n);
    assert.equal(dmaFenceAddCallback(fence, { func: null }, () => {}), "ENOENT");
    assert.equal(dmaFenceIsSignaled(fence), true);
    dmaFenceAddCallback(fence, { func: null }, () => {});
    assert.equal(asked, 1, "asked once");
  });
});

describe("dma_fence_wait_timeout()", () => {
  function waitFor(intr: boolean, timeoutTicks: number, signalAfter: number | null, kill = false) {
    const { sim, kernel } = machine();
    const fence = dmaFenceInit(kernel, OPS, 1n, 1n);
    const resume = step("dma_fence_default_wait", [], [fence]);
    const waiter = sim.spawn("waiter", (function* (): Task<number> {
      yield resume;
      return yield* dmaFenceWaitTimeout(fence, intr, timeoutTicks, resume);
    })());
    if (signalAfter !== null) {
      sim.spawn("signaller", (function* (): Task<void> {
        yield sleepTicks(signalAfter, step("irq", [], [fence]));
        dmaFenceSignal(fence);
      })());
    }
    if (kill) {
      sim.spawn("killer", (function* (): Task<void> {
        yield sleepTicks(10);
        sim.sendFatalSignal(waiter);
      })());
    }
    sim.run();
    assert.equal(waiter.state, "done");
    return { result: waiter.result as number, sim };
  }

  test("returns the ticks left when the fence signals before the deadline", () => {
    // The waiter's first step runs at t=1: deadline 1001. The signaller's timer is due at
    // t=401, its step runs at t=402, the waiter's resume step at t=403: 598 ticks left.
    assert.equal(waitFor(true, 1000, 400).result, 1001 - 403);
    assert.equal(waitFor(false, 1000, 400).result, 1001 - 403);
  });

  test("returns 0 when the time runs out, at the deadline", () => {
    const { result, sim } = waitFor(false, 500, null);
    assert.equal(result, 0);
    assert.equal(sim.now, 501 + 1, "the waiter slept 500 ticks from t=1, and ran one step");
  });

  test("with timeout 0 only checks: 0 unsignalled, 1 signalled", () => {
    const { sim, kernel } = machine();
    const fence = dmaFenceInit(kernel, OPS, 1n, 1n);
    const resume = step("dma_fence_default_wait", [], [fence]);
    const check = (): number => sim.runTask("t", (function* (): Task<number> {
      yield step("t", [], [fence]);
      return yield* dmaFenceWaitTimeout(fence, true, 0, resume);
    })());
    assert.equal(check(), 0);
    inStep(sim, fence, () => dmaFenceSignal(fence));
    assert.equal(check(), 1);
  });

  test("interruptible: a fatal signal ends it with -ERESTARTSYS; uninterruptible waits on", () => {
    assert.equal(waitFor(true, 1000, null, true).result, -ERESTARTSYS);
    assert.equal(waitFor(false, 1000, 600, true).result > 0, true);
  });
});

describe("dma_fence references", () => {
  test("the last put frees the fence; touching it after is a use-after-free", () => {
    const { sim, kernel } = machine();
    const fence = dmaFenceAllocatePrivateStub(kernel);
    assert.equal(dmaFenceGetStatus(fence), 1, "a stub is born signalled");
    sim.runTask("t", (function* (): Task<void> {
      yield step("t", [], [fence]);
      dmaFenceGet(fence);
      yield* dmaFencePut(fence);
      assert.equal(fence.mem.freeSite, null);
      yield* dmaFencePut(fence);
      yield step("late", [], [fence]);
    })());
    assert.notEqual(fence.mem.freeSite, null);
    assert.deepEqual(sim.findings.map((f) => f.kind), ["use-after-free"]);
  });

  test("released unsignalled with a callback: WARN, then signalled with -EDEADLK", () => {
    const { sim, kernel } = machine();
    const fence = dmaFenceInit(kernel, OPS, 3n, 9n);
    let status: number | null = null;
    dmaFenceAddCallback(fence, { func: null }, (f) => (status = f.error));
    sim.runTask("t", (function* (): Task<void> {
      yield step("t", [], [fence]);
      yield* dmaFencePut(fence);
    })());
    assert.deepEqual(
      warnings(sim),
      ["dma_fence_release: fence test:ring0:3:9 released with pending signals"],
    );
    assert.equal(status, -35);
  });

  test("fence contexts are handed out in order from 1, kernel-wide", () => {
    const { kernel } = machine();
    assert.equal(dmaFenceContextAlloc(kernel, 3), 1n);
    assert.equal(dmaFenceContextAlloc(kernel, 1), 4n);
  });
});

describe("the trace of a fence", () => {
  test("records its owner, and its signal once, with the error it signalled with", () => {
    const { sim, kernel } = machine();
    const ctx = dmaFenceContextAlloc(kernel, 2);
    const owner = { mem: sim.alloc("vtest_timeline") };
    const ok = dmaFenceInit(kernel, OPS, ctx, 1n, owner);
    const bad = dmaFenceInit(kernel, OPS, ctx + 1n, 1n);
    dmaFenceSignal(ok);
    dmaFenceSetError(bad, -125);
    dmaFenceSignal(bad);
    dmaFenceSignal(bad);
    const allocs = sim.trace.events.flatMap((e) => (e.t === "alloc" && e.type === "dma_fence" ? [e.owner] : []));
    assert.deepEqual(allocs, [owner.mem.id, undefined]);
    const signals = sim.trace.events.flatMap((e) => (e.t === "signaled" ? [[e.id, e.error]] : []));
    assert.deepEqual(signals, [[ok.mem.id, 0], [bad.mem.id, -125]]);
  });
});
