/**
 * sysfs as a process sees it through its system calls: reads, writes, symlinks and directory
 * listings, with the errno Linux gives for each kind of node.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, type Task } from "../kernel/mod.js";
import { ok, type SysResult } from "../uapi/mod.js";
import { Kernel } from "./kernel.js";
import { Process } from "./process.js";
import { baseName, parentOf } from "./sysfs.js";

function machine(): { kernel: Kernel; p: Process; run: <T>(body: () => Task<T>) => T } {
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
  const { p, run } = machine();
  assert.deepEqual(run(() => p.readFile("/sys/class/drm/card0/name")), ok("vdisp\n"));
  assert.deepEqual(run(() => p.readFile("/sys/class/drm/card0/../card0/./name")), ok("vdisp\n"));
});

test("reading a missing node is ENOENT, a directory EISDIR, a write-only attribute EACCES", () => {
  const { p, run } = machine();
  assert.equal(errnoOf(run(() => p.readFile("/sys/devices/card/nope"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.readFile("/sys/devices/card"))), "EISDIR");
  assert.equal(errnoOf(run(() => p.readFile("/sys/devices/card/unbind"))), "EACCES");
});

test("writing an attribute runs its store(); a missing node is ENOENT, a directory EISDIR, a read-only one EACCES", () => {
  const { p, run } = machine();
  assert.deepEqual(run(() => p.writeFile("/sys/class/drm/card0/unbind", "0000:01:00.0")), ok(12));
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices/card/none", "1"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices", "1"))), "EISDIR");
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices/card/name", "1"))), "EACCES");
  assert.equal(errnoOf(run(() => p.writeFile("/sys/devices/card/secret", "1"))), "EACCES");
});

test("readlink() gives a link's target; a missing node is ENOENT, a file or directory EINVAL", () => {
  const { p, run } = machine();
  assert.deepEqual(run(() => p.readlink("/sys/class/drm/card0")), ok("/sys/devices/card"));
  assert.equal(errnoOf(run(() => p.readlink("/sys/class/drm/card9"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.readlink("/sys/nothing/card9"))), "ENOENT");
  assert.equal(errnoOf(run(() => p.readlink("/sys/devices/card/name"))), "EINVAL");
  assert.equal(errnoOf(run(() => p.readlink("/sys/devices/card"))), "EINVAL");
});

test("readdir() lists a directory's own entries sorted with their kinds; not a directory is ENOTDIR", () => {
  const { p, run } = machine();
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
  const { kernel, p, run } = machine();
  kernel.sysfs.add("/sys/devices/cardigan", { kind: "dir" });
  kernel.sysfs.remove("/sys/devices/card");
  assert.equal(run(() => p.exists("/sys/devices/card/name")), false);
  assert.equal(run(() => p.exists("/sys/devices/card")), false);
  assert.equal(run(() => p.exists("/sys/devices/cardigan")), true);
  assert.equal(run(() => p.exists("/sys/class/drm/card0")), false, "a dangling link does not resolve");
  assert.equal(errnoOf(run(() => p.readlink("/sys/class/drm/card0"))), "ok", "but it is still a link");
});

test("Sysfs.add() refuses a path outside /sys and a node that exists, but re-adds a directory", () => {
  const { kernel } = machine();
  assert.throws(() => kernel.sysfs.add("/dev/x", { kind: "dir" }), /not under \/sys/);
  assert.throws(() => kernel.sysfs.add("/sys/devices/card/name", { kind: "dir" }), /exists/);
  assert.throws(() => kernel.sysfs.add("/sys/devices/card", { kind: "attr" }), /exists/);
  kernel.sysfs.add("/sys/devices/card", { kind: "dir" });
  assert.equal(kernel.sysfs.lookup("/sys/devices/card/name")?.kind, "attr");
});

test("Sysfs.footprintOf() names the object behind an attribute that has one", () => {
  const { kernel } = machine();
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
  const { kernel, p, run } = machine();
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
