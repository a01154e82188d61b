/**
 * devcoredump as userspace sees it: a hang on xe publishes /sys/class/devcoredump/devcd1 with
 * its `add` uevent; `data` reads the dump; writing to `data` deletes it (its `remove` uevent),
 * and an uncollected dump goes after DEVCD_TIMEOUT (5 minutes) of the virtual clock. One dump
 * per device at a time: a second hang before the first dump is collected makes none.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findingSummary } from "../kernel/mod.js";
import { ueventGet, type Call, type Fd, type Syscalls } from "../uapi/mod.js";
import { openRender, submitOk } from "./_test_sched.js";
import { BDF, drainUevents, ueventSocketOk, userSession } from "./_testing.js";

const DUMP = "/sys/class/devcoredump/devcd1";

/** A hung job on `engine`, and a wait past the 500 ms job timeout (the GT reset succeeds). */
function* hangOnce(sys: Syscalls, fd: Fd, engine: number): Call<void> {
  yield* submitOk(sys, fd, { engine, hang: true });
  yield* sys.sleep(600);
}

test("a hang's dump is readable, linked to the device, and deleted by a write", () => {
  const s = userSession({ devices: [{ bdf: BDF, driver: "xe" }] });
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const fd = yield* openRender(sys);
    yield* hangOnce(sys, fd, 0);
    yield* hangOnce(sys, fd, 1);
    const dumps = (yield* sys.readdir("/sys/class/devcoredump")).ok;
    const data = yield* sys.readFile(`${DUMP}/data`);
    const failing = yield* sys.readlink(`${DUMP}/failing_device`);
    const second = yield* sys.exists("/sys/class/devcoredump/devcd2");
    const written = yield* sys.writeFile(`${DUMP}/data`, "1");
    const gone = !(yield* sys.exists(DUMP));
    const events = (yield* drainUevents(sys, sock))
      .filter((e) => ueventGet(e, "SUBSYSTEM") === "devcoredump")
      .map((e) => `${e.action} ${e.devpath}`);
    yield* sys.close(fd);
    return { dumps, data, failing, second, written, gone, events };
  });
  assert.equal(r.dumps, true);
  assert.ok(r.data.ok);
  assert.match(r.data.value, /^\*\*\*\* Xe Device Coredump \*\*\*\*\n/);
  assert.match(r.data.value, /engine: card0-ring0\n/);
  assert.ok(r.failing.ok && r.failing.value.endsWith(BDF), JSON.stringify(r.failing));
  assert.equal(r.second, false, "the second hang made no dump while the first was there");
  assert.deepEqual(r.written, { ok: true, value: 1 });
  assert.equal(r.gone, true);
  assert.deepEqual(r.events, [
    "add /devices/virtual/devcoredump/devcd1",
    "remove /devices/virtual/devcoredump/devcd1",
  ]);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});

test("an uncollected dump is deleted 5 minutes after it was made", () => {
  const s = userSession({ devices: [{ bdf: BDF, driver: "xe" }] });
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    yield* hangOnce(sys, fd, 0);
    yield* sys.close(fd);
    yield* sys.sleep(4 * 60 * 1000);
    const at4min = yield* sys.exists(DUMP);
    yield* sys.sleep(60 * 1000);
    const at5min = yield* sys.exists(DUMP);
    return { at4min, at5min };
  });
  assert.deepEqual(r, { at4min: true, at5min: false });
  assert.equal(s.shutdown(), 0);
});
