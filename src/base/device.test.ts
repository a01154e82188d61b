/**
 * struct device as userspace sees it: the sysfs entries, the /dev node and the uevents that
 * device_add() and device_del() make, and the reference count of get_device()/put_device().
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, type Finding, type Task } from "../kernel/mod.js";
import { ok, type UeventAction } from "../uapi/mod.js";
import { Device, deviceAdd, deviceDel, deviceUeventEnv, getDevice, putDevice } from "./device.js";
import { Kernel } from "./kernel.js";
import { Process } from "./process.js";

function machine(): { sim: Sim; kernel: Kernel; p: Process; run: <T>(body: () => Task<T>) => T } {
  const sim = new Sim({ seed: 1 });
  const kernel = new Kernel(sim, { name: "mainline", version: "7.1" }, { firstSeqnum: 100 });
  return { sim, kernel, p: new Process(kernel, "udev"), run: (body) => sim.runTask("t", body()) };
}

function card(kernel: Kernel): { pci: Device; card0: Device } {
  const pci = new Device(kernel, { name: "0000:01:00.0", parent: null, subsystem: "pci", persistent: true });
  const card0 = new Device(kernel, {
    name: "card0",
    parent: pci,
    subsystem: "drm",
    classDir: "drm",
    devtype: "drm_minor",
    devt: { major: 226, minor: 0 },
    devnode: "dri/card0",
    busUevent: (_dev: Device, action: UeventAction) => [["MODALIAS", "drm:x"], ["ACT", action]],
  });
  return { pci, card0 };
}

const env = (pairs: readonly (readonly [string, string])[]): string[] => pairs.map(([k, v]) => `${k}=${v}`);

test("deviceAdd() makes the sysfs directory, its links, the dev attribute, the /dev node, then the add uevent", () => {
  const { kernel, p, run } = machine();
  const { card0 } = card(kernel);
  run(() => deviceAdd(card0, "/sys/class/drm/card0"));
  assert.equal(card0.sysfsPath, "/sys/devices/0000:01:00.0/drm/card0");
  assert.deepEqual(run(() => p.readFile("/sys/class/drm/card0/dev")), ok("226:0\n"));
  assert.deepEqual(run(() => p.readFile("/sys/dev/char/226:0/uevent")), ok("MAJOR=226\nMINOR=0\nDEVNAME=dri/card0\nDEVTYPE=drm_minor\nMODALIAS=drm:x\nACT=change\n"));
  assert.deepEqual(run(() => p.readlink("/sys/class/drm/card0/device")), ok("../../../0000:01:00.0"));
  assert.deepEqual(run(() => p.readlink("/sys/class/drm/card0/subsystem")), ok("../../../../class/drm"));
  assert.deepEqual(kernel.vfs.lookup("/dev/dri/card0"), { major: 226, minor: 0 });
  assert.equal(card0.added, true);
  const [ev] = kernel.uevents.log;
  assert.deepEqual(env(ev!.ev.env), [
    "ACTION=add", "DEVPATH=/devices/0000:01:00.0/drm/card0", "SUBSYSTEM=drm", "MAJOR=226", "MINOR=0",
    "DEVNAME=dri/card0", "DEVTYPE=drm_minor", "MODALIAS=drm:x", "ACT=add", "SEQNUM=100",
  ]);
  assert.throws(() => run(() => deviceAdd(card0)), /already added/);
});

test("deviceDel() removes the /dev node, the dev link and the class link, sends remove, then removes the directory", () => {
  const { kernel, p, run } = machine();
  const { card0 } = card(kernel);
  run(() => deviceAdd(card0, "/sys/class/drm/card0"));
  run(() => deviceDel(card0, "/sys/class/drm/card0"));
  assert.equal(kernel.vfs.lookup("/dev/dri/card0"), undefined);
  for (const path of ["/sys/dev/char/226:0", "/sys/class/drm/card0", card0.sysfsPath]) {
    assert.equal(run(() => p.exists(path)), false, path);
  }
  assert.deepEqual(kernel.uevents.log.map((e) => e.ev.action), ["add", "remove"]);
  assert.equal(card0.added, false);
  assert.throws(() => run(() => deviceDel(card0)), /not added/);
});

test("a device without a devt, devtype or class has only the core uevent keys and no /dev node", () => {
  const { kernel, p, run } = machine();
  const { pci } = card(kernel);
  run(() => deviceAdd(pci));
  assert.equal(pci.sysfsPath, "/sys/devices/0000:01:00.0");
  assert.deepEqual(env(kernel.uevents.log[0]!.ev.env), ["ACTION=add", "DEVPATH=/devices/0000:01:00.0", "SUBSYSTEM=pci", "SEQNUM=100"]);
  assert.deepEqual(run(() => p.readdir(pci.sysfsPath)), ok([{ name: "uevent", kind: "file" }]));
});

test("deviceUeventEnv() puts extra keys after the core ones and drops MODALIAS from unbind", () => {
  const { kernel } = machine();
  const { card0 } = card(kernel);
  card0.driver = { name: "vdisp", busName: "pci", *probe() { return 0 as const; }, *remove() {} };
  assert.deepEqual(env(deviceUeventEnv(card0, "bind", [["HOTPLUG", "1"]])), [
    "ACTION=bind", "DEVPATH=/devices/0000:01:00.0/drm/card0", "SUBSYSTEM=drm", "HOTPLUG=1", "MAJOR=226", "MINOR=0",
    "DEVNAME=dri/card0", "DEVTYPE=drm_minor", "DRIVER=vdisp", "MODALIAS=drm:x", "ACT=bind",
  ]);
  assert.deepEqual(env(deviceUeventEnv(card0, "unbind")).slice(-2), ["DRIVER=vdisp", "ACT=unbind"]);
});

test("getDevice() and putDevice() count references; the last put frees the struct, another is refcount_t's underflow", () => {
  const { sim, kernel } = machine();
  const dev = new Device(kernel, { name: "d", parent: null, subsystem: "platform" });
  getDevice(dev);
  putDevice(dev);
  assert.equal(freedIn(dev), null);
  putDevice(dev);
  assert.equal(freedIn(dev), "device_release");
  putDevice(dev);
  getDevice(dev);
  const kinds = sim.findings.map((f: Finding) => f.kind);
  assert.deepEqual(kinds.filter((k) => k.startsWith("kref")), ["kref-underflow", "kref-get-after-release"]);
  assert.equal(dev.refcount, 0);
});

test("putDevice() of a struct embedded in static memory drops to zero without freeing it", () => {
  const { sim, kernel } = machine();
  const mem = sim.alloc("pci_bus", { kind: "static", persistent: true });
  const dev = new Device(kernel, { name: "pci0000:00", parent: null, subsystem: "pci", mem });
  putDevice(dev);
  assert.deepEqual([dev.refcount, freedIn(dev)], [0, null]);
});

function freedIn(dev: Device): string | null {
  return dev.mem.freeSite?.fn ?? null;
}
