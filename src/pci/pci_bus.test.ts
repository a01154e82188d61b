import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RandomStrategy, type Task } from "../kernel/mod.js";
import { Process, putDevice } from "../base/mod.js";
import { BDF, bochsCard, bootedMachine, CARD0, CARD1, cardRaw, DEVPATH, fakeDriver, machine, pciRaw, reenumeratedUevents } from "./_testing.js";
import type { PciDev } from "./pci_dev.js";
import { PCI_ANY_ID } from "./pci_driver.js";

describe("PciBus", () => {
  test("enumerate() sends add, then what probe sends, then bind, with Linux 6.12's keys", () => {
    const m = machine();
    const drv = fakeDriver(m);
    m.run(function* () {
      yield* m.bus.insertCard(BDF, bochsCard());
      yield* m.bus.registerDriver(drv);
      yield* m.bus.enumerate();
    });
    assert.deepEqual(m.takeUevents(), [
      "add@/bus/pci/drivers/fake-drm|ACTION=add|DEVPATH=/bus/pci/drivers/fake-drm|SUBSYSTEM=drivers|SEQNUM=1",
      pciRaw("add", 2),
      cardRaw("add", 3),
      pciRaw("bind", 4),
    ]);
    assert.deepEqual(m.log, [
      "uevent add /bus/pci/drivers/fake-drm",
      `uevent add ${DEVPATH}`,
      `fake-drm probe ${BDF}`,
      `uevent add ${CARD0}`,
      `uevent bind ${DEVPATH}`,
    ]);
    assert.deepEqual(m.sim.findings, []);
  });

  test("enumerate() makes the sysfs files before the add uevent", () => {
    const m = machine();
    const seen: boolean[] = [];
    m.kernel.uevents.subscribe({ deliver: (ev) => void (ev.action === "add" && seen.push(m.kernel.sim.observe(() => m.kernel.sysfs.exists(`/sys/bus/pci/devices/${BDF}/vendor`)))) });
    m.run(function* () {
      yield* m.bus.insertCard(BDF, bochsCard());
      yield* m.bus.enumerate();
    });
    assert.deepEqual(seen, [true]);
    const r = m.run(function* () {
      const out: Record<string, string> = {};
      for (const a of ["vendor", "device", "subsystem_vendor", "subsystem_device", "class", "enable", "reset_method"]) {
        const v = yield* m.proc.readFile(`/sys/bus/pci/devices/${BDF}/${a}`);
        out[a] = v.ok ? v.value : v.errno;
      }
      out["driver"] = (yield* m.proc.exists(`/sys/bus/pci/devices/${BDF}/driver`)) ? "yes" : "no";
      return out;
    });
    assert.deepEqual(r, {
      vendor: "0x1234\n", device: "0x1111\n", subsystem_vendor: "0x1af4\n", subsystem_device: "0x1100\n",
      class: "0x038000\n", enable: "0\n", reset_method: "flr bus\n", driver: "no",
    });
    assert.equal(m.kernel.sysfs.resolve(`/sys/bus/pci/devices/${BDF}`), `/sys${DEVPATH}`);
  });

  test("registerDriver() binds devices added before it, then sends add for the driver", () => {
    const m = machine();
    const drv = fakeDriver(m);
    m.run(function* () {
      yield* m.bus.insertCard(BDF, bochsCard());
      yield* m.bus.enumerate();
      yield* m.bus.registerDriver(drv);
    });
    assert.deepEqual(m.log.filter((l) => l.startsWith("uevent")), [
      `uevent add ${DEVPATH}`,
      `uevent add ${CARD0}`,
      `uevent bind ${DEVPATH}`,
      "uevent add /bus/pci/drivers/fake-drm",
    ]);
    const link = m.run(function* () {
      return yield* m.proc.readlink(`/sys/bus/pci/devices/${BDF}/driver`);
    });
    assert.deepEqual(link, { ok: true, value: "../../../../bus/pci/drivers/fake-drm" });
    assert.equal(m.bus.device(BDF)?.enableCnt, 1);
  });

  test("unbind returns 12 only after remove() ran and devres was released newest first, then the unbind uevent", () => {
    const { m } = bootedMachine();
    const start = m.sim.now;
    m.run(function* () {
      const r = yield* m.proc.writeFile("/sys/bus/pci/drivers/fake-drm/unbind", BDF);
      m.log.push(`write ${r.ok ? r.value : r.errno}`);
    });
    assert.deepEqual(m.log, [
      `uevent remove ${CARD0}`,
      `fake-drm remove ${BDF}`,
      `devres iomap ${BDF}`,
      `devres irq ${BDF}`,
      `uevent unbind ${DEVPATH}`,
      "write 12",
    ]);
    assert.ok(m.sim.now - start >= 5000, "the write waited for remove()");
    assert.deepEqual(m.takeUevents(), [cardRaw("remove", 5), pciRaw("unbind", 6)]);
    const pdev = m.bus.device(BDF);
    assert.equal(pdev?.driver, null);
    assert.equal(pdev.enableCnt, 0, "pcim_enable_device() undone by devres");
    assert.equal(m.kernel.sysfs.exists(`/sys/bus/pci/devices/${BDF}/driver`), false);
    assert.equal(m.kernel.sysfs.exists(`/sys/bus/pci/drivers/fake-drm/${BDF}`), false);
    assert.deepEqual(m.sim.findings, []);
  });

  test("bind and unbind follow bind_store()/unbind_store(): 12 on success, EBUSY when bound, ENODEV otherwise", () => {
    const { m } = bootedMachine();
    const other = fakeDriver(m, { name: "other", idTable: [{ vendor: 0x8086, device: PCI_ANY_ID }] });
    const results = m.run(function* () {
      yield* m.bus.registerDriver(other);
      const w = (p: string, d: string) => m.proc.writeFile(p, d);
      return [
        yield* w("/sys/bus/pci/drivers/fake-drm/bind", BDF), // already bound
        yield* w("/sys/bus/pci/drivers/other/unbind", BDF), // bound to another driver
        yield* w("/sys/bus/pci/drivers/fake-drm/unbind", BDF),
        yield* w("/sys/bus/pci/drivers/fake-drm/unbind", BDF), // not bound
        yield* w("/sys/bus/pci/drivers/other/bind", BDF), // id table does not match
        yield* w("/sys/bus/pci/drivers/fake-drm/bind", "0000:05:00.0"), // no such device
        yield* w("/sys/bus/pci/drivers/fake-drm/bind", `${BDF}\n`), // echo adds a newline
      ];
    });
    assert.deepEqual(results, [
      { ok: false, errno: "EBUSY" },
      { ok: false, errno: "ENODEV" },
      { ok: true, value: 12 },
      { ok: false, errno: "ENODEV" },
      { ok: false, errno: "ENODEV" },
      { ok: false, errno: "ENODEV" },
      { ok: true, value: 13 },
    ]);
    assert.deepEqual(m.takeUevents(), [
      "add@/bus/pci/drivers/other|ACTION=add|DEVPATH=/bus/pci/drivers/other|SUBSYSTEM=drivers|SEQNUM=5",
      cardRaw("remove", 6),
      pciRaw("unbind", 7),
      cardRaw("add", 8, CARD1),
      pciRaw("bind", 9),
    ]);
    assert.deepEqual(m.sim.findings, []);
  });

  test("remove returns 1 after unbind and remove uevents; rescan returns 1 and makes a NEW PciDev", () => {
    const { m } = bootedMachine();
    const old = m.bus.device(BDF);
    const r = m.run(function* () {
      const removed = yield* m.proc.writeFile(`/sys/bus/pci/devices/${BDF}/remove`, "1");
      const goneAfter = !(yield* m.proc.exists(`/sys/bus/pci/devices/${BDF}`));
      const rescanned = yield* m.proc.writeFile("/sys/bus/pci/rescan", "1");
      const back = yield* m.proc.exists(`/sys/bus/pci/devices/${BDF}`);
      const driverLink = yield* m.proc.readlink(`/sys/bus/pci/devices/${BDF}/driver`);
      return { removed, goneAfter, rescanned, back, driverLink };
    });
    assert.deepEqual(r, {
      removed: { ok: true, value: 1 },
      goneAfter: true,
      rescanned: { ok: true, value: 1 },
      back: true,
      driverLink: { ok: true, value: "../../../../bus/pci/drivers/fake-drm" },
    });
    assert.deepEqual(m.takeUevents(), reenumeratedUevents());
    const fresh = m.bus.device(BDF);
    assert.ok(old !== undefined && fresh !== undefined && fresh !== old, "rescan made a new pci_dev");
    assert.equal(old.mem.freeSite !== null, true, "the old pci_dev was freed (no one held it)");
    assert.equal(fresh.hardware, old.hardware, "the same card");
    assert.deepEqual(m.sim.findings, []);
  });

  test("a removed PciDev whose reference is held is freed only at the last putDevice()", () => {
    const { m, drv } = bootedMachine({ driver: { holdRef: true } });
    const old = m.bus.device(BDF);
    assert.ok(old !== undefined);
    m.run(function* () {
      yield* m.proc.writeFile(`/sys/bus/pci/devices/${BDF}/remove`, "1\n");
    });
    assert.equal(m.bus.device(BDF), undefined);
    assert.equal(old.mem.freeSite, null);
    assert.ok(m.sim.liveAllocations().includes(old.mem));
    assert.equal(old.refcount, 1);
    putDevice(drv.held[0]!);
    assert.notEqual(old.mem.freeSite, null);
    assert.ok(!m.sim.liveAllocations().includes(old.mem));
    assert.deepEqual(m.sim.findings, []);
  });

  test("a failed probe binds nothing; enumerate() tries the next matching driver; bind returns the probe's errno", () => {
    const m = machine();
    const failing = fakeDriver(m, { name: "failing", probeErr: "EIO" });
    const any = fakeDriver(m, { name: "any", idTable: [{ vendor: PCI_ANY_ID, device: PCI_ANY_ID }] });
    const r = m.run(function* () {
      yield* m.bus.insertCard(BDF, bochsCard());
      yield* m.bus.registerDriver(failing);
      yield* m.bus.registerDriver(any);
      yield* m.bus.enumerate();
      yield* m.proc.writeFile("/sys/bus/pci/drivers/any/unbind", BDF);
      return yield* m.proc.writeFile("/sys/bus/pci/drivers/failing/bind", BDF);
    });
    assert.deepEqual(r, { ok: false, errno: "EIO" });
    assert.deepEqual(m.log.filter((l) => !l.startsWith("uevent add /bus")), [
      `uevent add ${DEVPATH}`,
      `failing probe ${BDF}`,
      `devres iomap ${BDF}`,
      `devres irq ${BDF}`,
      `any probe ${BDF}`,
      `uevent add ${CARD0}`,
      `uevent bind ${DEVPATH}`,
      `uevent remove ${CARD0}`,
      `any remove ${BDF}`,
      `devres iomap ${BDF}`,
      `devres irq ${BDF}`,
      `uevent unbind ${DEVPATH}`,
      `failing probe ${BDF}`,
      `devres iomap ${BDF}`,
      `devres irq ${BDF}`,
    ]);
    assert.equal(m.bus.device(BDF)?.driver, null);
    assert.equal(m.bus.device(BDF)?.enableCnt, 0);
    assert.deepEqual(m.sim.findings, []);
  });

  test("unregisterDriver() unbinds its devices newest first, then sends remove for the driver", () => {
    const m = machine();
    const drv = fakeDriver(m);
    m.run(function* () {
      yield* m.bus.insertCard(BDF, bochsCard());
      yield* m.bus.insertCard("0000:02:00.0", bochsCard());
      yield* m.bus.registerDriver(drv);
      yield* m.bus.enumerate();
    });
    // Both adds come before both probes, as pci_bus_add_devices() runs after the scan.
    assert.deepEqual(m.log.filter((l) => l.startsWith("uevent") && !l.includes("/drm/")), [
      "uevent add /bus/pci/drivers/fake-drm",
      `uevent add ${DEVPATH}`,
      "uevent add /devices/pci0000:00/0000:00:02.0/0000:02:00.0",
      `uevent bind ${DEVPATH}`,
      "uevent bind /devices/pci0000:00/0000:00:02.0/0000:02:00.0",
    ]);
    m.log.length = 0;
    m.run(() => m.bus.unregisterDriver(drv));
    assert.deepEqual(m.log.filter((l) => l.startsWith("uevent") && !l.includes("/drm/")), [
      "uevent unbind /devices/pci0000:00/0000:00:02.0/0000:02:00.0",
      `uevent unbind ${DEVPATH}`,
      "uevent remove /bus/pci/drivers/fake-drm",
    ]);
    assert.equal(m.kernel.sysfs.exists("/sys/bus/pci/drivers/fake-drm"), false);
    assert.deepEqual(m.sim.findings, []);
  });

  test("reset: writing 1 returns 1, resets the card under the device lock and sends no uevent", () => {
    const { m } = bootedMachine();
    const pdev = m.bus.device(BDF);
    assert.ok(pdev !== undefined);
    assert.equal(pdev.hardware.mmio.get(0), 0xb0c5);
    const r = m.run(function* () {
      return [yield* m.proc.writeFile(`/sys/bus/pci/devices/${BDF}/reset`, "1"), yield* m.proc.writeFile(`/sys/bus/pci/devices/${BDF}/reset`, "2")];
    });
    assert.deepEqual(r, [{ ok: true, value: 1 }, { ok: false, errno: "EINVAL" }]);
    assert.equal(pdev.hardware.resetCount, 1);
    assert.equal(pdev.hardware.mmio.get(0), undefined, "registers read 0 after the reset");
    assert.deepEqual(m.takeUevents(), []);
    assert.equal(m.run(() => m.bus.reset(pdev)), 0);
    assert.equal(pdev.hardware.resetCount, 2);
  });

  test("reset: the driver's reset hooks run around it under the device lock; a card that is gone gives ENOTTY", () => {
    const m = machine({ rootPorts: [1] });
    const drv = fakeDriver(m, { holdRef: true });
    const calls: string[] = [];
    const hooked = {
      ...drv,
      *resetPrepare(pdev: PciDev): Task<void> {
        calls.push(`prepare locked=${pdev.lock.owner !== null}`);
      },
      *resetDone(pdev: PciDev): Task<void> {
        calls.push(`done resets=${pdev.hardware.resetCount}`);
      },
    };
    m.run(function* () {
      yield* m.bus.insertCard(BDF, bochsCard());
      yield* m.bus.registerDriver(hooked);
      yield* m.bus.enumerate();
    });
    const pdev = m.bus.device(BDF);
    assert.ok(pdev !== undefined);
    assert.equal(m.run(() => m.bus.reset(pdev)), 0);
    assert.deepEqual(calls, ["prepare locked=true", "done resets=1"]);
    m.run(() => m.bus.surpriseRemove(BDF));
    // The drm_device's reference keeps the removed pci_dev: a recovery reset on it fails.
    assert.equal(m.run(() => m.bus.reset(pdev)), "ENOTTY");
    assert.equal(pdev.hardware.resetCount, 1);
    putDevice(drv.held[0]!);
    assert.deepEqual(m.sim.findings, []);
  });

  test("a bind racing a remove never leaves a deleted device bound (random schedules)", () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const m = machine({ strategy: new RandomStrategy(seed) });
      const drv = fakeDriver(m, { removeTicks: 0 });
      m.run(function* () {
        yield* m.bus.insertCard(BDF, bochsCard());
        yield* m.bus.enumerate();
        yield* m.bus.registerDriver(drv);
        yield* m.proc.writeFile("/sys/bus/pci/drivers/fake-drm/unbind", BDF);
      });
      const remover = new Process(m.kernel, "remover");
      const binder = new Process(m.kernel, "binder");
      const a = m.sim.spawn("remover", remover.writeFile(`/sys/bus/pci/devices/${BDF}/remove`, "1"), { kind: "user" });
      const b = m.sim.spawn("binder", binder.writeFile("/sys/bus/pci/drivers/fake-drm/bind", BDF), { kind: "user" });
      m.sim.run();
      assert.equal(a.state, "done", `seed ${seed}`);
      assert.equal(b.state, "done", `seed ${seed}`);
      const bound = b.result as { ok: boolean; errno?: string };
      outcomes.add(bound.ok ? "bound" : String(bound.errno));
      assert.equal(m.bus.device(BDF), undefined, `seed ${seed}`);
      assert.deepEqual(m.sim.findings, [], `seed ${seed}`);
      // Everything of the card is freed; its root port (0000:00:01.0) and the bus behind it stay.
      const left = m.sim.liveAllocations().filter((x) => x.type !== "file" && !/\(0000:00:01\.0\)|^device 0000:01$/.test(x.label));
      assert.deepEqual(left, [], `seed ${seed}: everything freed`);
    }
    assert.ok(outcomes.size >= 2, `both orders were seen: ${[...outcomes].join(", ")}`);
  });
});
