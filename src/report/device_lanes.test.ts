/**
 * The object lanes of the report, read back from the HTML a user opens: each device with its
 * buffers, mappings and fences below it, placed by their owners; a fence's signal and its
 * error; freed, still allocated and leaked objects; the device's lifetime behind them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Sim } from "../kernel/sim.js";
import { renderHtml } from "./html.js";
import { barLabels, htmlLanes, laneOf, type HtmlLane } from "./_html_lanes.js";
import { CARD0, CARD1, SHARED_LABELS, sharedObjectsRunRecord } from "./_test_shared.js";
import type { RunRecord } from "./run_record.js";

function bar(lane: HtmlLane, label: string): HtmlLane["items"][number] {
  const item = lane.items.find((i) => i.kind === "alloc" && i.details["label"] === label);
  assert.ok(item !== undefined, `no bar ${label} in ${lane.key}: ${barLabels(lane).join(", ")}`);
  return item;
}

test("an object shared between devices is drawn under the device that owns it, whatever its label says", () => {
  const lanes = htmlLanes(renderHtml([sharedObjectsRunRecord()]));
  assert.deepEqual(lanes.filter((l) => l.key.startsWith("device:")).map((l) => l.key), [
    `device:${CARD0}`, `device:${CARD0}/buffers`, `device:${CARD0}/mappings`, `device:${CARD0}/fences`,
    `device:${CARD1}`, `device:${CARD1}/buffers`, `device:${CARD1}/fences`,
  ]);
  assert.deepEqual(barLabels(laneOf(lanes, `device:${CARD0}`)), [CARD0, "drm_minor card0"]);
  assert.deepEqual(barLabels(laneOf(lanes, `device:${CARD0}/buffers`)), ["gem 16384B (drm_device#1 (card0))", SHARED_LABELS.dmaBuf]);
  assert.deepEqual(barLabels(laneOf(lanes, `device:${CARD0}/mappings`)), [SHARED_LABELS.mapping]);
  assert.deepEqual(barLabels(laneOf(lanes, `device:${CARD0}/fences`)), [SHARED_LABELS.fence]);
  assert.deepEqual(barLabels(laneOf(lanes, `device:${CARD1}/buffers`)), [SHARED_LABELS.imported]);
  assert.deepEqual(barLabels(laneOf(lanes, `device:${CARD1}/fences`)), [SHARED_LABELS.syncobj]);
  const mapping = bar(laneOf(lanes, `device:${CARD0}/mappings`), SHARED_LABELS.mapping);
  assert.equal(mapping.details["device"], CARD0);
  assert.deepEqual(mapping.details["owner"], { id: 6, label: SHARED_LABELS.dmaBuf }, "its owner is the dma-buf it maps");
  assert.match(mapping.title, new RegExp(`of ${escapeRe(CARD0)}, owned by ${escapeRe(SHARED_LABELS.dmaBuf)}`));
  const sub = laneOf(lanes, `device:${CARD0}/fences`);
  assert.deepEqual([sub.label, sub.sublabel], ["fences", `1 object of ${CARD0}`]);
  assert.ok(sub.classes.includes("lane-objects"));
});

test("a fence's bar carries its signal with the error; freed, still allocated and leaked objects say which", () => {
  const lanes = htmlLanes(renderHtml([sharedObjectsRunRecord()]));
  const fences = laneOf(lanes, `device:${CARD0}/fences`);
  const fence = bar(fences, SHARED_LABELS.fence);
  assert.equal(fence.state, "allocated");
  assert.ok(fence.classes.includes("open"));
  assert.match(fence.title, /\nsignalled with error -125 \(ECANCELED\), event #\d+ · t=\d+\nstill allocated at the end of the trace$/);
  const signals = fences.items.filter((i) => i.kind === "signal");
  assert.equal(signals.length, 1);
  assert.ok(signals[0]!.classes.includes("tone-err"));
  const signaled = fence.details["signaled"] as { event: number; tick: number };
  assert.deepEqual(signals[0]!.details["signaled"], { event: signaled.event, tick: signaled.tick, error: -125, errno: "ECANCELED" });
  assert.ok(signals[0]!.left > fence.left, "the signal is drawn inside the fence's bar");

  const syncobj = bar(laneOf(lanes, `device:${CARD1}/fences`), SHARED_LABELS.syncobj);
  assert.equal(syncobj.state, "leaked");
  assert.ok(syncobj.classes.includes("leaked"));
  assert.match(syncobj.title, /\nleaked: kmemleak: unreferenced object drm_syncobj/);
  assert.equal((syncobj.details["findings"] as unknown[]).length, 1);
  const bo = bar(laneOf(lanes, `device:${CARD0}/buffers`), "gem 16384B (drm_device#1 (card0))");
  assert.equal(bo.state, "freed");
  assert.match(bo.title, /\nfreed in drm_gem_object_free by app, event #\d+ · t=\d+$/);
  assert.ok(!("signaled" in bo.details), "a buffer has no signal");
});

test("every lane of a device has the device's lifetime behind its bars", () => {
  const lanes = htmlLanes(renderHtml([sharedObjectsRunRecord()]));
  for (const [device, open] of [[CARD0, false], [CARD1, true]] as const) {
    for (const lane of lanes.filter((l) => l.key === `device:${device}` || l.key.startsWith(`device:${device}/`))) {
      const bands = lane.items.filter((i) => i.kind === "life");
      assert.equal(bands.length, 1, `one band in ${lane.key}`);
      assert.ok(bands[0]!.classes.includes("tone-device"));
      assert.equal(bands[0]!.classes.includes("open"), open, `${lane.key}: open iff the device is still allocated`);
      assert.match(bands[0]!.title, new RegExp(`^lifetime of ${escapeRe(device)}\n`));
    }
  }
  const card0 = laneOf(lanes, `device:${CARD0}/buffers`);
  const band = card0.items.find((i) => i.kind === "life")!;
  const bo = bar(card0, "gem 16384B (drm_device#1 (card0))");
  assert.ok(band.left + band.width! > bo.left + bo.width!, "the device outlives the buffer it was freed after");
});

test("objects whose owners lead to no device get lanes of their own; other ownerless objects are not drawn", () => {
  const sim = new Sim({ seed: 1 });
  const fence = sim.alloc("dma_fence", { label: "dma_fence stub:stub:1:0" });
  sim.alloc("sync_file", { label: "sync_file (stub)", owner: { mem: fence } });
  sim.alloc("kernfs_root", { label: "sysfs", kind: "static", persistent: true });
  const record: RunRecord = { title: "stub", seed: 1, profile: "mainline 7.1", verdict: "pass", replay: "", events: sim.trace.events };
  const lanes = htmlLanes(renderHtml([record])).filter((l) => l.key.startsWith("device:"));
  assert.deepEqual(lanes.map((l) => [l.key, l.sublabel]), [["device:no device/fences", "2 objects of no device"]]);
  assert.deepEqual(barLabels(lanes[0]!), ["dma_fence stub:stub:1:0", "sync_file (stub)"]);
  assert.equal(lanes[0]!.items.filter((i) => i.kind === "life").length, 0, "no device, no lifetime band");
  assert.match(bar(lanes[0]!, "dma_fence stub:stub:1:0").title, /\nnever signalled\n/);
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
