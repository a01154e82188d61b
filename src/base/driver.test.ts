/**
 * Driver binding and devres: what probe and unbind leave in sysfs, the uevents they send, the
 * order devres releases in, the errno of a bind that cannot happen, and fault injection.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { Device, deviceAdd } from "./device.js";
import { devmAddAction, devmAddActionOrReset, devmKzalloc, devresReleaseAll } from "./devres.js";
import { deviceDriverAttach, deviceReleaseDriver, driverSysfsDir, type DeviceDriver } from "./driver.js";
import { FaultInjector } from "./faults.js";
import { Kernel } from "./kernel.js";

interface Bench {
  readonly sim: Sim;
  readonly kernel: Kernel;
  readonly dev: Device;
  readonly log: string[];
  run<T>(body: () => Task<T>): T;
  driver(probeErr?: 0 | ErrnoName): DeviceDriver;
}

/** A PCI device with a driver whose probe registers three devres actions, then returns probeErr. */
function bench(): Bench {
  const sim = new Sim({ seed: 1 });
  const kernel = new Kernel(sim, { name: "mainline", version: "7.1" });
  const dev = new Device(kernel, { name: "0000:01:00.0", parent: null, subsystem: "pci", persistent: true });
  const log: string[] = [];
  const run = <T>(body: () => Task<T>): T => sim.runTask("t", body());
  run(() => deviceAdd(dev));
  return {
    sim, kernel, dev, log, run,
    driver: (probeErr = 0) => ({
      name: "vdisp",
      busName: "pci",
      *probe(d: Device): Task<0 | ErrnoName> {
        yield step("vdisp_probe", [], [d]);
        for (const name of ["a", "b", "c"]) {
          devmAddAction(d, name, () => {
            log.push(`release ${name}`);
          });
        }
        log.push("probe");
        return probeErr;
      },
      *remove(d: Device): Task<void> {
        yield step("vdisp_remove", [], [d]);
        log.push("remove");
      },
    }),
  };
}

test("a bound driver shows in sysfs both ways, and the bind uevent names it", () => {
  const b = bench();
  assert.equal(b.run(() => deviceDriverAttach(b.dev, b.driver())), 0);
  assert.equal(b.dev.driver?.name, "vdisp");
  assert.equal(driverSysfsDir(b.dev.driver!), "/sys/bus/pci/drivers/vdisp");
  assert.equal(b.kernel.sysfs.readlink("/sys/bus/pci/drivers/vdisp/0000:01:00.0").ok, true);
  assert.deepEqual(b.kernel.sysfs.readlink("/sys/devices/0000:01:00.0/driver"), { ok: true, value: "../../bus/pci/drivers/vdisp" });
  const bind = b.kernel.uevents.log.at(-1)!.ev;
  assert.equal(bind.action, "bind");
  assert.ok(bind.env.some(([k, v]) => k === "DRIVER" && v === "vdisp"));
});

test("binding a device that has a driver is EBUSY, and one being deleted ENODEV, without probing", () => {
  const b = bench();
  b.run(() => deviceDriverAttach(b.dev, b.driver()));
  assert.equal(b.run(() => deviceDriverAttach(b.dev, b.driver())), "EBUSY");
  b.run(() => deviceReleaseDriver(b.dev));
  b.dev.dead = true;
  assert.equal(b.run(() => deviceDriverAttach(b.dev, b.driver())), "ENODEV");
  assert.deepEqual(b.log.filter((l) => l === "probe"), ["probe"]);
  assert.equal(b.dev.lock.owner, null, "the device lock is released on every path");
});

test("a failed probe releases its devres newest first, unlinks the driver and logs the error", () => {
  const b = bench();
  assert.equal(b.run(() => deviceDriverAttach(b.dev, b.driver("ENOMEM"))), "ENOMEM");
  assert.deepEqual(b.log, ["probe", "release c", "release b", "release a"]);
  assert.deepEqual([b.dev.driver, b.dev.devres.length], [null, 0]);
  assert.equal(b.kernel.sysfs.exists("/sys/devices/0000:01:00.0/driver"), false);
  assert.equal(b.kernel.sysfs.exists("/sys/bus/pci/drivers/vdisp/0000:01:00.0"), false);
  assert.deepEqual(b.sim.kmsg, ["<4>vdisp 0000:01:00.0: probe with driver vdisp failed with error -ENOMEM"]);
  assert.deepEqual(b.kernel.uevents.log.map((e) => e.ev.action), ["add"], "no bind uevent");
  assert.deepEqual(b.sim.liveAllocations(), [], "the devres nodes are freed");
});

