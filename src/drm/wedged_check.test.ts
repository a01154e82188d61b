/**
 * The wedged event's prerequisite about CPU mappings (R79), as the check reports it: a mapping
 * of a device-memory (VRAM) buffer whose page table still reaches the buffer's pages when the
 * driver sends the event; pages never touched, or a mapping already torn down, do not count.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findingSummary } from "../kernel/mod.js";
import { DRM_IOCTL_MODE_CREATE_DUMB, DRM_IOCTL_MODE_MAP_DUMB } from "../uapi/mod.js";
import { DRM_WEDGE_RECOVERY_REBIND, drmDevWedgedEvent } from "./wedged.js";
import { drmMachine } from "./_testing.js";

/** A KMS device with a 4-page VRAM buffer mapped; `touched` pages written through the mapping. */
function wedgedWithMapping(touched: readonly number[], unmapFirst = false): { findings: string[]; addr: bigint } {
  const m = drmMachine();
  const dev = m.kms();
  const fd = m.open("/dev/dri/card0");
  const bo = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
  assert.ok(bo.ok);
  const off = m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: bo.value.handle });
  assert.ok(off.ok);
  const map = m.run(() => m.proc.mmap(fd, off.value.offset, 16384));
  assert.ok(map.ok);
  for (const page of touched) {
    const w = m.run(() => m.proc.memWrite(map.value + BigInt(page) * 4096n, Uint8Array.of(1)));
    assert.ok(w.ok);
  }
  if (unmapFirst) assert.ok(m.run(() => m.proc.munmap(map.value, 16384)).ok);
  m.runIn("test_declare_wedged", [dev], () => drmDevWedgedEvent(dev, DRM_WEDGE_RECOVERY_REBIND, null));
  const findings = m.sim.findings.filter((f) => f.kind === "wedge-prerequisite").map(findingSummary);
  return { findings, addr: map.value };
}

test("a VRAM mapping whose page table still reaches the buffer is an unmet prerequisite, counted by page (R79)", () => {
  const { findings, addr } = wedgedWithMapping([0, 2]);
  assert.equal(findings.length, 1);
  assert.ok(findings[0]!.includes(`a mapping at 0x${addr.toString(16)} still reaches 2 page(s) of device memory`), findings[0]);
});

test("a mapping never touched, or one unmapped before the event, reaches nothing: no finding", () => {
  assert.deepEqual(wedgedWithMapping([]).findings, []);
  assert.deepEqual(wedgedWithMapping([1], true).findings, []);
});
