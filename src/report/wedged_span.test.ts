/**
 * The wedged state on the HTML timeline: xe-wedge-rebind's first drm_device gets, on its own
 * lane, a span from the wedge to the device's release, labelled with the methods, and the
 * WEDGED uevent as a mark on it; the device made by the rebind has none.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, replayCommand, runScenario } from "../scenario/mod.js";
import { htmlLanes } from "./_html_lanes.js";
import { renderHtml, worldRunRecord } from "./mod.js";

test("xe-wedge-rebind: the wedged span with its uevent on the first device's lane only", () => {
  const file = fileURLToPath(new URL("../../scenarios/xe-wedge-rebind.yaml", import.meta.url));
  const loaded = loadScenarioFile(file);
  assert.ok(loaded.ok);
  const run = runScenario(loaded.scenario);
  assert.equal(run.verdict, "pass");
  const meta = { title: run.scenario.name, verdict: run.verdict, replay: replayCommand(run) };
  const lanes = htmlLanes(renderHtml([worldRunRecord(run.world, meta)]));
  const devices = lanes.filter((l) => l.classes.includes("lane-device") && l.label.includes("(card0)"));
  assert.equal(devices.length, 2, devices.map((l) => l.label).join(", "));
  const spans = devices.map((l) => l.items.filter((i) => i.classes.includes("tone-state")));
  assert.equal(spans[1]!.length, 0, "the device of the rebind is not wedged");
  assert.equal(spans[0]!.length, 1);
  const span = spans[0]![0]!;
  assert.match(span.title, /^xe_device \[drm_device#1 \(card0\)\] wedged \(WEDGED=rebind,bus-reset\)\n/);
  assert.match(span.title, /until event #\d+/, "it ends with the device");
  const mark = devices[0]!.items.find((i) => i.classes.includes("k-uevent"));
  assert.ok(mark !== undefined, "the uevent is on the device lane");
  assert.match(mark.title, /^change@.*\/drm\/card0\n/);
  assert.match(mark.title, /\nWEDGED=rebind,bus-reset\n/);
  assert.ok(mark.left >= span.left && mark.left <= span.left + (span.width ?? 0), "on the span");
});
