import { test } from "node:test";
import assert from "node:assert/strict";
import type { Finding, FindingKind } from "./findings.js";
import type { KStruct } from "./kobject.js";
import { Sim } from "./sim.js";
import { FifoStrategy, RandomStrategy, ReplayStrategy, type SchedulingStrategy } from "./strategy.js";
import { sleepTicks, step, type Task } from "./task.js";
import { WaitQueue, waitEvent, waitEventInterruptible } from "./wait_queue.js";

function findingsOf<K extends FindingKind>(sim: Sim, kind: K): Extract<Finding, { kind: K }>[] {
  return sim.findings.filter((f): f is Extract<Finding, { kind: K }> => f.kind === kind);
}

function* worker(sim: Sim, log: string[], name: string, steps: number): Task<void> {
  for (let i = 0; i < steps; i++) {
    yield step(`${name}_work`);
    // A draw from the model's PRNG, so that replay also has to reproduce the model's randomness.
    log.push(`${name}${i}:${sim.prng.intInclusive(0, 9)}`);
  }
}

/** Three tasks with several choice points each, under `strategy`. */
function runWorkload(seed: number, strategy: SchedulingStrategy): { sim: Sim; log: string[] } {
  const sim = new Sim({ seed, strategy });
  const log: string[] = [];
  sim.spawn("a", worker(sim, log, "a", 4));
  sim.spawn("b", worker(sim, log, "b", 4));
  sim.spawn("c", worker(sim, log, "c", 4));
  const outcome = sim.run();
  assert.equal(outcome.kind, "quiescent", `seed ${seed}`);
  return { sim, log };
}

// ---------------------------------------------------------------- scheduling

test("Sim.run() runs every spawned task to completion and ends quiescent", () => {
  const { sim, log } = runWorkload(1, new RandomStrategy(1));
  assert.equal(log.length, 12);
  for (const name of ["a", "b", "c"]) {
    const own = log.filter((e) => e.startsWith(name)).map((e) => e.split(":")[0]);
    assert.deepEqual(own, [0, 1, 2, 3].map((i) => `${name}${i}`), `task ${name} ran its steps in order`);
  }
  assert.ok(sim.allTasks.every((t) => t.state === "done"));
  assert.equal(sim.stepCount, 12);
  assert.equal(sim.now, 12, "each step costs one tick by default");
  assert.deepEqual(sim.findings, []);
});

test("Sim.run() with FifoStrategy runs tasks to completion in spawn order", () => {
  const { sim, log } = runWorkload(1, new FifoStrategy());
  assert.deepEqual(
    log.map((e) => e.split(":")[0]),
    ["a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3", "c0", "c1", "c2", "c3"],
  );
  assert.ok(sim.decisions.length > 0, "there were choice points");
  assert.ok(sim.decisions.every((d) => d === 0));
});

test("Sim.run() asks the strategy only when two or more tasks can run", () => {
  const sim = new Sim({ seed: 1 });
  sim.spawn("solo", worker(sim, [], "solo", 5));
  sim.run();
  assert.deepEqual(sim.decisions, []);
});

test("Sim.run() with RandomStrategy and the same seed makes the same decisions and trace", () => {
  for (const seed of [1, 2, 3, 17, 99]) {
    const first = runWorkload(seed, new RandomStrategy(seed));
    const second = runWorkload(seed, new RandomStrategy(seed));
    assert.deepEqual(second.sim.decisions, first.sim.decisions, `seed ${seed}`);
    assert.equal(JSON.stringify(second.sim.trace.events), JSON.stringify(first.sim.trace.events), `seed ${seed}`);
    assert.deepEqual(second.log, first.log, `seed ${seed}`);
  }
});

