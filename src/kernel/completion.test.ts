import { test } from "node:test";
import assert from "node:assert/strict";
import { Completion, complete, completeAll, reinitCompletion, waitForCompletion } from "./completion.js";
import { Sim } from "./sim.js";
import { sleepTicks, type Task } from "./task.js";

function* waiter(sim: Sim, c: Completion, log: string[], name: string, timeoutTicks: number | null = null): Task<boolean> {
  const ok = yield* waitForCompletion(c, timeoutTicks);
  log.push(`${name} ${ok ? "done" : "timed out"}@${sim.now}`);
  return ok;
}

/**
 * Waiters "first" and "second" on a fresh completion, and a task that calls complete()
 * `completions` times at tick 10.
 */
function twoWaiters(name: string, completions: number): { sim: Sim; c: Completion; log: string[] } {
  const sim = new Sim({ seed: 1 });
  const c = new Completion(sim, name);
  const log: string[] = [];
  sim.spawn("first", waiter(sim, c, log, "first"));
  sim.spawn("second", waiter(sim, c, log, "second"));
  sim.spawn("completer", (function* () {
    yield sleepTicks(10);
    for (let i = 0; i < completions; i++) complete(c);
  })());
  return { sim, c, log };
}

test("waitForCompletion() blocks until complete() and then returns true", () => {
  const sim = new Sim({ seed: 1 });
  const c = new Completion(sim, "probe");
  const log: string[] = [];
  sim.spawn("waiter", waiter(sim, c, log, "waiter"));
  sim.spawn("completer", (function* () {
    yield sleepTicks(100);
    log.push(`complete@${sim.now}`);
    complete(c);
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(log, ["complete@100", "waiter done@100"]);
  assert.equal(c.done, 0, "the wait consumed the completion");
});

test("waitForCompletion() after complete() returns at once without blocking", () => {
  const sim = new Sim({ seed: 1 });
  const c = new Completion(sim, "early");
  complete(c);
  assert.equal(sim.runTask("t", waitForCompletion(c)), true);
  assert.equal(sim.trace.events.filter((e) => e.t === "block").length, 0);
  assert.equal(c.done, 0);
});

test("complete() releases exactly one waiter, the one that waited first", () => {
  const { sim, log } = twoWaiters("one", 1);
  const outcome = sim.run();
  assert.deepEqual(log, ["first done@10"]);
  assert.equal(outcome.kind, "deadlock");
  assert.ok(outcome.kind === "deadlock");
  assert.deepEqual(outcome.waiters.map((w) => [w.task, w.reason]), [["second", "completion one"]]);
});

test("complete() twice releases two waiters", () => {
  const { sim, c, log } = twoWaiters("two", 2);
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(log, ["first done@10", "second done@10"]);
  assert.equal(c.done, 0);
});

test("completeAll() releases every waiter and every later wait", () => {
  const sim = new Sim({ seed: 1 });
  const c = new Completion(sim, "all");
  const log: string[] = [];
  for (const name of ["w1", "w2", "w3"]) sim.spawn(name, waiter(sim, c, log, name));
  sim.spawn("completer", (function* () {
    yield sleepTicks(10);
    completeAll(c);
  })());
  sim.spawn("late", (function* () {
    yield sleepTicks(50);
    yield* waiter(sim, c, log, "late");
    yield* waiter(sim, c, log, "late again");
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(log, ["w1 done@10", "w2 done@10", "w3 done@10", "late done@50", "late again done@50"]);
});

test("waitForCompletion() with a timeout returns false when nobody completes", () => {
  const sim = new Sim({ seed: 1 });
  const c = new Completion(sim, "never");
  const log: string[] = [];
  assert.equal(sim.runTask("t", waiter(sim, c, log, "t", 300)), false);
  assert.deepEqual(log, ["t timed out@300"]);
});

test("reinitCompletion() makes a completed completion block again", () => {
  const sim = new Sim({ seed: 1 });
  const c = new Completion(sim, "reused");
  completeAll(c);
  reinitCompletion(c);
  const log: string[] = [];
  sim.spawn("t", waiter(sim, c, log, "t", 40));
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(log, ["t timed out@40"]);
});

test("a wait that timed out takes nothing: the next complete() still releases the next waiter", () => {
  const sim = new Sim({ seed: 1 });
  const c = new Completion(sim, "c");
  const log: string[] = [];
  sim.runTask("early", waiter(sim, c, log, "early", 10));
  complete(c);
  sim.runTask("late", waiter(sim, c, log, "late", 10));
  assert.deepEqual(log, ["early timed out@10", "late done@10"]);
  assert.equal(c.done, 0);
});
