import { test } from "node:test";
import assert from "node:assert/strict";
import { findingSummary, Sim, step, TaskKilled, type Task } from "../kernel/mod.js";
import { DRM_IOCTL_VERSION, fail, ok, type Fd, type SysResult } from "../uapi/mod.js";
import { Kernel } from "./kernel.js";
import { PAGE_SIZE, type FaultResult, type Vma, type VmOps } from "./mm.js";
import { Process } from "./process.js";
import { UeventSocket } from "./uevent_socket.js";
import type { KFile } from "./vfs.js";

const NULL_MAJOR = 1;

/** A kernel with one character device, /dev/null, whose open always succeeds. */
function machine(): { sim: Sim; process: Process } {
  const sim = new Sim({ seed: 1 });
  const kernel = new Kernel(sim, { name: "mainline", version: "6.12" });
  kernel.vfs.registerChrdev(NULL_MAJOR, function* (_devt, file) {
    file.ops = { name: "null", *release(): Task<void> {} };
    return ok(0 as const);
  });
  kernel.vfs.devtmpfsCreate("/dev/null", { major: NULL_MAJOR, minor: 3 });
  return { sim, process: new Process(kernel, "fds") };
}

function* openNull(p: Process): Task<Fd> {
  const r = yield* p.open("/dev/null");
  assert.ok(r.ok);
  return r.value;
}

test("open() hands out the lowest free fd, from 3 up", () => {
  const { sim, process: p } = machine();
  const fds = sim.runTask("t", (function* () {
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(yield* openNull(p));
    return got;
  })());
  assert.deepEqual(fds, [3, 4, 5, 6]);
});

test("open() after close() reuses the lowest closed fd before any higher one", () => {
  const { sim, process: p } = machine();
  const fds = sim.runTask("t", (function* () {
    for (let i = 0; i < 6; i++) yield* openNull(p); // 3..8
    yield* p.close(7 as Fd);
    yield* p.close(4 as Fd);
    const got: number[] = [];
    for (let i = 0; i < 3; i++) got.push(yield* openNull(p));
    return got;
  })());
  assert.deepEqual(fds, [4, 7, 9]);
});

test("open() after exit() of every fd starts again at 3", () => {
  const { sim, process: p } = machine();
  const fd = sim.runTask("t", (function* () {
    for (let i = 0; i < 3; i++) yield* openNull(p);
    yield* p.exit();
    return yield* openNull(p);
  })());
  assert.equal(fd, 3);
  assert.equal(p.fds.size, 1);
});

// ---------------------------------------------------------------- mappings

/** /dev/mem-like node: mmap succeeds for pgoff < 16, pages fault in filled with their index. */
function mappable(): { sim: Sim; kernel: Kernel; p: Process; faults: number[]; closed: number[] } {
  const sim = new Sim({ seed: 1 });
  const kernel = new Kernel(sim, { name: "mainline", version: "7.1" });
  const faults: number[] = [];
  const closed: number[] = [];
  const vmOps: VmOps = {
    name: "mem",
    *fault(vma: Vma, pageIndex: number): Task<FaultResult> {
      yield step("mem_fault", [], [vma]);
      faults.push(pageIndex);
      if (pageIndex >= 2) return { ok: false, result: "SIGBUS" };
      const page = new Uint8Array(PAGE_SIZE).fill(pageIndex + 1);
      vma.ptes.set(pageIndex, page);
      return { ok: true, page };
    },
    close(vma: Vma): void {
      closed.push(vma.pages);
    },
  };
  kernel.vfs.registerChrdev(NULL_MAJOR, function* (_devt, file) {
    file.ops = {
      name: "mem",
      *release(): Task<void> {},
      *mmap(_file: KFile, vma: Vma): Task<SysResult<0>> {
        if (vma.pgoff >= 16n) return fail("EINVAL");
        vma.ops = vmOps;
        return ok(0 as const);
      },
    };
    return ok(0 as const);
  });
  kernel.vfs.devtmpfsCreate("/dev/mem", { major: NULL_MAJOR, minor: 1 });
  kernel.vfs.devtmpfsCreate("/dev/null", { major: 2, minor: 3 });
  kernel.vfs.registerChrdev(2, function* (_devt, file) {
    file.ops = { name: "null", *release(): Task<void> {} };
    return ok(0 as const);
  });
  return { sim, kernel, p: new Process(kernel, "mapper"), faults, closed };
}

