/**
 * The object lanes of real scenario runs, read from the HTML `vdrm run --html` writes: the
 * owners the model records place a mapped dumb buffer, its mappings and a device's fences,
 * syncobjs and sync_files under the drm_device that made them, with the device's lifetime.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { barLabels, reportLanes, type HtmlLane } from "./_html_lanes.js";

/** The lanes of the device whose own lane is labelled `label`: its own, then its objects'. */
function deviceLanes(lanes: readonly HtmlLane[], label: string): Map<string, HtmlLane> {
  const own = lanes.find((l) => l.classes.includes("lane-device") && l.label === label);
  assert.ok(own !== undefined, `no device ${label}: ${lanes.map((l) => l.key).join(", ")}`);
  const parts = lanes.filter((l) => l.key.startsWith(`${own.key}/`));
  return new Map([["own", own], ...parts.map((l) => [l.key.slice(own.key.length + 1), l] as const)]);
}

function extent(item: HtmlLane["items"][number]): { left: number; right: number } {
  return { left: item.left, right: item.left + (item.width ?? 0) };
}

test("hotunplug-lateclose: the dumb buffer and its mapping are drawn under the unplugged drm_device", () => {
  const lanes = reportLanes("hotunplug-lateclose.yaml");
  const first = deviceLanes(lanes, "vdisp_device [drm_device#1 (card0)]");
  assert.deepEqual([...first.keys()], ["own", "buffers", "mappings"]);
  assert.deepEqual(barLabels(first.get("buffers")!), ["gem 16384B (drm_device#1 (card0))"]);
  // The mmap after the unplug makes a VMA too, freed at once when the file's mmap fails (ENODEV).
  assert.deepEqual(barLabels(first.get("mappings")!), ["vma /dev/dri/card0 (pid 1000)", "vma /dev/dri/card0 (pid 1000)"]);
  assert.ok(barLabels(first.get("own")!).includes("dummy page (drm_device#1 (card0))"));
  const band = first.get("mappings")!.items.find((i) => i.kind === "life")!;
  assert.ok(!band.classes.includes("open"), "the old drm_device is freed at the late close");
  for (const item of first.get("mappings")!.items.filter((i) => i.kind === "alloc")) {
    assert.equal(item.state, "freed");
    assert.ok(extent(item).right <= extent(band).right, "the mapping is gone before its device");
  }
  const second = deviceLanes(lanes, "vdisp_device [drm_device#2 (card0)]");
  assert.deepEqual([...second.keys()], ["own"], "the device of the rescan has no buffer");
});

test("syncobj-wait-unplug: fences, syncobjs and the sync_file are drawn under the vtest device, the cancelled fence with ECANCELED", () => {
  const lanes = reportLanes("syncobj-wait-unplug.yaml");
  const device = deviceLanes(lanes, "vtest_device [drm_device#1 (card0)]");
  assert.deepEqual([...device.keys()], ["own", "fences"]);
  const fences = device.get("fences")!;
  const bars = fences.items.filter((i) => i.kind === "alloc");
  assert.deepEqual(bars.map((b) => b.details["type"]).sort(), ["dma_fence", "dma_fence", "drm_syncobj", "drm_syncobj", "sync_file"]);
  const signals = fences.items.filter((i) => i.kind === "signal").map((s) => s.details["signaled"]);
  assert.deepEqual(signals.map((s) => (s as { errno: string | null }).errno), [null, "ECANCELED"]);
  // vtest labels its fences with the device's bus address (for findings).
  const label = "dma_fence vtest:card0:1:2 of 0000:01:00.0";
  const cancelled = bars.find((b) => b.details["label"] === label);
  assert.ok(cancelled !== undefined);
  assert.match(cancelled.title, /\nsignalled with error -125 \(ECANCELED\), event #\d+/);
  const syncFile = bars.find((b) => b.details["type"] === "sync_file")!;
  assert.deepEqual(syncFile.details["owner"], { id: cancelled.details["id"], label });
  assert.ok(bars.every((b) => b.state === "freed"), "the program closed everything");
});
