import assert from "node:assert/strict";
import { test } from "node:test";
import { mapWritesOnce } from "./map_writes.js";

test("the mapping-writes benchmark's run sees its pages, then the dummy page after unplug", () => {
  // mapWritesOnce() throws when pages are shared before the unplug or not after it, or when a
  // write raises a signal. No time is asserted.
  const sample = mapWritesOnce({ writes: 40, runs: 1, trace: "steps" });
  assert.ok(sample.beforeNs > 0 && sample.afterNs > 0);
});
