import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BDF, bochsCard, bootedMachine, CARD0, CARD1, cardRaw, DEVPATH, pciRaw, reenumeratedUevents } from "./_testing.js";
import { pciRead32 } from "./pci_dev.js";

const SLOT1 = "/sys/bus/pci/slots/1";

describe("PciSlot (pciehp)", () => {
  test("slots show their address and power; only occupied slots are on", () => {
    const { m } = bootedMachine({ rootPorts: [1, 2] });
    const r = m.run(function* () {
      return {
        address: yield* m.proc.readFile(`${SLOT1}/address`),
        power1: yield* m.proc.readFile(`${SLOT1}/power`),
        power2: yield* m.proc.readFile("/sys/bus/pci/slots/2/power"),
        port: yield* m.proc.exists("/sys/bus/pci/devices/0000:00:02.0"),
      };
    });
    assert.deepEqual(r, {
      address: { ok: true, value: "0000:01:00\n" },
      power1: { ok: true, value: "1\n" },
      power2: { ok: true, value: "0\n" },
      port: true,
    });
  });

  test("power 0 unbinds and removes the device but keeps the card; power 1 enumerates a NEW PciDev", () => {
    const { m } = bootedMachine({ rootPorts: [1, 2] });
    const old = m.bus.device(BDF);
    const card = m.bus.card(BDF);
    const r = m.run(function* () {
      const off = yield* m.proc.writeFile(`${SLOT1}/power`, "0");
      const powerOff = yield* m.proc.readFile(`${SLOT1}/power`);
      const gone = !(yield* m.proc.exists(`/sys/bus/pci/devices/${BDF}`));
      const offAgain = yield* m.proc.writeFile(`${SLOT1}/power`, "0\n");
      const rescan = yield* m.proc.writeFile("/sys/bus/pci/rescan", "1");
      const stillGone = !(yield* m.proc.exists(`/sys/bus/pci/devices/${BDF}`));
      const on = yield* m.proc.writeFile(`${SLOT1}/power`, "1");
      const onAgain = yield* m.proc.writeFile(`${SLOT1}/power`, "1");
      const bad = yield* m.proc.writeFile(`${SLOT1}/power`, "2");
      return { off, powerOff, gone, offAgain, rescan, stillGone, on, onAgain, bad };
    });
    assert.deepEqual(r, {
      off: { ok: true, value: 1 },
      powerOff: { ok: true, value: "0\n" },
      gone: true,
      offAgain: { ok: false, errno: "ENODEV" },
      rescan: { ok: true, value: 1 },
      stillGone: true,
      on: { ok: true, value: 1 },
      onAgain: { ok: false, errno: "ENODEV" },
      bad: { ok: false, errno: "EINVAL" },
    });
    assert.deepEqual(m.takeUevents(), reenumeratedUevents());
    const fresh = m.bus.device(BDF);
    assert.ok(fresh !== undefined && fresh !== old);
    assert.equal(fresh.hardware, card);
    assert.equal(card?.present, true);
    assert.equal(card.powered, true);
    assert.ok(m.sim.kmsg.includes("<6>pcieport 0000:00:01.0: pciehp: Slot(1): Already disabled"));
    assert.deepEqual(m.sim.findings, []);
  });

  test("surpriseRemove(): MMIO reads all ones from the pull on; unbind then remove; rescan does not bring the card back", () => {
    const { m, drv } = bootedMachine({ rootPorts: [1, 2] });
    const pdev = m.bus.device(BDF);
    assert.ok(pdev !== undefined);
    assert.equal(m.run(() => pciRead32(pdev, 0)), 0xb0c5);
    m.run(() => m.bus.surpriseRemove(BDF));
    assert.equal(drv.readAtRemove.get(BDF), 0xffffffff, "remove() already saw the card gone");
    assert.equal(pdev.disconnected, true);
    assert.deepEqual(m.takeUevents(), [
      cardRaw("remove", 5),
      pciRaw("unbind", 6),
      pciRaw("remove", 7),
    ]);
    assert.deepEqual(m.sim.kmsg.filter((l) => l.includes("pciehp")), [
      "<6>pcieport 0000:00:01.0: pciehp: Slot(1): Link Down",
      "<6>pcieport 0000:00:01.0: pciehp: Slot(1): Card not present",
    ]);
    const r = m.run(function* () {
      const rescan = yield* m.proc.writeFile("/sys/bus/pci/rescan", "1");
      return { rescan, there: yield* m.proc.exists(`/sys/bus/pci/devices/${BDF}`), power: yield* m.proc.readFile(`${SLOT1}/power`) };
    });
    assert.deepEqual(r, { rescan: { ok: true, value: 1 }, there: false, power: { ok: true, value: "0\n" } });
    assert.deepEqual(m.takeUevents(), []);
    assert.equal(m.bus.card(BDF), undefined);
    assert.deepEqual(m.sim.findings, []);
  });

  test("surpriseRemove(): MMIO reads all ones while the device is still registered", () => {
    const { m } = bootedMachine({ rootPorts: [1, 2] });
    const pdev = m.bus.device(BDF);
    assert.ok(pdev !== undefined);
    const seen: unknown[] = [];
    m.sim.spawn("irq/pciehp", m.bus.surpriseRemove(BDF));
    // The reader runs while remove() sleeps: the device is still added and bound.
    m.sim.spawn("reader", (function* () {
      seen.push(yield* pciRead32(pdev, 0), pdev.added, pdev.driver?.name);
    })(), { kind: "user" });
    assert.equal(m.sim.run().kind, "quiescent");
    assert.deepEqual(seen, [0xffffffff, true, "fake-drm"]);
    assert.equal(pdev.added, false);
    assert.deepEqual(m.sim.findings, []);
  });

  test("hotplugCard() into an empty slot: power on, add, probe, bind behind its root port", () => {
    const { m } = bootedMachine({ rootPorts: [1, 2] });
    const path = "/devices/pci0000:00/0000:00:02.0/0000:02:00.0";
    const r = m.run(function* () {
      const empty = yield* m.proc.writeFile("/sys/bus/pci/slots/2/power", "1");
      const plugged = yield* m.bus.hotplugCard("0000:02:00.0", bochsCard());
      return { empty, plugged, power: yield* m.proc.readFile("/sys/bus/pci/slots/2/power") };
    });
    assert.deepEqual(r, { empty: { ok: false, errno: "ENODEV" }, plugged: 0, power: { ok: true, value: "1\n" } });
    assert.deepEqual(m.takeUevents(), [
      pciRaw("add", 5, { devpath: path, bdf: "0000:02:00.0" }),
      cardRaw("add", 6, `${path}/drm/card1`),
      pciRaw("bind", 7, { devpath: path, bdf: "0000:02:00.0" }),
    ]);
    assert.deepEqual(m.sim.kmsg.filter((l) => l.includes("pciehp")), [
      "<6>pcieport 0000:00:02.0: pciehp: Slot(2): Card present",
      "<6>pcieport 0000:00:02.0: pciehp: Slot(2): Link Up",
    ]);
    assert.deepEqual(m.sim.findings, []);
  });

  test("the cold-reset recipe (unbind, remove, power 0, power 1, rescan) ends with one bound device", () => {
    const { m } = bootedMachine({ rootPorts: [1, 2] });
    const r = m.run(function* () {
      const out: unknown[] = [];
      out.push(yield* m.proc.writeFile("/sys/bus/pci/drivers/fake-drm/unbind", BDF));
      out.push(yield* m.proc.writeFile(`/sys/bus/pci/devices/${BDF}/remove`, "1"));
      out.push(yield* m.proc.writeFile(`${SLOT1}/power`, "0"));
      out.push(yield* m.proc.writeFile(`${SLOT1}/power`, "1"));
      out.push(yield* m.proc.writeFile("/sys/bus/pci/rescan", "1"));
      return out;
    });
    assert.deepEqual(r, [{ ok: true, value: 12 }, { ok: true, value: 1 }, { ok: true, value: 1 }, { ok: true, value: 1 }, { ok: true, value: 1 }]);
    assert.deepEqual(m.takeUevents().map((e) => e.split("|")[0]), [
      `remove@${CARD0}`,
      `unbind@${DEVPATH}`,
      `remove@${DEVPATH}`,
      `add@${DEVPATH}`,
      `add@${CARD1}`,
      `bind@${DEVPATH}`,
    ]);
    assert.deepEqual(m.bus.devices.map((d) => d.name), ["0000:00:01.0", "0000:00:02.0", BDF], "the two root ports and the card");
    // The card's allocations, without the root ports and their buses (firmware made them at boot).
    const ofPorts = /\(0000:00:0[12]\.0\)|^device 0000:0[12]$/;
    const left = m.sim.liveAllocations().filter((a) => !ofPorts.test(a.label));
    assert.deepEqual(left.map((a) => a.type).sort(), ["device", "devres", "devres", "devres", "pci_dev"]);
    assert.deepEqual(m.sim.findings, []);
  });
});
