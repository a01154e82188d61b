/**
 * Device nodes and open files as a process sees them: open(2) of a node, mknod(2), /dev
 * listings, poll(2) of a file, and the file's reference count (R15).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, step, type Task, WaitQueue } from "../kernel/mod.js";
import { fail, ok, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, type Fd } from "../uapi/mod.js";
import { Kernel } from "./kernel.js";
import { Process } from "./process.js";
import { fget, fput, type FileOps, type KFile, type PollWait } from "./vfs.js";

const MAJOR = 10;

interface Machine {
  readonly sim: Sim;
  readonly kernel: Kernel;
  readonly p: Process;
  readonly released: string[];
  run<T>(body: () => Task<T>): T;
}

/** A kernel with one character driver: minor 0 opens, minor 1 fails with EPERM. */
function machine(ops: Partial<FileOps> = {}): Machine {
  const sim = new Sim({ seed: 1 });
  const kernel = new Kernel(sim, { name: "mainline", version: "7.1" });
  const released: string[] = [];
  kernel.vfs.registerChrdev(MAJOR, function* (devt, file) {
    if (devt.minor === 1) return fail("EPERM");
    file.ops = {
      name: "misc",
      *release(f: KFile): Task<void> {
        released.push(f.path);
      },
      ...ops,
    };
    return ok(0 as const);
  });
  kernel.vfs.devtmpfsCreate("/dev/misc0", { major: MAJOR, minor: 0 });
  kernel.vfs.devtmpfsCreate("/dev/misc1", { major: MAJOR, minor: 1 });
  return { sim, kernel, p: new Process(kernel, "app"), released, run: (body) => sim.runTask("t", body()) };
}

test("open() of a missing node is ENOENT, of a node without a driver ENXIO, and the driver's errno otherwise", () => {
  const m = machine();
  m.kernel.vfs.devtmpfsCreate("/dev/nodriver", { major: 99, minor: 0 });
  assert.deepEqual(m.run(() => m.p.open("/dev/none")), fail("ENOENT"));
  assert.deepEqual(m.run(() => m.p.open("/dev/nodriver")), fail("ENXIO"));
  assert.deepEqual(m.run(() => m.p.open("/dev/misc1")), fail("EPERM"));
  assert.deepEqual(m.run(() => m.p.open("/dev/misc0")), ok(3));
  assert.equal(m.p.fds.size, 1, "failed opens take no fd");
  assert.deepEqual(m.sim.liveAllocations().map((a) => a.type), ["file"], "a failed open frees its file");
});

test("mknod() makes a node that opens like a devtmpfs one; a taken path is EEXIST", () => {
  const m = machine();
  assert.deepEqual(m.run(() => m.p.mknod("/tmp/misc", MAJOR, 0)), ok(0));
  assert.deepEqual(m.run(() => m.p.mknod("/dev/misc0", MAJOR, 0)), fail("EEXIST"));
  assert.deepEqual(m.run(() => m.p.open("/tmp/misc")), ok(3));
  assert.deepEqual(m.kernel.vfs.lookup("/tmp/misc"), { major: MAJOR, minor: 0 });
});

test("readdir() of /dev lists the nodes of that directory only, sorted; a directory with none is ENOENT", () => {
  const m = machine();
  m.kernel.vfs.devtmpfsCreate("/dev/dri/card0", { major: 226, minor: 0 });
  m.kernel.vfs.devtmpfsCreate("/dev/a", { major: 1, minor: 1 });
  assert.deepEqual(m.run(() => m.p.readdir("/dev")), ok([
    { name: "a", kind: "chr" },
    { name: "misc0", kind: "chr" },
    { name: "misc1", kind: "chr" },
  ]));
  assert.deepEqual(m.run(() => m.p.readdir("/dev/dri")), ok([{ name: "card0", kind: "chr" }]));
  assert.deepEqual(m.run(() => m.p.readdir("/dev/input")), fail("ENOENT"));
  assert.equal(m.run(() => m.p.exists("/dev/dri")), true);
  assert.equal(m.run(() => m.p.exists("/dev/dr")), false);
  m.kernel.vfs.devtmpfsDelete("/dev/dri/card0");
  assert.equal(m.run(() => m.p.exists("/dev/dri")), false);
});

test("reading or writing a file outside /sys is EINVAL for a node and ENOENT for anything else", () => {
  const m = machine();
  assert.deepEqual(m.run(() => m.p.readFile("/dev/misc0")), fail("EINVAL"));
  assert.deepEqual(m.run(() => m.p.readFile("/dev/none")), fail("ENOENT"));
  assert.deepEqual(m.run(() => m.p.writeFile("/dev/misc0", "x")), fail("EINVAL"));
  assert.deepEqual(m.run(() => m.p.writeFile("/etc/none", "x")), fail("ENOENT"));
});

test("registerChrdev() refuses a major that is taken", () => {
  const m = machine();
  assert.throws(() => m.kernel.vfs.registerChrdev(MAJOR, function* () {
    return ok(0 as const);
  }), /major 10 taken/);
});

test("the last fput() releases the file once; fget() keeps it alive past close()", () => {
  const m = machine();
  const fd = m.run(() => m.p.open("/dev/misc0"));
  assert.ok(fd.ok);
  const file = m.p.fds.get(fd.value)!;
  fget(file); // what a mapping does (R15)
  assert.equal(file.count, 2);
  assert.deepEqual(m.run(() => m.p.close(fd.value)), ok(0));
  assert.deepEqual(m.released, [], "a reference is left");
  assert.equal(file.count, 1);
  m.run(() => fput(m.kernel, file));
  assert.deepEqual(m.released, ["/dev/misc0"]);
  assert.equal(file.count, 0);
  assert.equal(file.mem.freeSite?.fn, "__fput");
  assert.throws(() => fget(file), /already released/);
  assert.deepEqual(m.run(() => m.p.close(fd.value)), fail("EBADF"));
});

test("poll() reports the requested ready bits, and POLLERR and POLLHUP even unasked", () => {
  let mask = POLLIN | POLLOUT;
  const m = machine({
    *poll(): Task<PollWait> {
      return { wq: new WaitQueue(m.sim, "misc"), reason: "misc poll", mask: () => mask, recheck: step("misc_poll") };
    },
  });
  const fd = m.run(() => m.p.open("/dev/misc0"));
  assert.ok(fd.ok);
  assert.deepEqual(m.run(() => m.p.poll(fd.value, POLLIN, 0)), ok(POLLIN));
  assert.deepEqual(m.run(() => m.p.poll(fd.value, POLLOUT | POLLIN, 0)), ok(POLLIN | POLLOUT));
  mask = POLLERR | POLLHUP | POLLOUT;
  assert.deepEqual(m.run(() => m.p.poll(fd.value, POLLIN, 0)), ok(POLLERR | POLLHUP));
  mask = POLLOUT;
  const before = m.sim.now;
  assert.deepEqual(m.run(() => m.p.poll(fd.value, POLLIN, 2)), ok(0));
  assert.ok(m.sim.now - before >= 2000, "waited the timeout, 2 ms");
});

test("poll() of a file without a poll operation reports 0 at once; of a closed fd POLLNVAL", () => {
  const m = machine();
  const fd = m.run(() => m.p.open("/dev/misc0"));
  assert.ok(fd.ok);
  assert.deepEqual(m.run(() => m.p.poll(fd.value, POLLIN, 1000)), ok(0));
  assert.ok(m.sim.now < 1000);
  assert.deepEqual(m.run(() => m.p.poll(42 as Fd, POLLIN, 0)), ok(POLLNVAL));
});
