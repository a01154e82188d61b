/**
 * What the bus does to a card when userspace recovers it: a function-level reset through sysfs
 * with a driver bound (its reset hooks around the reset, the registers back to their power-on
 * values), a power cycle of its slot (the same, and a new pci_dev), and the shutdown of a
 * kernel that restarts (the drivers' shutdown hooks, nothing unbound).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getDevice, putDevice } from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import { BDF, fakeDriver, machine, type Machine } from "./_testing.js";
import { PciHardware, pciRead32, pciWrite32, type PciDev } from "./pci_dev.js";
import type { PciDriver } from "./pci_driver.js";

/** Where the test's card has a register that is not 0 at power-on. */
const ID_REG = 0x500;
const ID_VALUE = 0xb0c5;
/** A register the test programs, as a driver programs its hardware. */
const STATE_REG = 0x10;

/** bochs-display's ids, with its ID register set at power-on. */
function cardWithId(): PciHardware {
  return new PciHardware({
    vendor: 0x1234, device: 0x1111, subsystemVendor: 0x1af4, subsystemDevice: 0x1100,
    classCode: 0x038000, vramBytes: 16 << 20, mmioBytes: 4096, powerOnMmio: [[ID_REG, ID_VALUE]],
  });
}

/** A machine with the card behind root port 1 and `drv` (the fake driver, maybe hooked) bound. */
function booted(hooks: (m: Machine) => Partial<PciDriver>): { m: Machine; pdev: PciDev } {
  const m = machine({ rootPorts: [1] });
  const drv = { ...fakeDriver(m), ...hooks(m) };
  m.run(function* () {
    yield* m.bus.insertCard(BDF, cardWithId());
    yield* m.bus.registerDriver(drv);
    yield* m.bus.enumerate();
  });
  m.takeUevents();
  m.log.length = 0;
  const pdev = m.bus.device(BDF);
  assert.ok(pdev !== undefined);
  return { m, pdev };
}

/** The card's register `offset` as the CPU reads it now. */
function reg(m: Machine, pdev: PciDev, offset: number): number {
  return m.run(() => pciRead32(pdev, offset));
}

describe("recovery on the bus", () => {
  test("reset with a driver bound: reset_prepare sees the programmed state, reset_done the power-on state; no uevent", () => {
    const seen: string[] = [];
    const { m, pdev } = booted(() => ({
      *resetPrepare(p: PciDev): Task<void> {
        seen.push(`prepare locked=${p.lock.owner !== null} state=${(yield* pciRead32(p, STATE_REG)).toString(16)}`);
      },
      *resetDone(p: PciDev): Task<void> {
        const state = yield* pciRead32(p, STATE_REG);
        const id = yield* pciRead32(p, ID_REG);
        seen.push(`done locked=${p.lock.owner !== null} state=${state.toString(16)} id=${id.toString(16)}`);
      },
    }));
    m.run(() => pciWrite32(pdev, STATE_REG, 0xdead));
    m.run(() => pciWrite32(pdev, ID_REG, 0));
    const r = m.run(() => m.proc.writeFile(`/sys/bus/pci/devices/${BDF}/reset`, "1"));
    assert.deepEqual(r, { ok: true, value: 1 });
    assert.deepEqual(seen, ["prepare locked=true state=dead", "done locked=true state=0 id=b0c5"]);
    assert.equal(reg(m, pdev, 0), 0, "what probe wrote is gone too");
    assert.equal(pdev.driver?.name, "fake-drm", "the reset does not unbind");
    assert.deepEqual(m.takeUevents(), []);
    assert.deepEqual(m.sim.findings, []);
  });

  test("a power cycle of the slot: a new pci_dev for the same card, in its power-on state", () => {
    const { m, pdev } = booted(() => ({}));
    m.run(() => pciWrite32(pdev, STATE_REG, 0xdead));
    m.run(() => pciWrite32(pdev, ID_REG, 0));
    getDevice(pdev); // as a drm_device holds its parent
    const off = m.run(() => m.proc.writeFile("/sys/bus/pci/slots/1/power", "0"));
    assert.deepEqual(off, { ok: true, value: 1 });
    assert.equal(reg(m, pdev, STATE_REG), 0xffffffff, "an unpowered card answers nothing");
    putDevice(pdev);
    const on = m.run(() => m.proc.writeFile("/sys/bus/pci/slots/1/power", "1"));
    assert.deepEqual(on, { ok: true, value: 1 });
    const fresh = m.bus.device(BDF);
    assert.ok(fresh !== undefined && fresh !== pdev);
    assert.equal(fresh.hardware, pdev.hardware, "the same card");
    assert.deepEqual([reg(m, fresh, STATE_REG), reg(m, fresh, ID_REG)], [0, ID_VALUE]);
    assert.deepEqual(m.takeUevents().map((e) => e.split("|")[0]!.split("@")[0]), ["remove", "unbind", "remove", "add", "add", "bind"]);
    assert.deepEqual(m.sim.findings, []);
  });

  test("deviceShutdown(): each bound driver's shutdown hook, newest device first, under the device lock; nothing unbound", () => {
    const { m } = booted((mm) => ({
      *shutdown(p: PciDev): Task<void> {
        mm.log.push(`shutdown ${p.name} locked=${p.lock.owner !== null}`);
      },
    }));
    m.run(() => m.bus.deviceShutdown());
    assert.deepEqual(m.log, [`shutdown ${BDF} locked=true`]);
    assert.deepEqual(m.bus.devices.map((d) => [d.name, d.driver?.name]), [["0000:00:01.0", "pcieport"], [BDF, "fake-drm"]]);
    assert.deepEqual(m.takeUevents(), []);
  });

  test("takeCards(): the cards leave the bus in their power-on state, with the root ports' numbers", () => {
    const { m, pdev } = booted(() => ({}));
    m.run(() => pciWrite32(pdev, STATE_REG, 0xdead));
    const hw = pdev.hardware;
    // As at a restart: nothing is bound or enumerated any more.
    m.run(() => m.bus.removeDevice(pdev));
    const taken = m.run(() => m.bus.takeCards());
    assert.deepEqual(taken.cards.map(([bdf, card]) => [bdf, card === hw]), [[BDF, true]]);
    assert.deepEqual(taken.rootPorts, [1]);
    assert.deepEqual([hw.inserted, hw.mmio.get(STATE_REG), hw.mmio.get(ID_REG)], [false, undefined, ID_VALUE]);
    assert.equal(m.bus.card(BDF), undefined);
  });
});
