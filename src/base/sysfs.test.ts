/**
 * sysfs as a process sees it through its system calls: reads, writes, symlinks and directory
 * listings, with the errno Linux gives for each kind of node.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, step, type Task } from "../kernel/mod.js";
import { ok, type SysResult } from "../uapi/mod.js";
import { Kernel } from "./kernel.js";
import { Process } from "./process.js";
import { baseName, parentOf } from "./sysfs.js";

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

/** A small tree: a device directory with three attributes, a class link and a link loop. */
function tree(): { kernel: Kernel; p: Process; run: <T>(body: () => Task<T>) => T } {
  const sim = new Sim({ seed: 1 });
  const kernel = new Kernel(sim, { name: "mainline", version: "7.1" });
  const p = new Process(kernel, "cat");
  const sysfs = kernel.sysfs;
  const stored: string[] = [];
  sysfs.add("/sys/devices/card/name", { kind: "attr", show: () => "vdisp\n" });
  sysfs.add("/sys/devices/card/unbind", {
    kind: "attr",
    *store(data: string): Task<SysResult<number>> {
      stored.push(data);
      return ok(data.length);
    },
  });
  sysfs.add("/sys/devices/card/secret", { kind: "attr" });
  sysfs.add("/sys/class/drm/card0", { kind: "link", target: "/sys/devices/card" });
  sysfs.add("/sys/class/drm/loop", { kind: "link", target: "/sys/class/drm/loop" });
  return { kernel, p, run: (body) => sim.runTask("t", body()) };
}

const errnoOf = <T>(r: SysResult<T>): string => (r.ok ? "ok" : r.errno);

test("reading a sysfs attribute through a symlink returns what show() prints", () => {
  const { p, run } = tree();
  assert.deepEqual(run(() => p.readFile("/sys/class/drm/card0/name")), ok("vdisp\n"));
  assert.deepEqual(run(() => p.readFile("/sys/class/drm/card0/../card0/./name")), ok("vdisp\n"));
});

test("reading a missing node is ENOENT, a directory EISDIR, a write-only attribute EACCES", () => {
  const { p, run } = tree();
  assert.equal(errnoOf(run(() => p.readFile("/sys/devices/card/nope"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.readFile("/sys/devices/card"))), "EISDIR");
  assert.equal(errnoOf(run(() => p.readFile("/sys/devices/card/unbind"))), "EACCES");
});

test("writing an attribute runs its store(); a missing node is ENOENT, a directory EISDIR, a read-only one EACCES", () => {
  const { p, run } = tree();
  assert.deepEqual(run(() => p.writeFile("/sys/class/drm/card0/unbind", "0000:01:00.0")), ok(12));
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices/card/none", "1"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices", "1"))), "EISDIR");
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices/card/name", "1"))), "EACCES");
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices/card/secret", "1"))), "EACCES");
});

