/**
 * The HTML timeline of a PRIME import: an object shared between devices is drawn under the
 * device that owns it, whatever its label names first (the imported object's label names the
 * exporter before the importer).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseScenario, replayCommand, runScenario } from "../scenario/mod.js";
import { barLabels, htmlLanes, type HtmlLane } from "./_html_lanes.js";
import { renderHtml, worldRunRecord } from "./mod.js";

const IMPORT = `
world:
  devices:
    - { bdf: "0000:01:00.0", driver: vdisp-dma }
    - { bdf: "0000:02:00.0", driver: vdisp-dma }
programs:
  app:
    - open: { device: "0000:01:00.0", node: card }
      as: a
    - open: { device: "0000:02:00.0", node: card }
      as: b
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $a
      args: { width: 64, height: 64, bpp: 32 }
      as: bo
    - ioctl: DRM_IOCTL_PRIME_HANDLE_TO_FD
      fd: $a
      args: { handle: $bo.handle, flags: 524290 }
      as: buf
    - ioctl: DRM_IOCTL_PRIME_FD_TO_HANDLE
      fd: $b
      args: { fd: $buf.fd }
      expect: { handle: 1 }
`;

/** The lanes below the device whose own lane is labelled `label`, by their name. */
function deviceLanes(lanes: readonly HtmlLane[], label: string): Map<string, HtmlLane> {
  const own = lanes.find((l) => l.classes.includes("lane-device") && l.label === label);
  assert.ok(own !== undefined, `no device ${label}: ${lanes.map((l) => l.label).join(", ")}`);
  const parts = lanes.filter((l) => l.key.startsWith(`${own.key}/`));
  return new Map([["own", own], ...parts.map((l) => [l.key.slice(own.key.length + 1), l] as const)]);
}

test("a buffer imported from another device is drawn under the importer, its dma-buf under the exporter", () => {
  const parsed = parseScenario(IMPORT, "import.yaml");
  assert.ok(parsed.ok);
  const run = runScenario(parsed.scenario);
  assert.equal(run.verdict, "pass");
  const meta = { title: "import", verdict: run.verdict, replay: replayCommand(run) };
  const lanes = htmlLanes(renderHtml([worldRunRecord(run.world, meta)]));
  const exporter = deviceLanes(lanes, "vdisp_dma_device [drm_device#1 (card0)]");
  const importer = deviceLanes(lanes, "vdisp_dma_device [drm_device#2 (card1)]");
  const imported = "gem 16384B imported from dma-buf #1 of drm_device#1 (card0) [drm_device#2 (card1)]";
  assert.deepEqual(barLabels(importer.get("buffers")!), [imported]);
  assert.ok(barLabels(importer.get("own")!).some((l) => l.startsWith("dma_buf_attachment of dma-buf #1")));
  assert.deepEqual(barLabels(exporter.get("buffers")!),
    ["gem 16384B (drm_device#1 (card0))", "dma-buf #1 16384B of gem 16384B (drm_device#1 (card0))"]);
});