test("mmap() refuses a bad fd (EBADF), an empty or unaligned range (EINVAL) and a file without mmap (ENODEV)", () => {
  const { sim, p } = mappable();
  const results = sim.runTask("t", (function* () {
    const mem = yield* openPath(p, "/dev/mem");
    const nul = yield* openPath(p, "/dev/null");
    return [
      yield* p.mmap(9 as Fd, 0n, PAGE_SIZE),
      yield* p.mmap(mem, 0n, 0),
      yield* p.mmap(mem, 0n, -1),
      yield* p.mmap(mem, 100n, PAGE_SIZE),
      yield* p.mmap(nul, 0n, PAGE_SIZE),
      yield* p.mmap(mem, 16n * BigInt(PAGE_SIZE), PAGE_SIZE),
    ];
  })());
  assert.deepEqual(results.map((r) => (r.ok ? "ok" : r.errno)), ["EBADF", "EINVAL", "EINVAL", "EINVAL", "ENODEV", "EINVAL"]);
  assert.equal(p.mm.vmas.length, 0);
  assert.deepEqual(sim.liveAllocations().map((a) => a.type), ["file", "file"], "failed mmaps free their VMA");
});

test("mmap() hands out page-aligned addresses with a guard page between mappings and holds the file", () => {
  const { sim, p } = mappable();
  const addrs = sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/mem");
    const a = yield* p.mmap(fd, 0n, PAGE_SIZE + 1);
    const b = yield* p.mmap(fd, BigInt(PAGE_SIZE), PAGE_SIZE);
    assert.ok(a.ok && b.ok);
    yield* p.close(fd);
    return [a.value, b.value];
  })());
  assert.deepEqual(addrs, [0x7f00_0000_0000n, 0x7f00_0000_0000n + 3n * BigInt(PAGE_SIZE)]);
  assert.deepEqual(p.mm.vmas.map((v) => [v.pgoff, v.length]), [[0n, PAGE_SIZE + 1], [1n, PAGE_SIZE]]);
  assert.equal(p.mm.vmas[0]?.file.count, 2, "each mapping holds the file after close() (R15)");
});

test("memRead() faults pages in once, spans pages, and memWrite() writes through them", () => {
  const { sim, p, faults } = mappable();
  const r = sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/mem");
    const m = yield* p.mmap(fd, 0n, 3 * PAGE_SIZE);
    assert.ok(m.ok);
    const base = m.value;
    return {
      span: yield* p.memRead(base + BigInt(PAGE_SIZE - 2), 4),
      again: yield* p.memRead(base, 1),
      wrote: yield* p.memWrite(base + 1n, new Uint8Array([9, 9])),
      after: yield* p.memRead(base, 4),
    };
  })());
  assert.deepEqual(r.span, { ok: true, value: new Uint8Array([1, 1, 2, 2]) });
  assert.deepEqual(r.again, { ok: true, value: new Uint8Array([1]) });
  assert.deepEqual(r.wrote, { ok: true, value: 2 });
  assert.deepEqual(r.after, { ok: true, value: new Uint8Array([1, 9, 9, 1]) });
  assert.deepEqual(faults, [0, 1], "a present page does not fault again");
  assert.deepEqual(sim.findings, []);
});

/** Maps 3 pages of /dev/mem, reads a byte at `offset`, then closes the fd; returns what the task threw. */
function readThenClose(offset: number) {
  const m = mappable();
  let thrown: unknown = null;
  try {
    m.sim.runTask("t", (function* () {
      const fd = yield* openPath(m.p, "/dev/mem");
      const map = yield* m.p.mmap(fd, 0n, 3 * PAGE_SIZE);
      assert.ok(map.ok);
      const r = yield* m.p.memRead(map.value + BigInt(offset), 1);
      assert.equal(r.ok, false);
      yield* m.p.close(fd);
    })(), { kind: "user" });
  } catch (e) {
    thrown = e;
  }
  return { ...m, thrown };
}

test("a fault the handler cannot resolve is SIGBUS: it kills the program, and is a fatal-signal finding (R53)", () => {
  const { sim, p, thrown } = readThenClose(2 * PAGE_SIZE + 5);
  assert.ok(thrown instanceof TaskKilled, "the program never got back from its next call");
  assert.equal(p.fds.size, 1, "the close never ran");
  assert.deepEqual(sim.findings.map(findingSummary), [
    `mapper/${p.pid}: potentially unexpected fatal signal 7 (SIGBUS) at 0x7f0000002005 in a mapping of /dev/mem`,
  ]);
});

test("an access outside every mapping is SIGSEGV: it kills the program, and is no finding (the program's own bug)", () => {
  const { sim, p, thrown } = readThenClose(3 * PAGE_SIZE);
  assert.ok(thrown instanceof TaskKilled);
  assert.equal(p.fds.size, 1);
  assert.deepEqual(sim.findings, []);
});

