import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, step, type Task } from "../kernel/mod.js";
import { ok, type SysResult } from "../uapi/mod.js";
import { Kernel } from "./kernel.js";
import { Process } from "./process.js";

/** A kernel whose sysfs has a PCI-like tree: a device, its driver link and a class link. */
function machine(): { sim: Sim; kernel: Kernel; proc: Process; stores: string[] } {
  const sim = new Sim({ seed: 1 });
  const kernel = new Kernel(sim, { name: "mainline", version: "6.12" });
  const stores: string[] = [];
  const dev = "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0";
  const sysfs = kernel.sysfs;
  sysfs.mkdirs(`${dev}/drm/card0`);
  sysfs.mkdirs("/sys/bus/pci/drivers/vdisp");
  sysfs.add(`${dev}/driver`, { kind: "link", target: "/sys/bus/pci/drivers/vdisp" });
  sysfs.add("/sys/bus/pci/devices/0000:01:00.0", { kind: "link", target: dev });
  sysfs.add("/sys/class/drm/card0", { kind: "link", target: `${dev}/drm/card0` });
  sysfs.add(`${dev}/drm/card0/device`, { kind: "link", target: dev });
  sysfs.add(`${dev}/drm/card0/self`, { kind: "link", target: `${dev}/drm/card0/dev` });
  sysfs.add(`${dev}/drm/card0/dev`, { kind: "attr", show: () => "226:0\n" });
  sysfs.add(`${dev}/remove`, {
    kind: "attr",
    *store(data: string): Task<SysResult<number>> {
      yield step("remove_store");
      stores.push(data);
      return ok(data.length);
    },
  });
  return { sim, kernel, proc: new Process(kernel, "test"), stores };
}

test("a zero-length sysfs write returns 0 without calling the store; other writes reach it", () => {
  const { sim, proc, stores } = machine();
  const r = sim.runTask("t", (function* () {
    const remove = "/sys/bus/pci/devices/0000:01:00.0/remove";
    return {
      empty: yield* proc.writeFile(remove, ""),
      one: yield* proc.writeFile(remove, "1"),
      readOnly: yield* proc.writeFile("/sys/class/drm/card0/dev", ""),
      missing: yield* proc.writeFile("/sys/bus/pci/devices/0000:01:00.0/nothing", ""),
    };
  })());
  assert.deepEqual(r, {
    empty: { ok: true, value: 0 },
    one: { ok: true, value: 1 },
    readOnly: { ok: false, errno: "EACCES" },
    missing: { ok: false, errno: "ENOENT" },
  });
  assert.deepEqual(stores, ["1"]);
});

test("readlink() prints a sysfs link's target relative to the link's real directory, as Linux does", () => {
  const { sim, proc } = machine();
  const links = sim.runTask("t", (function* () {
    const out: Record<string, SysResult<string>> = {};
    for (const path of [
      "/sys/bus/pci/devices/0000:01:00.0/driver",
      "/sys/bus/pci/devices/0000:01:00.0",
      "/sys/class/drm/card0",
      "/sys/class/drm/card0/device",
      "/sys/class/drm/card0/self",
      "/sys/class/drm/card0/dev",
    ]) out[path] = yield* proc.readlink(path);
    return out;
  })());
  assert.deepEqual(links, {
    "/sys/bus/pci/devices/0000:01:00.0/driver": { ok: true, value: "../../../../bus/pci/drivers/vdisp" },
    "/sys/bus/pci/devices/0000:01:00.0": { ok: true, value: "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0" },
    "/sys/class/drm/card0": { ok: true, value: "../../devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0" },
    "/sys/class/drm/card0/device": { ok: true, value: "../../../0000:01:00.0" },
    "/sys/class/drm/card0/self": { ok: true, value: "dev" },
    "/sys/class/drm/card0/dev": { ok: false, errno: "EINVAL" },
  });
});
