import assert from "node:assert/strict";
import { test } from "node:test";
import { alignByIdentity } from "./align.js";

const pairs = (a: string, b: string) =>
  alignByIdentity([...a], [...b]).map((p) => `${p.a === null ? "-" : a[p.a]}${p.b === null ? "-" : b[p.b]}`);

test("one item missing or extra is one unpaired row, the rest stay paired", () => {
  assert.deepEqual(pairs("abcd", "acd"), ["aa", "b-", "cc", "dd"]);
  assert.deepEqual(pairs("acd", "abcd"), ["aa", "-b", "cc", "dd"]);
});

test("items left between two common ones pair in order; the longer side's rest is unpaired", () => {
  assert.deepEqual(pairs("axd", "ayd"), ["aa", "xy", "dd"]);
  assert.deepEqual(pairs("axzd", "ayd"), ["aa", "xy", "z-", "dd"]);
});

test("empty sides", () => {
  assert.deepEqual(pairs("", ""), []);
  assert.deepEqual(pairs("ab", ""), ["a-", "b-"]);
  assert.deepEqual(pairs("", "ab"), ["-a", "-b"]);
});
