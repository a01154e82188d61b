import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "./sim.js";
import { sleepTicks, step, type Task, type TaskView } from "./task.js";
import { WaitQueue, waitEvent, waitEventInterruptible } from "./wait_queue.js";

/**
 * A fresh queue of tokens, and tasks t1, t2, t3 that go to sleep on it in the order t3, t1, t2
 * (their ids say otherwise), each to take a token; `order` is the order they got one in.
 */
function spawnWaiters(): { sim: Sim; wq: WaitQueue; state: { tokens: number }; order: string[] } {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "tokens");
  const state = { tokens: 0 };
  const order: string[] = [];
  const sleepBeforeWait = [10, 20, 0];
  sleepBeforeWait.forEach((ticks, i) => {
    const name = `t${i + 1}`;
    sim.spawn(name, (function* (): Task<void> {
      yield sleepTicks(ticks);
      yield* waitEvent(wq, "token", () => state.tokens > 0);
      state.tokens--;
      order.push(name);
    })());
  });
  return { sim, wq, state, order };
}

test("WaitQueue.wakeUpOne() wakes the task that went to sleep first", () => {
  const { sim, wq, state, order } = spawnWaiters();
  sim.spawn("waker", (function* () {
    yield sleepTicks(100);
    assert.equal(wq.length, 3);
    for (let i = 0; i < 3; i++) {
      state.tokens++;
      wq.wakeUpOne();
      yield step("give_token");
    }
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(order, ["t3", "t1", "t2"]);
  assert.equal(wq.length, 0);
});

test("WaitQueue.wakeUpAll() wakes every waiter, oldest first", () => {
  const { sim, wq, state, order } = spawnWaiters();
  sim.spawn("waker", (function* () {
    yield sleepTicks(100);
    state.tokens = 3;
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  const wakes = sim.trace.events.filter((e) => e.t === "wake" && e.tick === 100 && e.task !== 4);
  assert.deepEqual(wakes.map((e) => (e.t === "wake" ? e.task : -1)), [3, 1, 2]);
  assert.equal(order.length, 3);
  assert.equal(state.tokens, 0);
});

test("WaitQueue.wakeUpOne() on an empty queue does nothing", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "empty");
  wq.wakeUpOne();
  wq.wakeUpAll();
  assert.equal(wq.length, 0);
  assert.deepEqual(sim.trace.events, []);
});

test("waitEvent() returns true at once when the condition already holds", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "wq");
  const ok = sim.runTask("t", waitEvent(wq, "ready", () => true, 10));
  assert.equal(ok, true);
  assert.equal(sim.trace.events.filter((e) => e.t === "block").length, 0);
});

test("waitEvent() with a timeout returns false and resumes at the deadline when nobody wakes it", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "wq");
  const result = sim.runTask("t", (function* () {
    yield step("before_wait");
    const start = sim.now;
    const ok = yield* waitEvent(wq, "never", () => false, 250);
    return { ok, start, end: sim.now };
  })());
  assert.deepEqual(result, { ok: false, start: 1, end: 251 });
  assert.equal(wq.length, 0, "a timed-out waiter leaves the queue");
});