test("unbind runs remove(), then devres newest first, then the unbind uevent, and clears drvdata", () => {
  const b = bench();
  b.run(() => deviceDriverAttach(b.dev, b.driver()));
  b.dev.drvdata = "private";
  b.run(() => deviceReleaseDriver(b.dev));
  assert.deepEqual(b.log, ["probe", "remove", "release c", "release b", "release a"]);
  assert.deepEqual([b.dev.driver, b.dev.drvdata], [null, null]);
  assert.deepEqual(b.kernel.uevents.log.map((e) => e.ev.action), ["add", "bind", "unbind"]);
  assert.equal(b.kernel.sysfs.exists("/sys/devices/0000:01:00.0/driver"), false);
  b.run(() => deviceReleaseDriver(b.dev));
  assert.equal(b.kernel.uevents.log.length, 3, "unbinding an unbound device does nothing");
  assert.deepEqual(b.sim.findings, []);
});

test("deviceReleaseDriver() with `only` leaves a different driver bound", () => {
  const b = bench();
  const bound = b.driver();
  b.run(() => deviceDriverAttach(b.dev, bound));
  b.run(() => deviceReleaseDriver(b.dev, b.driver()));
  assert.equal(b.dev.driver, bound);
  b.run(() => deviceReleaseDriver(b.dev, bound));
  assert.equal(b.dev.driver, null);
});

test("devmAddAction() fails with ENOMEM at its fault point; devmAddActionOrReset() then runs the action at once", () => {
  const b = bench();
  b.kernel.faults.set("devm_add_action", { nth: 1 });
  assert.equal(devmAddAction(b.dev, "x", () => void b.log.push("x")), "ENOMEM");
  assert.deepEqual(b.log, [], "devmAddAction() does not run it");
  b.kernel.faults.set("devm_add_action", { nth: 1 });
  const err = b.run(() => devmAddActionOrReset(b.dev, "y", function* () {
    yield step("undo_y");
    b.log.push("y");
  }));
  assert.deepEqual([err, b.log, b.dev.devres.length], ["ENOMEM", ["y"], 0]);
  const added = b.run(function* () {
    yield step("probe", [], [b.dev]);
    return yield* devmAddActionOrReset(b.dev, "z", () => void b.log.push("z"));
  });
  assert.equal(added, 0);
  assert.deepEqual([b.log, b.dev.devres.map((n) => n.name)], [["y"], ["z"]]);
});

test("devmKzalloc() memory is freed with the devres at unbind; at its fault point it returns null", () => {
  const b = bench();
  const mem = devmKzalloc(b.dev, "vdisp_device");
  assert.ok(mem !== null);
  assert.deepEqual([mem.kind, mem.label], ["devm_kzalloc", "vdisp_device (devm 0000:01:00.0)"]);
  assert.equal(devmKzalloc(b.dev, "x", "x label")?.label, "x label");
  b.run(() => devresReleaseAll(b.dev));
  assert.equal(mem.freeSite?.fn, "devres_release_all");
  b.kernel.faults.set("devm_kzalloc", { nth: 1 });
  assert.equal(devmKzalloc(b.dev, "vdisp_device"), null);
  assert.equal(b.dev.devres.length, 0);
});

test("FaultInjector fails the nth hit of a point for `times` hits, and records each", () => {
  const f = new FaultInjector();
  f.set("p", { nth: 2, times: 2 });
  f.set("q", { nth: 1 });
  const hits = [1, 2, 3, 4].map(() => f.shouldFail("p"));
  assert.deepEqual(hits, [false, true, true, false]);
  assert.deepEqual([f.shouldFail("q"), f.shouldFail("q"), f.shouldFail("r")], [true, false, false]);
  assert.deepEqual(f.injected, [{ point: "p", hit: 2 }, { point: "p", hit: 3 }, { point: "q", hit: 1 }]);
  f.set("p", { nth: 1 });
  assert.equal(f.shouldFail("p"), true, "set() starts counting again");
});
