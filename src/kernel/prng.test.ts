import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelAssertionError } from "./assert.js";
import { Prng } from "./prng.js";

function draws(seed: number, count: number): number[] {
  const prng = new Prng(seed);
  return Array.from({ length: count }, () => prng.nextU32());
}

test("Prng() with the same seed yields the same sequence", () => {
  for (const seed of [0, 1, 42, 2 ** 31 + 7, 2 ** 40 + 3]) {
    assert.deepEqual(draws(seed, 200), draws(seed, 200), `seed ${seed}`);
  }
});

test("Prng() with different seeds yields different sequences", () => {
  const seen = new Set<string>();
  for (let seed = 0; seed < 50; seed++) seen.add(draws(seed, 8).join(","));
  assert.equal(seen.size, 50);
});

test("Prng.nextU32() returns unsigned 32-bit integers that are not constant", () => {
  const values = draws(7, 1000);
  for (const v of values) assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32, `value ${v}`);
  assert.ok(new Set(values).size > 990, "values repeat far more than a 32-bit generator should");
  // Both halves of the range occur: the top bit is not stuck.
  assert.ok(values.some((v) => v >= 2 ** 31));
  assert.ok(values.some((v) => v < 2 ** 31));
});

test("Prng.intInclusive() stays within both bounds and reaches each of them", () => {
  const prng = new Prng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = prng.intInclusive(-2, 4);
    assert.ok(Number.isInteger(v) && v >= -2 && v <= 4, `value ${v}`);
    seen.add(v);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [-2, -1, 0, 1, 2, 3, 4]);
  assert.equal(prng.intInclusive(5, 5), 5);
});

test("Prng.intInclusive() rejects min > max and non-integer bounds", () => {
  const prng = new Prng(1);
  assert.throws(() => prng.intInclusive(2, 1), ModelAssertionError);
  assert.throws(() => prng.intInclusive(0, 1.5), ModelAssertionError);
});

test("Prng.index() returns an index into the collection", () => {
  const prng = new Prng(9);
  for (let i = 0; i < 500; i++) {
    const v = prng.index(3);
    assert.ok(v === 0 || v === 1 || v === 2, `index ${v}`);
  }
  assert.equal(prng.index(1), 0);
});

test("Prng.index() of an empty collection throws", () => {
  const prng = new Prng(1);
  assert.throws(() => prng.index(0), (e: unknown) => e instanceof ModelAssertionError && /empty collection/.test(e.message));
});

test("Prng() rejects a negative or fractional seed", () => {
  assert.throws(() => new Prng(-1), ModelAssertionError);
  assert.throws(() => new Prng(1.5), ModelAssertionError);
});

test("Prng() is xoshiro128** seeded by splitmix32: pinned outputs, so recorded seeds and replay tokens stay valid", () => {
  const draw = (seed: number): number[] => {
    const prng = new Prng(seed);
    return [0, 1, 2, 3].map(() => prng.nextU32());
  };
  assert.deepEqual(draw(1), [2442144158, 3238099751, 3819917871, 2104621829]);
  // A seed above 2^32: its high bits are folded in, not dropped.
  assert.deepEqual(draw(2 ** 40 + 5), [4025208168, 2378449997, 3826048604, 598310181]);
  assert.notDeepEqual(draw(5), draw(2 ** 40 + 5));
});

test("Prng.intInclusive() spans up to 2^32 values and says why it refuses bounds", () => {
  const prng = new Prng(3);
  const v = prng.intInclusive(0, 2 ** 32 - 1);
  assert.ok(v >= 0 && v < 2 ** 32);
  assert.throws(() => prng.intInclusive(0, 2 ** 32), { message: "Cannot draw integer: range wider than 2^32" });
  assert.throws(() => prng.intInclusive(2, 1), { message: "Cannot draw integer: min 2 > max 1" });
  assert.throws(() => prng.intInclusive(0, 1.5), { message: "Cannot draw integer: bounds are not integers" });
  assert.throws(() => new Prng(-1), { message: "Cannot seed PRNG: -1 is not a non-negative integer" });
});
