import { test } from "node:test";
import assert from "node:assert/strict";
import { FifoStrategy, RandomStrategy, ReplayMismatchError, ReplayStrategy } from "./strategy.js";
import type { TaskId, TaskView } from "./task.js";

function views(count: number): TaskView[] {
  return Array.from({ length: count }, (_, i) => ({ id: (i + 1) as TaskId, name: `t${i + 1}`, kind: "kernel", pending: null }));
}

test("FifoStrategy.pick() always picks the lowest task id", () => {
  const fifo = new FifoStrategy();
  assert.equal(fifo.pick(), 0);
  assert.equal(fifo.name, "fifo");
});

test("RandomStrategy.pick() with the same seed picks the same indexes, in range", () => {
  const a = new RandomStrategy(5);
  const b = new RandomStrategy(5);
  const tasks = views(4);
  const picksA = Array.from({ length: 100 }, () => a.pick(tasks));
  const picksB = Array.from({ length: 100 }, () => b.pick(tasks));
  assert.deepEqual(picksA, picksB);
  for (const p of picksA) assert.ok(p >= 0 && p < 4);
  assert.equal(new Set(picksA).size, 4);
});

test("ReplayStrategy.pick() returns the recorded choices in order", () => {
  const replay = new ReplayStrategy([1, 2, 0]);
  const tasks = views(3);
  assert.deepEqual([0, 1, 2].map((d) => replay.pick(tasks, d)), [1, 2, 0]);
});

test("ReplayStrategy.pick() past the end of the list throws, naming the decision and the runnable tasks", () => {
  const replay = new ReplayStrategy([1, 0]);
  assert.throws(() => replay.pick(views(2), 2), (e: unknown) =>
    e instanceof ReplayMismatchError &&
    e.message === "Cannot replay decision 2: the list ends after 2 decisions but the run goes on (runnable: [0] t1, [1] t2)");
});

test("ReplayStrategy.pick() throws when a recorded choice has no runnable task", () => {
  const replay = new ReplayStrategy([0, 2]);
  assert.equal(replay.pick(views(2), 0), 0);
  assert.throws(() => replay.pick(views(2), 1), (e: unknown) =>
    e instanceof ReplayMismatchError &&
    e.message === "Cannot replay decision 1: it picks choice 2 but only 2 are runnable ([0] t1, [1] t2)");
});

test("ReplayStrategy.checkEnd() accepts a run that used every decision and refuses one that left some", () => {
  const replay = new ReplayStrategy([0, 1, 1]);
  replay.checkEnd(3);
  assert.throws(() => replay.checkEnd(1), (e: unknown) =>
    e instanceof ReplayMismatchError && e.message === "Cannot finish replay: the run ended after 1 decision but the list holds 3");
});