test("readlink() gives a link's target (relative); a missing node is ENOENT, a file or directory EINVAL", () => {
  const { p, run } = tree();
  assert.deepEqual(run(() => p.readlink("/sys/class/drm/card0")), ok("../../devices/card"));
  assert.equal(errnoOf(run(() => p.readlink("/sys/class/drm/card9"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.readlink("/sys/nothing/card9"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.readlink("/sys/devices/card/name"))), "EINVAL");
  assert.equal(errnoOf(run(() => p.readlink("/sys/devices/card"))), "EINVAL");
});

test("readdir() lists a directory's own entries sorted with their kinds; not a directory is ENOTDIR", () => {
  const { p, run } = tree();
  assert.deepEqual(run(() => p.readdir("/sys/class/drm/card0")), ok([
    { name: "name", kind: "file" },
    { name: "secret", kind: "file" },
    { name: "unbind", kind: "file" },
  ]));
  assert.deepEqual(run(() => p.readdir("/sys")), ok([{ name: "class", kind: "dir" }, { name: "devices", kind: "dir" }]));
  assert.deepEqual(run(() => p.readdir("/sys/class/drm")), ok([{ name: "card0", kind: "link" }, { name: "loop", kind: "link" }]));
  assert.equal(errnoOf(run(() => p.readdir("/sys/devices/card/name"))), "ENOTDIR");
  assert.equal(errnoOf(run(() => p.readdir("/sys/devices/gone"))), "ENOENT");
});

test("removing a directory removes everything below it, and only that", () => {
  const { kernel, p, run } = tree();
  kernel.sysfs.add("/sys/devices/cardigan", { kind: "dir" });
  kernel.sysfs.remove("/sys/devices/card");
  assert.equal(run(() => p.exists("/sys/devices/card/name")), false);
  assert.equal(run(() => p.exists("/sys/devices/card")), false);
  assert.equal(run(() => p.exists("/sys/devices/cardigan")), true);
  assert.equal(run(() => p.exists("/sys/class/drm/card0")), false, "a dangling link does not resolve");
  assert.equal(errnoOf(run(() => p.readlink("/sys/class/drm/card0"))), "ok", "but it is still a link");
});

test("Sysfs.add() refuses a path outside /sys and a node that exists, but re-adds a directory", () => {
  const { kernel } = tree();
  assert.throws(() => kernel.sysfs.add("/dev/x", { kind: "dir" }), /not under \/sys/);
  assert.throws(() => kernel.sysfs.add("/sys/devices/card/name", { kind: "dir" }), /exists/);
  assert.throws(() => kernel.sysfs.add("/sys/devices/card", { kind: "attr" }), /exists/);
  kernel.sysfs.add("/sys/devices/card", { kind: "dir" });
  assert.equal(kernel.sysfs.lookup("/sys/devices/card/name")?.kind, "attr");
});

test("Sysfs.footprintOf() names the object behind an attribute that has one", () => {
  const { kernel } = tree();
  const owner = { mem: kernel.sim.alloc("device") };
  kernel.sysfs.add("/sys/devices/card/owned", { kind: "attr", owner, show: () => "1\n" });
  assert.deepEqual(kernel.sysfs.footprintOf("/sys/class/drm/card0/owned"), [kernel.sysfs, owner]);
  assert.deepEqual(kernel.sysfs.footprintOf("/sys/devices/card/name"), [kernel.sysfs]);
  assert.deepEqual(kernel.sysfs.footprintOf("/sys/devices/card"), [kernel.sysfs]);
});

test("parentOf() and baseName() split a path at its last slash", () => {
  assert.equal(parentOf("/sys/bus/pci"), "/sys/bus");
  assert.equal(parentOf("/sys"), "/");
  assert.equal(parentOf("sys"), "/");
  assert.equal(baseName("/sys/bus/pci"), "pci");
  assert.equal(baseName("pci"), "pci");
});

test("a path through a symlink loop fails with ENOENT; a chain of 40 links resolves and 41 do not", () => {
  const { kernel, p, run } = tree();
  assert.equal(errnoOf(run(() => p.readFile("/sys/class/drm/loop/name"))), "ENOENT");
  assert.equal(run(() => p.exists("/sys/class/drm/loop")), false);
  // /sys/chain/l0 -> l1 -> ... -> l<n-1> -> /sys/devices/card: n links.
  const chain = (n: number): string => {
    kernel.sysfs.remove("/sys/chain");
    for (let i = 0; i < n; i++) {
      kernel.sysfs.add(`/sys/chain/l${i}`, { kind: "link", target: i + 1 < n ? `/sys/chain/l${i + 1}` : "/sys/devices/card" });
    }
    return "/sys/chain/l0/name";
  };
  assert.deepEqual(run(() => p.readFile(chain(40))), ok("vdisp\n"));
  assert.equal(errnoOf(run(() => p.readFile(chain(41)))), "ENOENT");
});