test("Sim.run() with RandomStrategy and different seeds interleaves differently", () => {
  const schedules = new Set<string>();
  for (let seed = 1; seed <= 10; seed++) schedules.add(runWorkload(seed, new RandomStrategy(seed)).sim.decisions.join("."));
  assert.ok(schedules.size > 1, "ten seeds all produced one schedule");
  const fifo = runWorkload(1, new FifoStrategy()).log.map((e) => e.split(":")[0]).join(",");
  const interleaved = [1, 2, 3, 4, 5].some((seed) => runWorkload(seed, new RandomStrategy(seed)).log.map((e) => e.split(":")[0]).join(",") !== fifo);
  assert.ok(interleaved, "no seed interleaved the tasks");
});

test("Sim.run() with ReplayStrategy of a random run's decisions reproduces the identical trace", () => {
  for (let seed = 1; seed <= 10; seed++) {
    const original = runWorkload(seed, new RandomStrategy(seed));
    const replayed = runWorkload(seed, new ReplayStrategy(original.sim.decisions));
    assert.equal(JSON.stringify(replayed.sim.trace.events), JSON.stringify(original.sim.trace.events), `seed ${seed}`);
    assert.deepEqual(replayed.sim.decisions, original.sim.decisions, `seed ${seed}`);
    assert.deepEqual(replayed.log, original.log, `seed ${seed}`);
  }
});

// ---------------------------------------------------------------- time

test("sleepTicks() advances sim.now by the slept ticks", () => {
  const sim = new Sim({ seed: 1 });
  const ticks: number[] = [];
  sim.runTask("sleeper", (function* () {
    yield step("before");
    ticks.push(sim.now);
    yield sleepTicks(500);
    ticks.push(sim.now);
    yield sleepTicks(0);
    ticks.push(sim.now);
  })());
  assert.deepEqual(ticks, [1, 501, 501]);
});

test("Sim.run() fires sleeps by deadline, and equal deadlines in the order they were set", () => {
  const sim = new Sim({ seed: 1 });
  const woke: string[] = [];
  const sleeps = [300, 100, 200, 100, 100, 300, 100, 100, 200, 100];
  sleeps.forEach((ticks, i) => {
    sim.spawn(`t${i}`, (function* () {
      yield sleepTicks(ticks);
      woke.push(`t${i}@${sim.now}`);
    })());
  });
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(woke, [
    "t1@100", "t3@100", "t4@100", "t6@100", "t7@100", "t9@100",
    "t2@200", "t8@200",
    "t0@300", "t5@300",
  ]);
});

