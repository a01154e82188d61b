/**
 * The built-in dma-buf and cross-device fence scenarios over many seeds: a buffer written
 * through its dma-buf mapping after its device is gone, then freed cleanly; a fence of a
 * removed vtest device, imported into a second device's syncobj, signalled when waited on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runs, unmet } from "./_test_builtin.js";

test("dmabuf-write-after-unplug: the writes after the removal land, the old device is freed at the dma-buf's close", () => {
  for (const run of runs("dmabuf-write-after-unplug", 8)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    assert.deepEqual(run.findings, [], `seed ${run.seed}`);
    const app = run.steps.filter((s) => s.program === "app");
    const written = app.find((s) => s.text.includes("16384 x 0x5a"));
    assert.deepEqual(written?.outcome, { status: "ok", fields: { written: 16384 } });
    // The old drm_device lives until the dma-buf's close, then its container is freed.
    const close = app.find((s) => s.text === "close 4");
    assert.ok(close !== undefined);
    const freed = run.world.sim.trace.events.filter((e) => e.t === "free" &&
      e.tick >= close.startTick && e.tick <= close.endTick && e.site.fn === "drm_dev_release");
    assert.equal(freed.length, 1, `seed ${run.seed}: the old device is released by the close`);
  }
});

test("fence-across-devices-unplug: the wait on the second device returns at the removal, without a hang", () => {
  for (const run of runs("fence-across-devices-unplug", 8)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    const remove = run.steps.find((s) => s.program === "admin" && s.text.includes("/remove"));
    const wait = run.steps.find((s) => s.program === "client" && s.text.includes("SYNCOBJ_WAIT"));
    assert.ok(remove !== undefined && wait !== undefined);
    assert.ok(wait.startTick < remove.startTick, `seed ${run.seed}: pending before the removal`);
    assert.ok(wait.endTick >= remove.startTick && wait.endTick <= remove.endTick,
      `seed ${run.seed}: it returned during the removal, not at the job's end`);
  }
});
