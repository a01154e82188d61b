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

test("RandomStrategy's picks for a seed are pinned, seed 0 included: a seed printed today replays tomorrow", () => {
  const tasks = views(4);
  const picks = (seed: number): number[] => {
    const r = new RandomStrategy(seed);
    return Array.from({ length: 16 }, () => r.pick(tasks));
  };
  assert.deepEqual(picks(5), [1, 1, 1, 0, 3, 0, 3, 3, 3, 2, 1, 3, 2, 1, 3, 1]);
  assert.deepEqual(picks(0), [0, 2, 0, 3, 2, 3, 2, 0, 2, 0, 1, 2, 1, 3, 2, 0]);
});

test("strategies and replay errors carry the names messages print", () => {
  assert.deepEqual([new RandomStrategy(1).name, new ReplayStrategy([]).name], ["random", "replay"]);
  const err = new ReplayMismatchError("x");
  assert.equal(err.name, "ReplayMismatchError");
  assert.match(String(err), /^ReplayMismatchError: x$/);
});