test("a mapping without a fault handler (remapped whole at mmap) is SIGBUS where a page is missing", () => {
  const { sim, kernel, p } = mappable();
  const vmOps: VmOps = { name: "remapped" };
  kernel.vfs.registerChrdev(3, function* (_devt, file) {
    file.ops = {
      name: "remapped",
      *release(): Task<void> {},
      *mmap(_file: KFile, vma: Vma): Task<SysResult<0>> {
        vma.ops = vmOps;
        vma.ptes.set(0, new Uint8Array(PAGE_SIZE).fill(7));
        return ok(0 as const);
      },
    };
    return ok(0 as const);
  });
  kernel.vfs.devtmpfsCreate("/dev/remapped", { major: 3, minor: 0 });
  const r = sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/remapped");
    const map = yield* p.mmap(fd, 0n, 2 * PAGE_SIZE);
    assert.ok(map.ok);
    return [yield* p.memRead(map.value, 1), yield* p.memRead(map.value + BigInt(PAGE_SIZE), 1)];
  })());
  assert.deepEqual(r, [{ ok: true, value: new Uint8Array([7]) }, { ok: false, signal: "SIGBUS" }]);
  assert.deepEqual(sim.findings.map((f) => f.kind), ["fatal-signal"]);
});

test("memRead() stops at the end of a mapping: the guard page after it is SIGSEGV", () => {
  const { sim, p } = mappable();
  const r = sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/mem");
    const m = yield* p.mmap(fd, 0n, 100);
    assert.ok(m.ok);
    return [yield* p.memRead(m.value + 96n, 4), yield* p.memRead(m.value + 96n, 5)];
  })());
  assert.deepEqual(r[0], { ok: true, value: new Uint8Array([1, 1, 1, 1]) });
  assert.deepEqual(r[1], { ok: false, signal: "SIGSEGV" });
});

test("munmap() of a mapping calls its close, drops its file reference and frees it; of nothing succeeds", () => {
  const { sim, p, closed } = mappable();
  sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/mem");
    const m = yield* p.mmap(fd, 0n, 2 * PAGE_SIZE);
    assert.ok(m.ok);
    yield* p.close(fd);
    assert.deepEqual(yield* p.munmap(m.value + 1n, PAGE_SIZE), ok(0), "not the start of a mapping: nothing");
    assert.equal(p.mm.vmas.length, 1);
    assert.deepEqual(yield* p.munmap(m.value, 2 * PAGE_SIZE), ok(0));
    assert.deepEqual(yield* p.memRead(m.value, 1), { ok: false, signal: "SIGSEGV" });
  })());
  assert.deepEqual(closed, [2]);
  assert.equal(p.mm.vmas.length, 0);
  assert.deepEqual(sim.liveAllocations(), [], "the file went with its last reference, the VMA with munmap");
  assert.deepEqual(sim.findings, []);
});

test("exit() unmaps every mapping and closes every fd", () => {
  const { sim, p, closed } = mappable();
  sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/mem");
    yield* p.mmap(fd, 0n, PAGE_SIZE);
    yield* openPath(p, "/dev/null");
    yield* p.exit();
    yield* p.exit();
  })());
  assert.deepEqual(closed, [1]);
  assert.deepEqual([p.fds.size, p.mm.vmas.length, p.exited], [0, 0, true]);
  assert.deepEqual(sim.liveAllocations(), []);
});

// ---------------------------------------------------------------- calls on fds

test("ioctl(), read() and close() of an fd that is not open are EBADF; ioctl without a handler ENOTTY, read EINVAL", () => {
  const { sim, p } = mappable();
  const r = sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/null");
    return [
      yield* p.ioctl(7 as Fd, DRM_IOCTL_VERSION),
      yield* p.read(7 as Fd, 16),
      yield* p.close(7 as Fd),
      yield* p.ioctl(fd, DRM_IOCTL_VERSION),
      yield* p.ioctl(fd, 0x1234),
      yield* p.read(fd, 16),
      yield* p.recvUevent(7 as Fd, 0),
      yield* p.recvUevent(fd, 0),
    ];
  })());
  assert.deepEqual(r.map((x) => (x.ok ? "ok" : x.errno)), ["EBADF", "EBADF", "EBADF", "ENOTTY", "ENOTTY", "EINVAL", "EBADF", "ENOTSOCK"]);
});

