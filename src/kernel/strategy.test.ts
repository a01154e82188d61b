import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelAssertionError } from "./assert.js";
import { decodeDecisions, encodeDecisions, FifoStrategy, RandomStrategy, ReplayStrategy } from "./strategy.js";
import type { TaskId, TaskView } from "./task.js";

function views(count: number): TaskView[] {
  return Array.from({ length: count }, (_, i) => ({ id: (i + 1) as TaskId, name: `t${i + 1}`, kind: "kernel", pending: null }));
}

test("encodeDecisions() prints indexes separated by dots", () => {
  assert.equal(encodeDecisions([0, 1, 1, 0]), "0.1.1.0");
  assert.equal(encodeDecisions([]), "");
  assert.equal(encodeDecisions([12]), "12");
});

test("decodeDecisions() inverts encodeDecisions()", () => {
  for (const list of [[], [0], [0, 1, 1, 0], [3, 0, 12, 7, 1]]) {
    assert.deepEqual(decodeDecisions(encodeDecisions(list)), list);
  }
  assert.deepEqual(decodeDecisions("  "), []);
});

test("decodeDecisions() rejects a part that is not a non-negative integer and names it", () => {
  assert.throws(() => decodeDecisions("1.x"), (e: unknown) => e instanceof SyntaxError && /decision 1/.test(e.message) && /"x"/.test(e.message));
  assert.throws(() => decodeDecisions("0.-1"), SyntaxError);
  assert.throws(() => decodeDecisions("0.1e0"), SyntaxError);
});

test("decodeDecisions() rejects an empty part instead of reading it as 0", () => {
  assert.throws(() => decodeDecisions("1..2"), (e: unknown) => e instanceof SyntaxError && /decision 1/.test(e.message));
  assert.throws(() => decodeDecisions("1.2."), SyntaxError);
  assert.throws(() => decodeDecisions("0x1"), SyntaxError);
});

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

test("ReplayStrategy.pick() returns the recorded choices, then 0 after the list ends", () => {
  const replay = new ReplayStrategy([1, 2, 0]);
  const tasks = views(3);
  assert.deepEqual([0, 1, 2, 3, 4].map((d) => replay.pick(tasks, d)), [1, 2, 0, 0, 0]);
});

test("ReplayStrategy.pick() throws when a recorded choice has no runnable task", () => {
  const replay = new ReplayStrategy([2]);
  assert.throws(() => replay.pick(views(2), 0), ModelAssertionError);
});
