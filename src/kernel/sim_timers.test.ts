/**
 * The Sim's timers as a strategy and a trace see them: a due timer is a choice named after the
 * step it stands for, a timer whose wait already ended is never one, the clock does not jump
 * to it, and the hung-task detector looks at blocked tasks at its own cadence.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Finding } from "./findings.js";
import { Sim } from "./sim.js";
import { FifoStrategy, type SchedulingStrategy } from "./strategy.js";
import { sleepTicks, step, type Task, type TaskView } from "./task.js";
import { WaitQueue, waitEvent } from "./wait_queue.js";

/** FIFO, recording every list of choices it was shown as "name/kind/fn". */
class RecordingStrategy implements SchedulingStrategy {
  readonly name = "recording";
  readonly seen: string[][] = [];
  constructor(private readonly pickIndex: (views: readonly TaskView[]) => number = () => 0) {}
  pick(views: readonly TaskView[]): number {
    this.seen.push(views.map((v) => `${v.name}/${v.kind}/${v.pending?.fn ?? "-"}`));
    return this.pickIndex(views);
  }
}

function* busy(steps: number): Task<void> {
  for (let i = 0; i < steps; i++) yield step("busy_loop");
}

test("a due timer is shown to the strategy as `timer <task>`, running process_timeout or hrtimer_wakeup", () => {
  const strategy = new RecordingStrategy();
  const sim = new Sim({ seed: 1, strategy });
  const wq = new WaitQueue(sim, "q");
  sim.spawn("waiter", waitEvent(wq, "never", () => false, 3));
  sim.spawn("sleeper", (function* (): Task<void> {
    yield sleepTicks(3);
  })());
  sim.spawn("busy", busy(10));
  sim.run();
  const timers = strategy.seen.flat().filter((c) => c.includes("/timer/"));
  assert.deepEqual([...new Set(timers)], ["timer waiter/timer/process_timeout", "timer sleeper/timer/hrtimer_wakeup"]);
});