test("every system call is traced with its arguments, its return value and its errno", () => {
  const { sim, p } = mappable();
  sim.runTask("t", (function* () {
    const fd = yield* openPath(p, "/dev/mem");
    yield* p.ioctl(fd, DRM_IOCTL_VERSION);
    yield* p.ioctl(fd, 0x6400);
    yield* p.ioctl(5000 as Fd, DRM_IOCTL_VERSION);
    yield* p.ioctl(fd, 0x5401);
    yield* p.mmap(fd, 0n, PAGE_SIZE);
    yield* p.poll(fd, 1, 0);
    yield* p.read(fd, 8);
    yield* p.readFile("/dev/none");
    yield* p.close(fd);
  })(), { kind: "user" });
  const calls = sim.trace.events.flatMap((e) => (e.t === "call" ? [`${e.op}(${e.args}) = ${e.ret}${e.errno === null ? "" : ` ${e.errno}`}`] : []));
  assert.deepEqual(calls, [
    "open(/dev/mem) = 3",
    "ioctl(3, DRM_IOCTL_VERSION) = -1 ENOTTY",
    "ioctl(3, 0x6400) = -1 ENOTTY",
    "ioctl(5000, DRM_IOCTL_VERSION) = -1 EBADF",
    "ioctl(3, 0x5401) = -1 ENOTTY",
    "mmap(3, 0x0, 4096) = 0x7f0000000000",
    "poll(3, 0x1, 0) = revents=0x0",
    "read(3, 8) = -1 EINVAL",
    "read_file(/dev/none) = -1 ENOENT",
    "close(3) = 0",
  ]);
  const first = sim.trace.events.find((e) => e.t === "call");
  assert.ok(first?.t === "call" && first.task === 1 && first.startTick <= first.tick);
});

test("sleep() and clockGettime() count in Linux's units: milliseconds in, microseconds out", () => {
  const { sim, p } = mappable();
  const [t0, t1] = sim.runTask("t", (function* () {
    const a = yield* p.clockGettime();
    yield* p.sleep(1.5);
    return [a, yield* p.clockGettime()];
  })());
  assert.equal(t1! - t0!, 1500);
});

// ---------------------------------------------------------------- uevent sockets

test("a uevent socket receives every uevent after it was opened, in order, and EAGAIN when none comes in time", () => {
  const { sim, kernel, p } = mappable();
  const got = sim.runTask("t", (function* () {
    yield* kernel.uevents.send("add", "/devices/early", []);
    const s = yield* p.ueventSocket();
    assert.ok(s.ok);
    yield* kernel.uevents.send("add", "/devices/a", [["K", "V"]]);
    yield* kernel.uevents.send("remove", "/devices/a", []);
    const out: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = yield* p.recvUevent(s.value, 5);
      out.push(r.ok ? `${r.value.action}@${r.value.devpath} ${r.value.env.map(([k, v]) => `${k}=${v}`).join(" ")}` : r.errno);
    }
    return out;
  })());
  assert.deepEqual(got, ["add@/devices/a K=V SEQNUM=2", "remove@/devices/a SEQNUM=3", "EAGAIN"]);
});

test("a uevent socket whose queue overflowed fails one receive with ENOBUFS, then reads what it kept", () => {
  const { sim, kernel } = mappable();
  const socket = new UeventSocket(kernel, "sock", 2);
  const got = sim.runTask("t", (function* () {
    for (const name of ["a", "b", "c"]) yield* kernel.uevents.send("add", `/devices/${name}`, []);
    const out: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = yield* socket.recv(0);
      out.push(r.ok ? r.value.devpath : r.errno);
    }
    return out;
  })());
  assert.deepEqual(got, ["ENOBUFS", "/devices/a", "/devices/b", "EAGAIN"]);
  assert.deepEqual(sim.findings, []);
});

test("closing a uevent socket stops delivery to it and frees it", () => {
  const { sim, kernel, p } = mappable();
  sim.runTask("t", (function* () {
    const s = yield* p.ueventSocket();
    assert.ok(s.ok);
    yield* p.close(s.value);
    yield* kernel.uevents.send("add", "/devices/a", []);
  })());
  assert.deepEqual(sim.liveAllocations(), []);
});

function* openPath(p: Process, path: string): Task<Fd> {
  const r = yield* p.open(path);
  assert.ok(r.ok, `open ${path}`);
  return r.value;
}

test("/proc/self/fdinfo/<fd> gives the position and the flags, O_CLOEXEC for a close-on-exec fd only; ENOENT for a closed fd", () => {
  const { sim, process: p } = machine();
  const texts = sim.runTask("t", (function* () {
    const plain = yield* openNull(p);
    const cloexec = yield* p.open("/dev/null", { cloexec: true });
    assert.ok(cloexec.ok);
    const got: string[] = [];
    for (const fd of [plain, cloexec.value]) {
      const r = yield* p.readFile(`/proc/self/fdinfo/${fd}`);
      got.push(r.ok ? r.value : r.errno);
    }
    yield* p.close(cloexec.value);
    const closed = yield* p.readFile(`/proc/self/fdinfo/${cloexec.value}`);
    got.push(closed.ok ? closed.value : closed.errno);
    return got;
  })());
  // O_RDWR | O_LARGEFILE (open() on 64-bit), and O_CLOEXEC from the fd.
  assert.deepEqual(texts, ["pos:\t0\nflags:\t0100002\n", "pos:\t0\nflags:\t02100002\n", "ENOENT"]);
});