test("waitEvent() woken early with the condition still false keeps the original deadline", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "wq");
  const waiter = sim.spawn("waiter", (function* () {
    const ok = yield* waitEvent(wq, "never", () => false, 250);
    return { ok, end: sim.now };
  })());
  sim.spawn("spurious", (function* () {
    yield sleepTicks(100);
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(waiter.result, { ok: false, end: 250 });
});

test("waitEvent() woken with the condition true before the deadline returns true then", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "wq");
  let ready = false;
  const waiter = sim.spawn("waiter", (function* () {
    const ok = yield* waitEvent(wq, "ready", () => ready, 250);
    return { ok, end: sim.now };
  })());
  sim.spawn("waker", (function* () {
    yield sleepTicks(100);
    ready = true;
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(waiter.result, { ok: true, end: 100 });
});

// ---------------------------------------------------------------- sleep states and signals

test("waitEventInterruptible() ends at once with interrupted when SIGKILL comes, and leaves the queue", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "events");
  const reader = sim.spawn("reader", (function* () {
    const r = yield* waitEventInterruptible(wq, "an event", () => false);
    return { r, end: sim.now };
  })());
  assert.equal(sim.run().kind, "quiescent", "an interruptible sleep alone is no deadlock");
  assert.equal(reader.blockedOn?.state, "interruptible");
  sim.spawn("killer", (function* () {
    yield sleepTicks(40);
    sim.sendFatalSignal(reader);
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(reader.result, { r: "interrupted", end: 40 });
  assert.equal(wq.length, 0);
  assert.deepEqual(sim.findings, []);
});

test("waitEventInterruptible() with a fatal signal already pending does not sleep, unless the condition holds", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "events");
  const results: string[] = [];
  const task = sim.spawn("dying", (function* () {
    yield step("before");
    results.push(yield* waitEventInterruptible(wq, "never", () => false));
    results.push(yield* waitEventInterruptible(wq, "now", () => true));
  })());
  sim.sendFatalSignal(task);
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(results, ["interrupted", "ready"]);
  assert.ok(!sim.trace.events.some((e) => e.t === "block"));
});

test("waitEventInterruptible() returns timed-out when its timeout passes first", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "events");
  const result = sim.runTask("reader", (function* () {
    return yield* waitEventInterruptible(wq, "never", () => false, 250);
  })());
  assert.equal(result, "timed-out");
  assert.equal(sim.now, 250);
});

test("sendFatalSignal() does not end an uninterruptible waitEvent(); the awaited event still does", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "done");
  let done = false;
  const waiter = sim.spawn("waiter", (function* () {
    const ok = yield* waitEvent(wq, "done", () => done);
    return { ok, end: sim.now };
  })());
  sim.spawn("killer", (function* () {
    yield sleepTicks(10);
    sim.sendFatalSignal(waiter);
    yield sleepTicks(10);
    assert.equal(waiter.state, "blocked", "still asleep after SIGKILL");
    done = true;
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(waiter.result, { ok: true, end: 20 });
  assert.equal(waiter.fatalSignal, true);
});

test("waitEvent() woken by another task exactly at its deadline, condition false, returns false without sleeping again", () => {
  // At t=100 both timers are due; the strategy fires the spurious waker's first and runs it.
  const pick = (views: readonly TaskView[]): number => Math.max(0, views.findIndex((v) => v.name.endsWith("spurious")));
  const strategy = { name: "spurious-first", pick };
  const sim = new Sim({ seed: 1, strategy });
  const wq = new WaitQueue(sim, "wq");
  const waiter = sim.spawn("waiter", (function* () {
    const ok = yield* waitEvent(wq, "never", () => false, 100);
    return { ok, end: sim.now };
  })());
  sim.spawn("spurious", (function* () {
    yield sleepTicks(100);
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(waiter.result, { ok: false, end: 100 });
  const waiterEvents = sim.trace.events.flatMap((e) => ((e.t === "block" || e.t === "wake") && e.task === waiter.id ? [e.t === "wake" && e.timedOut ? "timeout" : e.t] : []));
  assert.deepEqual(waiterEvents, ["block", "wake"]);
});

test("WaitQueue.addWakeFunction() calls its function at each wake-up and wakes no task; removed, no more", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "events");
  const calls: string[] = [];
  let phase = "";
  const remove = wq.addWakeFunction(() => calls.push(phase));
  sim.spawn("waker", (function* () {
    yield sleepTicks(5);
    phase = "all";
    wq.wakeUpAll();
    yield step("again");
    phase = "one";
    wq.wakeUpOne();
    remove();
    yield step("removed");
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(calls, ["all", "one"]);
  assert.equal(wq.length, 0);
});
