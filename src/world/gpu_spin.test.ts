/**
 * vtest's spinner (VTEST_SUBMIT_SPIN) as a program sees it: the job keeps its engine until the
 * program writes the batch's end through its CPU mapping; left alone it runs into the
 * scheduler's timeout; the job holds its batch buffer while it runs; and a device removed under
 * a spinner cancels it, after which the end written through the mapping is harmless.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findingSummary } from "../kernel/mod.js";
import { DRM_IOCTL_GEM_CLOSE, type Call, type Fd, type Syscalls } from "../uapi/mod.js";
import { igtSpinEnd, igtSpinNew, igtSpinUnmap, isSpinFailure, type IgtSpin } from "../userspace/mod.js";
import type { WorldOptions } from "./options.js";
import { errnoOf, openOk, pciRemove, type UserSession } from "./_testing.js";
import { exportSyncFile, submitOk, syncFileStatus, vtestSession } from "./_test_sched.js";

function* spinOn(sys: Syscalls, fd: Fd): Call<IgtSpin> {
  const spin = yield* igtSpinNew(sys, fd);
  if (isSpinFailure(spin)) assert.fail(`igtSpinNew: ${spin.call} failed with ${spin.errno}`);
  return spin;
}

/** A vtest session whose device an admin program removes 10 ms in. */
function removedAfter10ms(options: Partial<WorldOptions>): UserSession {
  const s = vtestSession(options);
  s.world.sim.spawn("admin", (function* (): Call<void> {
    yield* s.sys.sleep(10);
    yield* pciRemove(s.sys);
  })() as never, { kind: "user" });
  return s;
}

test("a spinner keeps its engine until the program writes the batch's end through the mapping", () => {
  const s = vtestSession();
  const r = s.run(function* (sys) {
    const fd = yield* openOk(sys, "/dev/dri/card0");
    const spin = yield* spinOn(sys, fd);
    const fence = yield* exportSyncFile(sys, fd, spin.syncobj);
    yield* sys.sleep(300);
    const spinning = yield* syncFileStatus(sys, fence);
    const end = yield* igtSpinEnd(sys, spin);
    yield* sys.sleep(2); // at most one loop of the batch (1 ms) later
    const ended = yield* syncFileStatus(sys, fence);
    yield* igtSpinUnmap(sys, spin);
    yield* sys.close(fence);
    return { spinning, end, ended, close: errnoOf(yield* sys.close(fd)) };
  });
  assert.deepEqual(r, {
    spinning: "active",
    end: { ok: true, value: 4 },
    ended: "signaled",
    close: "ok",
  });
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
});

test("a spinner nobody ends is a hang to the scheduler: after 500 ms its fence ends with ETIME", () => {
  const s = vtestSession();
  const r = s.run(function* (sys) {
    const fd = yield* openOk(sys, "/dev/dri/card0");
    const spin = yield* spinOn(sys, fd);
    const fence = yield* exportSyncFile(sys, fd, spin.syncobj);
    yield* sys.sleep(499);
    const before = yield* syncFileStatus(sys, fence);
    yield* sys.sleep(2);
    const after = yield* syncFileStatus(sys, fence);
    yield* sys.close(fence);
    yield* sys.close(fd);
    return { before, after };
  });
  assert.deepEqual(r, { before: "active", after: "ETIME" });
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
});

test("the job holds its batch: handle and mapping dropped while it spins free nothing it reads", () => {
  const s = vtestSession();
  const live = (): number =>
    s.world.sim.liveAllocations().filter((a) => a.type === "drm_gem_object").length;
  const r = s.run(function* (sys) {
    const fd = yield* openOk(sys, "/dev/dri/card0");
    const spin = yield* spinOn(sys, fd);
    const fence = yield* exportSyncFile(sys, fd, spin.syncobj);
    const unmap = errnoOf(yield* igtSpinUnmap(sys, spin));
    const gemClose = errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_GEM_CLOSE, { handle: spin.batch }));
    yield* sys.sleep(100);
    const heldByJob = live();
    yield* sys.sleep(500);
    const status = yield* syncFileStatus(sys, fence);
    yield* sys.sleep(1); // the scheduler's thread frees the job
    const afterJob = live();
    yield* sys.close(fence);
    yield* sys.close(fd);
    return { unmap, gemClose, heldByJob, status, afterJob };
  });
  assert.deepEqual(r, { unmap: "ok", gemClose: "ok", heldByJob: 1, status: "ETIME", afterJob: 0 });
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
});

for (const profile of ["mainline", "uapi-doc"] as const) {
  test(`removal under a spinner (${profile}): it returns, the fence has an error, the end is safe`, () => {
    for (let seed = 1; seed <= 4; seed++) {
      const s = removedAfter10ms({ seed, schedule: "random", profile });
      const sim = s.world.sim;
      const r = s.run(function* (sys) {
        const fd = yield* openOk(sys, "/dev/dri/card0");
        const spin = yield* spinOn(sys, fd);
        const fence = yield* exportSyncFile(sys, fd, spin.syncobj);
        yield* sys.sleep(50); // the removal comes 10 ms in
        const status = yield* syncFileStatus(sys, fence);
        const end = yield* igtSpinEnd(sys, spin);
        const unmap = errnoOf(yield* igtSpinUnmap(sys, spin));
        yield* sys.close(fence);
        return { status, end, unmap, close: errnoOf(yield* sys.close(fd)) };
      });
      const where = `seed ${seed}`;
      const cancel = profile === "mainline" ? "ECANCELED" : "ENODEV";
      const expected = { status: cancel, end: { ok: true, value: 4 }, unmap: "ok", close: "ok" };
      assert.deepEqual(r, expected, where);
      assert.equal(s.shutdown(), 0, `${where}: leaks`);
      assert.deepEqual(sim.findings.map(findingSummary), [], where);
    }
  });
}

test("a spinner still queued at the removal is killed (ESRCH) and frees its batch with the job", () => {
  for (let seed = 1; seed <= 4; seed++) {
    const s = removedAfter10ms({ seed, schedule: "random" });
    const sim = s.world.sim;
    const r = s.run(function* (sys) {
      const fd = yield* openOk(sys, "/dev/dri/card0");
      // Two jobs take both of engine 0's slots; the spinner waits in the file's queue.
      for (let i = 0; i < 2; i++) yield* submitOk(sys, fd, { engine: 0, ms: 100 });
      const spin = yield* spinOn(sys, fd);
      const fence = yield* exportSyncFile(sys, fd, spin.syncobj);
      yield* sys.sleep(50);
      const status = yield* syncFileStatus(sys, fence);
      const unmap = errnoOf(yield* igtSpinUnmap(sys, spin));
      yield* sys.close(fence);
      return { status, unmap, close: errnoOf(yield* sys.close(fd)) };
    });
    const where = `seed ${seed}`;
    assert.deepEqual(r, { status: "ESRCH", unmap: "ok", close: "ok" }, where);
    assert.equal(s.shutdown(), 0, `${where}: leaks`);
    assert.deepEqual(sim.findings.map(findingSummary), [], where);
  }
});