test("the timer of a wait that a wake-up ended never becomes a choice, and the clock does not jump to it", () => {
  const strategy = new RecordingStrategy();
  const sim = new Sim({ seed: 1, strategy });
  const wq = new WaitQueue(sim, "q");
  let ready = false;
  sim.spawn("waiter", (function* (): Task<void> {
    yield* waitEvent(wq, "ready", () => ready, 100);
    yield* busy(200);
  })());
  sim.spawn("waker", (function* (): Task<void> {
    yield step("kick");
    ready = true;
    wq.wakeUpAll();
    yield* busy(200);
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(strategy.seen.flat().filter((c) => c.includes("/timer/")), []);
  assert.equal(sim.now, 401, "one tick per step (kick, then 200 + 200), and no jump to t=100 at the end");
});

test("a due timer whose task another choice woke first is dropped from the choices", () => {
  // Both timers fall due at t=10; the strategy fires the sleeper's first, the sleeper runs and
  // wakes the waiter, whose timer is then stale: it is no longer offered.
  const strategy = new RecordingStrategy((views) => Math.max(0, views.findIndex((v) => v.name.endsWith("sleeper"))));
  const sim = new Sim({ seed: 1, strategy });
  const wq = new WaitQueue(sim, "q");
  let ready = false;
  const log: string[] = [];
  sim.spawn("waiter", (function* (): Task<void> {
    log.push(`waiter ${(yield* waitEvent(wq, "ready", () => ready, 10)) ? "woken" : "timed out"} at ${sim.now}`);
  })());
  sim.spawn("sleeper", (function* (): Task<void> {
    yield sleepTicks(10);
    ready = true;
    wq.wakeUpAll();
    log.push(`sleeper woke the waiter at ${sim.now}`);
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(strategy.seen, [
    ["waiter/kernel/-", "sleeper/kernel/-"],
    // The sleeper ran first, so its timer was set first: equal deadlines come in that order.
    ["timer sleeper/timer/hrtimer_wakeup", "timer waiter/timer/process_timeout"],
    ["timer waiter/timer/process_timeout", "sleeper/kernel/-"],
  ]);
  assert.deepEqual(log, ["sleeper woke the waiter at 10", "waiter woken at 10"]);
  assert.deepEqual(sim.trace.events.flatMap((e) => (e.t === "wake" ? [e.timedOut] : [])), [false, false]);
});

test("Sim.run() asserts when a strategy picks a choice that does not exist", () => {
  for (const bad of [-1, 2, 0.5, Number.NaN]) {
    const strategy: SchedulingStrategy = { name: "bad", pick: () => bad };
    const sim = new Sim({ seed: 1, strategy });
    sim.spawn("a", busy(2));
    sim.spawn("b", busy(2));
    assert.throws(() => sim.run(), { name: "ModelAssertionError", message: `Cannot schedule: strategy bad picked ${bad} of 2` });
  }
});

function hungTasks(sim: Sim): Extract<Finding, { kind: "hung-task" }>[] {
  return sim.findings.filter((f): f is Extract<Finding, { kind: "hung-task" }> => f.kind === "hung-task");
}

test("the hung-task detector looks every hungTaskTicks/8 ticks and reports a block longer than hungTaskTicks", () => {
  // Checks run at t=1, 11, 21, ...; the task blocks at t=1, so at t=81 it has been blocked
  // exactly 80 ticks (not more than hungTaskTicks) and at t=91 for 90.
  const sim = new Sim({ seed: 1, hungTaskTicks: 80, strategy: new FifoStrategy() });
  const wq = new WaitQueue(sim, "flag");
  let flag = false;
  sim.spawn("stuck", (function* (): Task<void> {
    yield step("enter");
    yield* waitEvent(wq, "flag", () => flag);
  })());
  sim.spawn("busy", (function* (): Task<void> {
    yield* busy(150);
    flag = true;
    wq.wakeUpAll();
  })());
  sim.run();
  assert.deepEqual(hungTasks(sim).map((f) => [f.waiter.task, f.waiter.sinceTick, f.blockedTicks]), [["stuck", 1, 90]]);
});

test("a task hung twice, with a wake-up in between, is reported twice", () => {
  const sim = new Sim({ seed: 1, hungTaskTicks: 16, strategy: new FifoStrategy() });
  const wq = new WaitQueue(sim, "flag");
  let flag = 0;
  sim.spawn("stuck", (function* (): Task<void> {
    yield step("enter");
    yield* waitEvent(wq, "first", () => flag >= 1);
    yield step("between");
    yield* waitEvent(wq, "second", () => flag >= 2);
  })());
  sim.spawn("busy", (function* (): Task<void> {
    for (const round of [1, 2]) {
      yield* busy(40);
      flag = round;
      wq.wakeUpAll();
    }
  })());
  sim.run();
  assert.deepEqual(hungTasks(sim).map((f) => f.waiter.reason), ["first", "second"]);
});

test("a daemon blocked for ever is never reported hung; a task waiting long in a join is", () => {
  const sim = new Sim({ seed: 1, hungTaskTicks: 16, strategy: new FifoStrategy() });
  const wq = new WaitQueue(sim, "work");
  sim.spawn("kworker", waitEvent(wq, "work", () => false), { daemon: true });
  const box: { child?: ReturnType<Sim["spawn"]> } = {};
  sim.spawn("parent", (function* (): Task<void> {
    yield step("start");
    yield* sim.join(box.child!);
  })());
  box.child = sim.spawn("child", busy(60));
  sim.run();
  assert.deepEqual(hungTasks(sim).map((f) => `${f.waiter.task} on ${f.waiter.reason}`), ["parent on exit of child"]);
});

test("a join that can never end is a hang naming the exit it waits for", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "q");
  const child = sim.spawn("child", waitEvent(wq, "nothing", () => false));
  sim.spawn("parent", (function* (): Task<void> {
    yield* sim.join(child);
  })());
  const outcome = sim.run();
  assert.equal(outcome.kind, "deadlock");
  assert.deepEqual(outcome.kind === "deadlock" && outcome.waiters.map((w) => `${w.task} on ${w.reason}`), [
    "child on nothing",
    "parent on exit of child",
  ]);
});

test("Sim.join() outside a task, a negative sleep and a negative stepTicks are model bugs", () => {
  const sim = new Sim({ seed: 1 });
  const child = sim.spawn("child", busy(1));
  assert.throws(() => sim.join(child).next(), { name: "ModelAssertionError", message: "Cannot join task: not called from a task" });
  assert.throws(() => sim.runTask("t", (function* (): Task<void> {
    yield sleepTicks(-1);
  })()), { name: "ModelAssertionError", message: "Cannot sleep: negative ticks" });
  assert.throws(() => new Sim({ seed: 1, stepTicks: -1 }), /stepTicks is negative/);
});

test("Sim.wake() of a task that is not asleep does nothing", () => {
  const sim = new Sim({ seed: 1 });
  const runs: number[] = [];
  const t = sim.spawn("t", (function* (): Task<void> {
    yield step("once");
    runs.push(sim.now);
  })());
  assert.equal(t.state, "runnable");
  sim.wake(t);
  sim.run();
  sim.wake(t);
  assert.deepEqual([runs, t.state, sim.trace.events.filter((e) => e.t === "wake").length], [[1], "done", 0]);
});
