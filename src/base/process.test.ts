import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, type Task } from "../kernel/mod.js";
import { ok, type Fd } from "../uapi/mod.js";
import { Kernel } from "./kernel.js";
import { Process } from "./process.js";

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
