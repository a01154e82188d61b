import { test } from "node:test";
import assert from "node:assert/strict";
import { Prng } from "./prng.js";
import { compareTimers, TimerHeap } from "./timer_heap.js";

test("TimerHeap.pop() returns timers by deadline, and equal deadlines in the order they were added", () => {
  const heap = new TimerHeap<string>();
  const prng = new Prng(7);
  const added: { atTick: number; value: string }[] = [];
  for (let i = 0; i < 200; i++) {
    const atTick = prng.intInclusive(0, 20);
    heap.add(atTick, `t${i}`);
    added.push({ atTick, value: `t${i}` });
  }
  assert.equal(heap.length, 200);
  const expected = added.map((t, i) => ({ ...t, i })).sort((a, b) => a.atTick - b.atTick || a.i - b.i).map((t) => t.value);
  const popped: string[] = [];
  for (let t = heap.pop(); t !== undefined; t = heap.pop()) popped.push(t.value);
  assert.deepEqual(popped, expected);
  assert.equal(heap.length, 0);
  assert.equal(heap.pop(), undefined);
  assert.equal(heap.peek(), undefined);
});

test("TimerHeap.peek() shows the earliest timer without removing it", () => {
  const heap = new TimerHeap<string>();
  heap.add(5, "late");
  const early = heap.add(3, "early");
  heap.add(3, "early too");
  assert.equal(heap.peek(), early);
  assert.equal(heap.length, 3);
  assert.equal(heap.pop(), early);
  assert.equal(heap.peek()?.value, "early too");
});

test("compareTimers() orders by deadline, then by the order timers were set", () => {
  const a = { atTick: 5, seq: 1, value: 0 };
  const b = { atTick: 5, seq: 2, value: 0 };
  const c = { atTick: 4, seq: 3, value: 0 };
  assert.ok(compareTimers(a, b) < 0 && compareTimers(b, a) > 0);
  assert.ok(compareTimers(c, a) < 0 && compareTimers(a, c) > 0);
  assert.equal(compareTimers(a, a), 0);
});
