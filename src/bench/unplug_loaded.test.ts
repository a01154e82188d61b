import assert from "node:assert/strict";
import { test } from "node:test";
import { LOAD_CASES, unplugLoadedOnce } from "./unplug_loaded.js";

// The benchmark's own run, at a small load and with the footprint checker on (the test setup):
// unplugLoadedOnce() throws when a fence is still pending after the unplug, a device outlives
// the teardown, or the run has any finding. No time is asserted.
for (const c of LOAD_CASES) {
  test(`the loaded unplug benchmark's run holds its contract: ${c.name}`, () => {
    const { buffers, mappings, fences } = c.load;
    const load = { buffers: buffers / 5000, mappings: mappings / 5000, fences: fences / 1000 };
    const sample = unplugLoadedOnce(c, load, "steps", () => {});
    assert.ok(sample.unplugNs > 0 && sample.teardownNs > 0);
  });
}
