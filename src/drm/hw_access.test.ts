/**
 * The hardware-after-unplug sanitizer (R8) as a driver meets it: after drm_dev_unplug() an
 * MMIO access is a finding unless it is the driver's remove() tearing down or it is inside a
 * drm_dev_enter() section that began before the unplug; the finding names the device, the
 * register and the direction, and the task that made it.
 *
 * @see docs/requirements.md#r8; drm_dev_enter(), drm_dev_unplug() in drivers/gpu/drm/drm_drv.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sleepTicks, step, type Task } from "../kernel/mod.js";
import { drmMachine, type DrmMachine } from "./_testing.js";
import { drmDevEnter, drmDevExit, drmDevUnplug, type DrmDevice } from "./device.js";
import { drmHardwareAccessCheck, type RemoverRef } from "./hw_access.js";

const PCI = "0000:01:00.0";

/** An MMIO access by the running task, as a driver's register accessor makes it. */
function* mmio(dev: DrmDevice, remover: RemoverRef, offset: number, mode: "read" | "write"): Task<void> {
  yield step("test_mmio", []);
  drmHardwareAccessCheck(dev, remover, PCI, offset, mode);
}

/** The hardware-after-unplug findings so far, as "<mode> <register> of <device> by <task>". */
function hwFindings(m: DrmMachine): string[] {
  return m.sim.findings.flatMap((f) =>
    f.kind === "hardware-after-unplug" ? [`${f.mode} ${f.register} of ${f.device} by ${f.site.task}`] : [],
  );
}

describe("drmHardwareAccessCheck()", () => {
  test("an access before the unplug is fine; after it, one outside any section is a finding naming the register", () => {
    const m = drmMachine();
    const dev = m.registered();
    const remover: RemoverRef = { task: null };
    m.sim.spawn("worker", mmio(dev, remover, 0x10, "write"));
    m.sim.run();
    assert.deepEqual(hwFindings(m), []);
    m.run(() => drmDevUnplug(dev));
    m.sim.spawn("worker", mmio(dev, remover, 0x1a4, "read"));
    m.sim.spawn("commit", mmio(dev, remover, 0x12345, "write"));
    m.sim.run();
    assert.deepEqual(hwFindings(m), [`read 0x01a4 of ${PCI} by worker`, `write 0x12345 of ${PCI} by commit`]);
  });

  test("the driver's remove() may touch the hardware after the unplug; another task may not", () => {
    const m = drmMachine();
    const dev = m.registered();
    const remover: RemoverRef = { task: null };
    m.run(() => drmDevUnplug(dev));
    m.sim.spawn("remove", (function* () {
      yield step("test_remove", []);
      remover.task = m.sim.current;
      yield* mmio(dev, remover, 0x20, "write");
    })());
    m.sim.run();
    assert.deepEqual(hwFindings(m), []);
    m.sim.spawn("irq", mmio(dev, remover, 0x24, "read"));
    m.sim.run();
    assert.deepEqual(hwFindings(m), [`read 0x0024 of ${PCI} by irq`]);
  });

  test("a section that began before the unplug may still touch the hardware; a task outside it may not", () => {
    const m = drmMachine();
    const dev = m.registered();
    const remover: RemoverRef = { task: null };
    m.sim.spawn("reader", (function* () {
      yield step("test_enter", [dev], [dev.unplugSrcu]);
      const token = drmDevEnter(dev);
      assert.ok(token !== null);
      yield sleepTicks(1000, step("test_resume", [dev], [dev.unplugSrcu]));
      yield* mmio(dev, remover, 0x30, "read");
      yield step("test_exit", [dev], [dev.unplugSrcu]);
      drmDevExit(dev, token);
    })());
    m.sim.spawn("unplugger", (function* () {
      yield sleepTicks(10);
      yield* drmDevUnplug(dev);
    })());
    m.sim.spawn("worker", (function* () {
      yield sleepTicks(500);
      yield* mmio(dev, remover, 0x34, "write");
    })());
    assert.equal(m.sim.run().kind, "quiescent");
    assert.equal(dev.unplugged, true);
    assert.deepEqual(hwFindings(m), [`write 0x0034 of ${PCI} by worker`]);
  });
});
