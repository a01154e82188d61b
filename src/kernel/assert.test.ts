import { test } from "node:test";
import assert from "node:assert/strict";
import { assert as modelAssert, assertNever, ModelAssertionError } from "./assert.js";

test("assert() throws a ModelAssertionError with its message when the condition is false", () => {
  modelAssert(1, "not thrown");
  assert.throws(() => modelAssert(0, "Cannot x: y"), (e: unknown) => e instanceof ModelAssertionError && e.message === "Cannot x: y");
  assert.match(String(new ModelAssertionError("m")), /^ModelAssertionError: m$/);
});

test("assertNever() names the value it did not expect", () => {
  assert.throws(() => assertNever({ kind: "bind" } as never), { name: "ModelAssertionError", message: 'Cannot handle value: {"kind":"bind"}' });
  assert.throws(() => assertNever(3 as never, "Cannot format uevent"), { message: "Cannot format uevent: 3" });
});
