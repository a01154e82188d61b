/**
 * Unplug during a submit storm: a program keeps submitting jobs to both engines while another
 * waits (SYNCOBJ_WAIT, no time limit) on the last one; the device is removed. Whatever the
 * schedule, the waiter returns, every fence it can see is signalled, with ECANCELED for the
 * work cancelled on the hardware and ESRCH for work still queued (both ENODEV under uapi-doc:
 * every job that can no longer run, R55, D5),
 * the next submission fails with ENODEV, and nothing hangs, leaks or touches undeclared state.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findingSummary, ticksFromMs } from "../kernel/mod.js";
import { DRM_IOCTL_VTEST_JOB, type Call, type Fd, type Syscalls } from "../uapi/mod.js";
import { errnoOf, pciRemove } from "./_testing.js";
import {
  exportSyncFile,
  FOREVER_NS,
  openRender,
  submit,
  submitOk,
  syncFileStatus,
  syncobj,
  vtestSession,
  waitAll,
} from "./_test_sched.js";

const JOBS = 24;

interface Storm {
  syncFiles: Fd[];
  afterUnplug: string;
  statuses: string[];
  waited: string;
}

/** Submits JOBS jobs, each with its out-fence exported as a sync_file; later, one more. */
function* storm(sys: Syscalls, fd: Fd, out: Storm): Call<void> {
  const handles: number[] = [];
  for (let i = 0; i < JOBS; i++) handles.push(yield* syncobj(sys, fd));
  for (const [i, h] of handles.entries()) {
    const prev = i >= 2 ? handles[i - 2]! : 0; // each job waits for the one two before
    yield* submitOk(sys, fd, { engine: i % 2, ms: 30, in: prev, out: h });
    out.syncFiles.push(yield* exportSyncFile(sys, fd, h));
  }
  yield* sys.sleep(200);
  out.afterUnplug = errnoOf(yield* submit(sys, fd, { ms: 1 }));
}

for (const profile of ["mainline", "uapi-doc"] as const) {
  test(`unplug during a submit storm (${profile}): waiters return, fences signal with errors`, () => {
    for (let seed = 1; seed <= 6; seed++) {
      const s = vtestSession({ seed, schedule: "random", profile });
      const sim = s.world.sim;
      const out: Storm = { syncFiles: [], afterUnplug: "none", statuses: [], waited: "" };
      const fd = s.run(openRender);
      sim.spawn("storm", storm(s.sys, fd, out) as never, { kind: "user" });
      sim.spawn("admin", (function* (): Call<void> {
        yield* s.sys.sleep(100);
        yield* pciRemove(s.sys);
      })() as never, { kind: "user" });
      s.run(function* (sys) {
        yield* sys.sleep(50);
        out.waited = yield* waitAll(sys, fd, [JOBS]);
        yield* sys.sleep(300);
        for (const sf of out.syncFiles) out.statuses.push(yield* syncFileStatus(sys, sf));
        for (const sf of out.syncFiles) yield* sys.close(sf);
      });
      const where = `seed ${seed}`;
      assert.equal(out.afterUnplug, "ENODEV", `${where}: a submission after the removal`);
      assert.equal(out.waited, "ok", `${where}: the wait returned`);
      assert.equal(out.statuses.length, JOBS);
      const errors = profile === "mainline" ? ["ECANCELED", "ESRCH"] : ["ENODEV"];
      const seen = out.statuses.join(" ");
      const odd = out.statuses.filter((st) => !["signaled", ...errors].includes(st));
      assert.deepEqual(odd, [], `${where}: ${seen}`);
      for (const st of ["signaled", ...errors]) assert.ok(seen.includes(st), `${where}: ${seen}`);
      const r = s.run((sys) => sys.close(fd));
      assert.equal(errnoOf(r), "ok");
      assert.equal(s.shutdown(), 0, `${where}: leaks`);
      assert.deepEqual(sim.findings.map(findingSummary), [], where);
    }
  });
}

test("a VTEST_JOB cancelled at unplug before its timer ever ran: remove returns at once, ECANCELED", () => {
  // FIFO: the program runs on from the ioctl to the removal, so the job's timer task has not
  // run a step yet when remove() cancels it (its hrtimer is armed, not yet fired).
  const s = vtestSession();
  const sim = s.world.sim;
  const out = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    const h = yield* syncobj(sys, fd);
    const r = yield* sys.ioctl(fd, DRM_IOCTL_VTEST_JOB, { duration_ns: FOREVER_NS, out_syncobj: h });
    assert.ok(r.ok, `VTEST_JOB: ${r.ok ? "" : r.errno}`);
    const syncFile = yield* exportSyncFile(sys, fd, h);
    const before = sim.now;
    yield* pciRemove(sys);
    const removeTicks = sim.now - before;
    return { removeTicks, status: yield* syncFileStatus(sys, syncFile) };
  });
  assert.equal(out.status, "ECANCELED");
  assert.ok(out.removeTicks < ticksFromMs(1), `remove took ${out.removeTicks} ticks, not a few steps`);
  assert.equal(s.shutdown(), 0, "leaks");
  assert.deepEqual(sim.findings.map(findingSummary), []);
});
