import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BDF, bootedMachine, CARD0, CARD1, cardRaw, DEVPATH, pciRaw } from "./_testing.js";

const PORT = "0000:00:01.0";
const PORT_PATH = "/devices/pci0000:00/0000:00:01.0";
const BUS_PATH = `${PORT_PATH}/pci_bus/0000:01`;

/** A uevent of root port 0000:00:01.0 (QEMU's pcie-root-port) in fixture form. */
function portRaw(action: "add" | "bind" | "unbind" | "remove", seqnum: number): string {
  const keys = [`ACTION=${action}`, `DEVPATH=${PORT_PATH}`, "SUBSYSTEM=pci"];
  if (action === "bind") keys.push("DRIVER=pcieport");
  keys.push("PCI_CLASS=60400", "PCI_ID=1B36:000C", "PCI_SUBSYS_ID=0000:0000", `PCI_SLOT_NAME=${PORT}`);
  if (action !== "unbind") keys.push("MODALIAS=pci:v00001B36d0000000Csv00000000sd00000000bc06sc04i00");
  return [`${action}@${PORT_PATH}`, ...keys, `SEQNUM=${seqnum}`].join("|");
}

function busRaw(action: "add" | "remove", seqnum: number): string {
  return `${action}@${BUS_PATH}|ACTION=${action}|DEVPATH=${BUS_PATH}|SUBSYSTEM=pci_bus|SEQNUM=${seqnum}`;
}

describe("root ports (PCI-to-PCI bridges)", () => {
  test("writing a root port's remove stops everything below it first, then removes it, in Linux's order", () => {
    const { m } = bootedMachine({ rootPorts: [1] });
    const port = m.bus.device(PORT);
    const r = m.run(function* () {
      const driver = yield* m.proc.readlink(`/sys/bus/pci/devices/${PORT}/driver`);
      const removed = yield* m.proc.writeFile(`/sys/bus/pci/devices/${PORT}/remove`, "1");
      const after = [PORT, BDF, "/sys/bus/pci/slots/1", "/sys/class/pci_bus/0000:01"].map((p) => p.startsWith("/") ? p : `/sys/bus/pci/devices/${p}`);
      const exists: boolean[] = [];
      for (const p of after) exists.push(yield* m.proc.exists(p));
      return { driver, removed, exists };
    });
    assert.deepEqual(r, {
      driver: { ok: true, value: "../../../bus/pci/drivers/pcieport" },
      removed: { ok: true, value: 1 },
      exists: [false, false, false, false],
    });
    assert.deepEqual(m.takeUevents(), [
      cardRaw("remove", 5), // pci_stop_bus_device(): the card first, its driver's remove() ...
      pciRaw("unbind", 6),
      portRaw("unbind", 7), // ... then the port's own driver
      pciRaw("remove", 8), // pci_remove_bus_device(): the card, the bus, the port
      busRaw("remove", 9),
      portRaw("remove", 10),
    ]);
    assert.equal(m.bus.device(PORT), undefined);
    assert.equal(port?.mem.freeSite?.fn, "device_release", "the port's pci_dev is freed");
    assert.equal(m.bus.slot(1)?.port, null, "no pciehp handles the slot now");
    assert.deepEqual(m.sim.findings, []);
  });

  test("a rescan finds the port, its bus and the card again, and pciehp takes the slot back", () => {
    const { m } = bootedMachine({ rootPorts: [1] });
    m.run(() => m.proc.writeFile(`/sys/bus/pci/devices/${PORT}/remove`, "1"));
    m.takeUevents();
    const r = m.run(function* () {
      const rescan = yield* m.proc.writeFile("/sys/bus/pci/rescan", "1");
      const power = yield* m.proc.readFile("/sys/bus/pci/slots/1/power");
      const link = yield* m.proc.readlink("/sys/class/pci_bus/0000:01");
      return { rescan, power, link };
    });
    assert.deepEqual(r, {
      rescan: { ok: true, value: 1 },
      power: { ok: true, value: "1\n" },
      link: { ok: true, value: "../../devices/pci0000:00/0000:00:01.0/pci_bus/0000:01" },
    });
    assert.deepEqual(m.takeUevents(), [
      portRaw("add", 11), // the root bus's new devices
      busRaw("add", 12), // behind the bridge: its bus, then the devices on it
      pciRaw("add", 13),
      portRaw("bind", 14), // then probes, root bus first
      cardRaw("add", 15, CARD1),
      pciRaw("bind", 16),
    ]);
    const slot = m.bus.slot(1);
    assert.equal(slot?.port, m.bus.device(PORT));
    assert.equal(slot?.state, "on");
    assert.deepEqual(m.sim.findings, []);
  });

  test("a card pulled while its port is removed is not handled; the rescan finds the port and an empty slot, powered off", () => {
    const { m } = bootedMachine({ rootPorts: [1] });
    m.run(function* () {
      yield* m.proc.writeFile(`/sys/bus/pci/devices/${PORT}/remove`, "1");
      yield* m.bus.surpriseRemove(BDF);
      yield* m.proc.writeFile("/sys/bus/pci/rescan", "1");
    });
    assert.deepEqual(m.takeUevents().map((e) => e.split("|")[0]), [
      `remove@${CARD0}`,
      `unbind@${DEVPATH}`,
      `unbind@${PORT_PATH}`,
      `remove@${DEVPATH}`,
      `remove@${BUS_PATH}`,
      `remove@${PORT_PATH}`,
      `add@${PORT_PATH}`,
      `add@${BUS_PATH}`,
      `bind@${PORT_PATH}`,
    ]);
    assert.equal(m.bus.device(BDF), undefined);
    assert.deepEqual([m.bus.slot(1)?.state, m.bus.slot(1)?.powered], ["off", false]);
    assert.deepEqual(m.sim.findings, []);
  });
});
