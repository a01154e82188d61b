import { test } from "node:test";
import assert from "node:assert/strict";
import { compareVersions, DEFAULT_KERNEL_VERSION, isKernelVersion, KERNEL_VERSIONS } from "./profile.js";

test("compareVersions() compares dotted versions part by part as numbers, a missing part as 0", () => {
  assert.ok(compareVersions("6.8", "6.12") < 0, "6.8 is older than 6.12");
  assert.ok(compareVersions("6.12", "6.8") > 0);
  assert.ok(compareVersions("7.0", "6.18") > 0);
  assert.equal(compareVersions("7", "7.0"), 0);
  assert.equal(compareVersions("6.12", "6.12"), 0);
  assert.ok(compareVersions("6.12.1", "6.12") > 0);
  assert.ok(compareVersions("6", "6.0.1") < 0);
});

test("KERNEL_VERSIONS ascend and end at the default; isKernelVersion() knows exactly those", () => {
  for (let i = 1; i < KERNEL_VERSIONS.length; i++) assert.ok(compareVersions(KERNEL_VERSIONS[i]!, KERNEL_VERSIONS[i - 1]!) > 0);
  assert.equal(KERNEL_VERSIONS.at(-1), DEFAULT_KERNEL_VERSION);
  assert.ok(KERNEL_VERSIONS.every(isKernelVersion));
  assert.equal(isKernelVersion("6.13"), false);
  assert.equal(isKernelVersion("6.12 "), false);
});
