/**
 * The GPU scheduler as a program sees it through vtest's DRM_IOCTL_VTEST_SUBMIT: jobs of one
 * engine run in order, a job waits for its in-fence, the fence status of each out-syncobj's
 * fence (through a sync_file) tells how the job ended.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findingSummary } from "../kernel/mod.js";
import { VTEST_ENGINE_COUNT } from "../uapi/mod.js";
import { errnoOf } from "./_testing.js";
import {
  fenceStatus,
  openRender,
  submit,
  submitOk,
  syncobj,
  vtestSession,
  waitAll,
} from "./_test_sched.js";

test("jobs on one engine finish in submission order, each signalled without error", () => {
  const s = vtestSession();
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    const outs = [yield* syncobj(sys, fd), yield* syncobj(sys, fd), yield* syncobj(sys, fd)];
    const seqnos: number[] = [];
    for (const out of outs) seqnos.push(yield* submitOk(sys, fd, { ms: 3, out }));
    const first = yield* waitAll(sys, fd, [outs[0]!]);
    const after = [];
    for (const h of outs) after.push(yield* fenceStatus(sys, fd, h));
    const all = yield* waitAll(sys, fd, outs);
    const end = [];
    for (const h of outs) end.push(yield* fenceStatus(sys, fd, h));
    yield* sys.close(fd);
    return { seqnos, first, after, all, end };
  });
  assert.deepEqual(r, {
    seqnos: [1, 2, 3],
    first: "ok",
    after: ["signaled", "active", "active"],
    all: "ok",
    end: ["signaled", "signaled", "signaled"],
  });
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
});

test("a job waits for its in-fence: it runs only once the job it depends on (another engine) is done", () => {
  const s = vtestSession();
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    const a = yield* syncobj(sys, fd);
    const b = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, ms: 20, out: a });
    yield* submitOk(sys, fd, { engine: 1, ms: 1, in: a, out: b });
    yield* sys.sleep(5); // engine 1 is idle, but b's job waits for a
    const early = [yield* fenceStatus(sys, fd, a), yield* fenceStatus(sys, fd, b)];
    const waited = yield* waitAll(sys, fd, [b]);
    const late = [yield* fenceStatus(sys, fd, a), yield* fenceStatus(sys, fd, b)];
    yield* sys.close(fd);
    return { early, waited, late };
  });
  assert.deepEqual(r, {
    early: ["active", "active"],
    waited: "ok",
    late: ["signaled", "signaled"],
  });
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
});

test("bad submissions: engine, flags and length are EINVAL, unknown handles ENOENT", () => {
  const s = vtestSession();
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    const empty = yield* syncobj(sys, fd);
    const errno = function* (args: Parameters<typeof submit>[2]) {
      return errnoOf(yield* submit(sys, fd, args));
    };
    const out = {
      engine: yield* errno({ engine: VTEST_ENGINE_COUNT }),
      flags: yield* errno({ flags: 4 }),
      spinWithoutBatch: yield* errno({ spin: true }),
      spinAndHang: yield* errno({ spin: true, hang: true, batch: 1 }),
      batchMissing: yield* errno({ batch: 9 }),
      hour: yield* errno({ ms: 3_600_001 }),
      inMissing: yield* errno({ in: 9 }),
      outMissing: yield* errno({ out: 9 }),
      inWithoutFence: yield* errno({ in: empty }),
    };
    yield* sys.close(fd);
    return out;
  });
  assert.deepEqual(r, {
    engine: "EINVAL",
    flags: "EINVAL",
    spinWithoutBatch: "EINVAL",
    spinAndHang: "EINVAL",
    batchMissing: "ENOENT",
    hour: "EINVAL",
    inMissing: "ENOENT",
    outMissing: "ENOENT",
    inWithoutFence: "EINVAL",
  });
  assert.equal(s.shutdown(), 0);
});