test("sleepTicks() after a wait that was woken before its timeout sleeps the full time", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "wq");
  let flag = false;
  const ticks: number[] = [];
  sim.spawn("waiter", (function* () {
    const ok = yield* waitEvent(wq, "flag", () => flag, 100);
    ticks.push(sim.now);
    yield sleepTicks(1000);
    ticks.push(sim.now);
    return ok;
  })());
  sim.spawn("waker", (function* () {
    yield step("set_flag");
    flag = true;
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.equal(sim.allTasks[0]?.result, true);
  // The stale timeout timer at tick 100 must not cut the sleep short.
  assert.deepEqual(ticks, [1, 1001]);
});

test("Sim.wake() of a sleeping task does not let the old sleep timer cut a later sleep short", () => {
  const sim = new Sim({ seed: 1 });
  const ticks: number[] = [];
  const sleeper = sim.spawn("sleeper", (function* () {
    yield sleepTicks(50);
    ticks.push(sim.now);
    yield sleepTicks(500);
    ticks.push(sim.now);
  })());
  sim.spawn("waker", (function* () {
    yield step("kick");
    sim.wake(sleeper);
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(ticks, [1, 501]);
});

// ---------------------------------------------------------------- hangs

test("Sim.run() with two tasks blocked on queues nobody wakes returns a deadlock and a hang finding", () => {
  const sim = new Sim({ seed: 1 });
  const wqA = new WaitQueue(sim, "a");
  const wqB = new WaitQueue(sim, "b");
  sim.spawn("task_a", (function* () {
    yield step("a_first");
    yield* waitEvent(wqA, "event A", () => false);
  })());
  sim.spawn("task_b", (function* () {
    yield step("b_first");
    yield* waitEvent(wqB, "event B", () => false);
  })());
  const outcome = sim.run();
  assert.equal(outcome.kind, "deadlock");
  assert.ok(outcome.kind === "deadlock");
  assert.deepEqual(outcome.waiters.map((w) => [w.task, w.reason]), [["task_a", "event A"], ["task_b", "event B"]]);
  const hangs = findingsOf(sim, "hang");
  assert.equal(hangs.length, 1);
  assert.deepEqual(hangs[0]?.waiters.map((w) => [w.task, w.reason, w.site.fn]), [
    ["task_a", "event A", "a_first"],
    ["task_b", "event B", "b_first"],
  ]);
  assert.equal(sim.findings.length, 1);
});

test("Sim.run() does not count a daemon blocked forever as a hang", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "work");
  const daemon = sim.spawn("kworker", (function* () {
    yield* waitEvent(wq, "work", () => false);
  })(), { daemon: true });
  sim.spawn("user", worker(sim, [], "user", 3));
  const outcome = sim.run();
  assert.equal(outcome.kind, "quiescent");
  assert.equal(daemon.state, "blocked");
  assert.deepEqual(sim.findings, []);
});

test("Sim.run() reports a hung task blocked longer than hungTaskTicks while another task sleeps", () => {
  const sim = new Sim({ seed: 1, hungTaskTicks: 100 });
  const wq = new WaitQueue(sim, "flag");
  let flag = false;
  sim.spawn("stuck", (function* () {
    yield* waitEvent(wq, "flag set", () => flag);
  })());
  sim.spawn("sleeper", (function* () {
    yield sleepTicks(500);
    flag = true;
    wq.wakeUpAll();
  })());
  const outcome = sim.run();
  assert.equal(outcome.kind, "quiescent");
  const hung = findingsOf(sim, "hung-task");
  assert.equal(hung.length, 1);
  assert.equal(hung[0]?.waiter.task, "stuck");
  assert.equal(hung[0]?.waiter.reason, "flag set");
  assert.ok((hung[0]?.blockedTicks ?? 0) > 100);
  assert.equal(findingsOf(sim, "hang").length, 0);
});

test("Sim.run() does not report a hung task blocked for less than hungTaskTicks", () => {
  const sim = new Sim({ seed: 1, hungTaskTicks: 100 });
  const wq = new WaitQueue(sim, "flag");
  let flag = false;
  sim.spawn("waiter", (function* () {
    yield* waitEvent(wq, "flag set", () => flag);
  })());
  sim.spawn("sleeper", (function* () {
    yield sleepTicks(50);
    flag = true;
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(sim.findings, []);
});

test("Sim.run() reports a hung task while another task keeps running steps", () => {
  const sim = new Sim({ seed: 1, hungTaskTicks: 100 });
  const wq = new WaitQueue(sim, "flag");
  let flag = false;
  sim.spawn("stuck", (function* () {
    yield* waitEvent(wq, "flag set", () => flag);
  })());
  sim.spawn("busy", (function* () {
    for (let i = 0; i < 300; i++) yield step("busy_loop");
    flag = true;
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(findingsOf(sim, "hung-task").map((f) => f.waiter.task), ["stuck"]);
});

test("Sim.run() counts neither a hang nor a hung task for a task asleep interruptibly", () => {
  const sim = new Sim({ seed: 1, hungTaskTicks: 100 });
  const wq = new WaitQueue(sim, "events");
  const reader = sim.spawn("reader", (function* () {
    yield* waitEventInterruptible(wq, "an event that never comes", () => false);
  })());
  sim.spawn("sleeper", (function* () {
    yield sleepTicks(500);
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.equal(reader.state, "blocked");
  assert.equal(sim.now, 500);
  assert.deepEqual(sim.findings, []);
});

test("Sim.run() reports a deadlock once, naming only the uninterruptible waiters, however often it runs", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "never");
  sim.spawn("stuck", (function* () {
    yield step("stuck_first");
    yield* waitEvent(wq, "a completion nobody sends", () => false);
  })());
  sim.spawn("reader", (function* () {
    yield* waitEventInterruptible(wq, "an event", () => false);
  })());
  const first = sim.run();
  assert.ok(first.kind === "deadlock");
  assert.deepEqual(first.waiters.map((w) => w.task), ["stuck"]);
  assert.equal(sim.run().kind, "deadlock");
  const hangs = findingsOf(sim, "hang");
  assert.equal(hangs.length, 1);
  assert.deepEqual(hangs[0]?.waiters.map((w) => [w.task, w.reason]), [["stuck", "a completion nobody sends"]]);
  assert.equal(sim.findings.length, 1);
});

// ---------------------------------------------------------------- results and budget

test("Sim.runTask() returns the task's value", () => {
  const sim = new Sim({ seed: 1 });
  const value = sim.runTask("answer", (function* () {
    yield step("compute");
    return 42;
  })());
  assert.equal(value, 42);
});

test("Sim.runTask() rethrows an error the task threw", () => {
  const sim = new Sim({ seed: 1 });
  assert.throws(
    () => sim.runTask("thrower", (function* (): Task<void> {
      yield step("before");
      throw new Error("boom");
    })()),
    /boom/,
  );
});

test("Sim.join() returns the joined task's result after it exits", () => {
  const sim = new Sim({ seed: 1 });
  const value = sim.runTask("parent", (function* () {
    const child = sim.spawn("child", (function* () {
      yield sleepTicks(30);
      return "done";
    })());
    const result = yield* sim.join(child);
    return `${String(result)}@${sim.now}`;
  })());
  assert.equal(value, "done@30");
});

test("Sim.run() stops at the step budget and returns kind budget", () => {
  const sim = new Sim({ seed: 1 });
  const spinner = sim.spawn("spinner", (function* () {
    for (;;) yield step("spin");
  })());
  const outcome = sim.run(50);
  assert.deepEqual(outcome, { kind: "budget", steps: 50 });
  assert.notEqual(spinner.state, "done");
  assert.ok(sim.stepCount <= 50);
});

// ---------------------------------------------------------------- the sanitizer

test("Sim.check() reports a step that reads freed memory as use-after-free with alloc, free and access sites", () => {
  const sim = new Sim({ seed: 1 });
  const box: { obj?: KStruct } = {};
  sim.spawn("prober", (function* () {
    yield step("bochs_pci_probe");
    box.obj = { mem: sim.alloc("bochs_device") };
    yield step("bochs_pci_remove");
    sim.free(box.obj.mem);
  })());
  sim.spawn("reader", (function* () {
    yield sleepTicks(10);
    const obj = box.obj;
    assert.ok(obj !== undefined);
    yield step("drm_ioctl", [obj]);
  })());
  assert.equal(sim.run().kind, "quiescent");
  const uafs = findingsOf(sim, "use-after-free");
  assert.equal(uafs.length, 1);
  const uaf = uafs[0]!;
  assert.equal(uaf.object, "bochs_device#1");
  assert.equal(uaf.mode, "read");
  assert.deepEqual([uaf.access.task, uaf.access.fn], ["reader", "drm_ioctl"]);
  assert.deepEqual([uaf.alloc.task, uaf.alloc.fn], ["prober", "bochs_pci_probe"]);
  assert.deepEqual([uaf.free.task, uaf.free.fn], ["prober", "bochs_pci_remove"]);
  assert.ok(uaf.alloc.tick < uaf.free.tick && uaf.free.tick < uaf.access.tick);
});

test("Sim.check() reports a write to freed memory once per object and function", () => {
  const sim = new Sim({ seed: 1 });
  const obj: KStruct = { mem: sim.alloc("drm_file") };
  sim.free(obj.mem, "drm_file_free");
  sim.runTask("user", (function* () {
    yield step("drm_ioctl", [], [obj]);
    yield step("drm_ioctl", [obj], [obj]);
    yield step("drm_release", [obj]);
  })());
  const uafs = findingsOf(sim, "use-after-free");
  assert.deepEqual(uafs.map((f) => [f.access.fn, f.mode]), [["drm_ioctl", "write"], ["drm_release", "read"]]);
  assert.deepEqual([uafs[0]?.free.task, uafs[0]?.free.fn], ["(sim)", "drm_file_free"]);
});

test("Sim.check() accepts access to live memory and reports nothing", () => {
  const sim = new Sim({ seed: 1 });
  const obj: KStruct = { mem: sim.alloc("drm_device") };
  sim.runTask("user", (function* () {
    yield step("drm_ioctl", [obj], [obj]);
  })());
  assert.equal(sim.check(obj, "read"), true);
  sim.free(obj.mem);
  assert.equal(sim.check(obj, "read"), false);
  assert.deepEqual(sim.findings.map((f) => f.kind), ["use-after-free"]);
});

test("Sim.free() of freed memory reports double-free and keeps the first free site", () => {
  const sim = new Sim({ seed: 1 });
  const mem = sim.alloc("drm_minor");
  sim.free(mem, "drm_minor_free");
  const firstFree = mem.freeSite;
  sim.free(mem, "drm_minor_free_again");
  assert.equal(mem.freeSite, firstFree);
  assert.equal(mem.freeSite?.fn, "drm_minor_free");
  const doubles = findingsOf(sim, "double-free");
  assert.equal(doubles.length, 1);
  assert.equal(doubles[0]?.object, "drm_minor#1");
  assert.equal(doubles[0]?.free.fn, "drm_minor_free");
  assert.equal(doubles[0]?.again.fn, "drm_minor_free_again");
  assert.equal(sim.trace.events.filter((e) => e.t === "free").length, 1);
});

test("Sim.reportLeaks() reports only live, non-persistent allocations", () => {
  const sim = new Sim({ seed: 1 });
  const freed = sim.alloc("drm_file");
  sim.alloc("drm_device", { label: "drm_device#2 (card0)" });
  sim.alloc("pci_slot", { persistent: true });
  sim.free(freed);
  assert.deepEqual(sim.liveAllocations().map((m) => m.label), ["drm_device#2 (card0)"]);
  assert.equal(sim.reportLeaks(), 1);
  assert.deepEqual(findingsOf(sim, "leak").map((f) => f.object), ["drm_device#2 (card0)"]);
  assert.equal(sim.findings.length, 1);
});

test("Sim.frame() puts its names on the sites of allocations and accesses inside it", () => {
  const sim = new Sim({ seed: 1 });
  const box: { inner?: KStruct; outer?: KStruct } = {};
  sim.runTask("remover", (function* () {
    yield* sim.frame("drm_dev_unplug", (function* () {
      yield* sim.frame("drm_dev_unregister", (function* () {
        yield step("drm_minor_unregister");
        box.inner = { mem: sim.alloc("inner") };
        sim.free(box.inner.mem);
        yield step("drm_minor_touch", [box.inner]);
      })());
    })());
    box.outer = { mem: sim.alloc("outer") };
  })());
  assert.deepEqual(box.inner?.mem.allocSite.frames, ["drm_dev_unplug", "drm_dev_unregister"]);
  assert.equal(box.inner?.mem.allocSite.fn, "drm_minor_unregister");
  assert.deepEqual(box.outer?.mem.allocSite.frames, [], "frames are popped when the frame returns");
  const uafs = findingsOf(sim, "use-after-free");
  assert.deepEqual(uafs[0]?.access.frames, ["drm_dev_unplug", "drm_dev_unregister"]);
});

test("Sim.warn() with a once key reports only the first time", () => {
  const sim = new Sim({ seed: 1 });
  sim.warn("first", "key");
  sim.warn("second", "key");
  sim.warn("third");
  assert.deepEqual(findingsOf(sim, "warn").map((f) => f.message), ["first", "third"]);
  assert.deepEqual(sim.kmsg, ["<3>WARNING: first at (setup)", "<3>WARNING: third at (setup)"]);
});
