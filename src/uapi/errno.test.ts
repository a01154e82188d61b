import { test } from "node:test";
import assert from "node:assert/strict";
import { ERRNO, ERRNO_NAMES, errnoName, errnoValue, fail, isErrnoName, ok } from "./errno.js";

test("ERRNO has the Linux values", () => {
  assert.equal(ERRNO.ENOENT, 2);
  assert.equal(ERRNO.ENXIO, 6);
  assert.equal(ERRNO.EACCES, 13);
  assert.equal(ERRNO.ENODEV, 19);
  assert.equal(ERRNO.EINVAL, 22);
  assert.equal(ERRNO.ETIMEDOUT, 110);
  assert.equal(ERRNO.ECANCELED, 125);
  assert.equal(errnoValue("ENODEV"), 19);
});

test("errnoName() names a value given positive or negative", () => {
  assert.equal(errnoName(-19), "ENODEV");
  assert.equal(errnoName(19), "ENODEV");
  assert.equal(errnoName(-2), "ENOENT");
  assert.equal(errnoName(0), undefined);
  assert.equal(errnoName(-9999), undefined);
});

test("errnoName() inverts errnoValue() for every name, and no two names share a value", () => {
  for (const name of ERRNO_NAMES) assert.equal(errnoName(errnoValue(name)), name);
  assert.equal(new Set(ERRNO_NAMES.map((n) => ERRNO[n])).size, ERRNO_NAMES.length);
});

test("isErrnoName() accepts known names only", () => {
  assert.equal(isErrnoName("ENODEV"), true);
  assert.equal(isErrnoName("ENOPE"), false);
  assert.equal(isErrnoName("toString"), false);
});

test("ok() and fail() build the two kinds of SysResult", () => {
  assert.deepEqual(ok(3), { ok: true, value: 3 });
  assert.deepEqual(fail("ENODEV"), { ok: false, errno: "ENODEV" });
});
