/**
 * vtest imports another device's dma-bufs, as vgem does (R94): an object over the exporter's
 * pages, which outlives the exporting device. Checked at the program's boundary: the handle,
 * the bytes read back through the re-exported buffer, the errno of an import into a gone
 * device, and (uapi-doc) of an import of a gone exporter's buffer.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ProfileName } from "../base/mod.js";
import { scenarioFrom } from "./_testing.js";
import { runScenario, type ScenarioRun } from "./run.js";
import { unmet } from "./_test_builtin.js";

/** A virtio-gpu buffer filled with 0x5a, imported by `importer` before and after its exporter goes. */
function importRun(importer: string, profile: ProfileName, seed: number): ScenarioRun {
  const sc = scenarioFrom(`world:
  devices:
    - { bdf: "0000:01:00.0", driver: ${importer} }
    - { bdf: "0000:02:00.0", driver: virtio-gpu }
programs:
  app:
    - open: { device: "0000:02:00.0", node: card }
      as: ex
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $ex
      args: { width: 64, height: 64, bpp: 32 }
      as: bo
    - ioctl: DRM_IOCTL_PRIME_HANDLE_TO_FD
      fd: $ex
      args: { handle: $bo.handle, flags: 524290 }
      as: buf
    - mmap: $buf.fd
      offset: 0
      length: 16384
      as: map
    - mem-write: $map
      fill: 0x5a
      length: 16384
    - open: { device: "0000:01:00.0", node: card }
      as: im
    - ioctl: DRM_IOCTL_PRIME_FD_TO_HANDLE
      fd: $im
      args: { fd: $buf.fd }
      as: before
    - close: $ex
    - sysfs-write: /sys/bus/pci/devices/0000:02:00.0/remove
      value: 1
    - ioctl: DRM_IOCTL_GEM_CLOSE
      fd: $im
      args: { handle: 1 }
    - ioctl: DRM_IOCTL_PRIME_FD_TO_HANDLE
      fd: $im
      args: { fd: $buf.fd }
      as: after
    - ioctl: DRM_IOCTL_PRIME_HANDLE_TO_FD
      fd: $im
      args: { handle: 1, flags: 524290 }
      as: again
    - mmap: $again.fd
      offset: 0
      length: 16384
      as: view
    - mem-read: $view
      length: 16
`);
  return runScenario(sc, { seed, profile });
}

function outcomes(run: ScenarioRun): string[] {
  return run.steps.filter((s) => /PRIME_FD_TO_HANDLE|mem-read/.test(s.text)).map((s) =>
    s.outcome.status === "ok" ? JSON.stringify(s.outcome.fields) : String((s.outcome as { errno?: string }).errno));
}

test("vtest imports a virtio-gpu buffer, and again once the exporter is gone: the same bytes (R94, mainline)", () => {
  for (let seed = 1; seed <= 4; seed++) {
    const run = importRun("vtest", "mainline", seed);
    assert.deepEqual(outcomes(run), [
      '{"handle":1}', '{"handle":1}',
      '{"length":16,"fill":90,"head":"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a","s32":1515870810}',
    ], `seed ${seed}: ${unmet(run)}`);
    assert.deepEqual(run.findings, [], `seed ${seed}`);
  }
});

test("under uapi-doc the import of a gone exporter's buffer is ENODEV (R94); vdisp imports nothing: EINVAL", () => {
  const doc = importRun("vtest", "uapi-doc", 1);
  assert.deepEqual(outcomes(doc).slice(0, 2), ['{"handle":1}', "ENODEV"]);
  assert.deepEqual(doc.findings, []);
  const vdisp = importRun("vdisp", "mainline", 1);
  assert.deepEqual(outcomes(vdisp).slice(0, 2), ["EINVAL", "EINVAL"]);
});
