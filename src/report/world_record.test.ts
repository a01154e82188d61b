/**
 * The HTML timeline's device lanes: an object shared between devices goes to its owner's lane,
 * whatever device its label names first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseScenario, runScenario } from "../scenario/mod.js";
import { worldRunRecord } from "./world_record.js";

const IMPORT = `
world:
  devices:
    - { bdf: "0000:01:00.0", driver: vdisp }
    - { bdf: "0000:02:00.0", driver: vdisp }
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

test("worldRunRecord() puts an imported object in the importing device's lane, though its label names the exporter first", () => {
  const parsed = parseScenario(IMPORT, "import.yaml");
  assert.ok(parsed.ok);
  const run = runScenario(parsed.scenario);
  assert.equal(run.verdict, "pass");
  const record = worldRunRecord(run.world, { title: "import", verdict: run.verdict, replay: "" });
  const labels = new Map<number, string>();
  for (const ev of record.events) if (ev.t === "alloc") labels.set(ev.id, ev.label);
  const lane = (name: string): string[] =>
    (record.devices.find((d) => d.name === name)?.allocIds ?? []).map((id) => labels.get(id) ?? "");
  const imported = "gem 16384B imported from dma-buf #1 of drm_device#1 (card0) [drm_device#2 (card1)]";
  assert.ok(lane("drm_device#2").includes(imported), lane("drm_device#2").join("\n"));
  assert.ok(!lane("drm_device#1").includes(imported));
  assert.ok(lane("drm_device#2").some((l) => l.startsWith("dma_buf_attachment of dma-buf #1 by 0000:02:00.0")));
  assert.ok(lane("drm_device#1").some((l) => l.startsWith("dma-buf #1 16384B of gem 16384B (drm_device#1")));
});
