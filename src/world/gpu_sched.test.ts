/**
 * The GPU scheduler as a program sees it through vtest's DRM_IOCTL_VTEST_SUBMIT: jobs of one
 * engine run in order, a job waits for its in-fence, the fence status of each out-syncobj's
 * fence (through a sync_file) tells how the job ended.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findingSummary } from "../kernel/mod.js";
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
