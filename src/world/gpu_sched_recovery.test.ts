/**
 * The scheduler's recovery paths as programs see them: a hung job times out, the engine is
 * reset, the hung job's fence ends with ETIME and the jobs behind it run after the reset; a
 * process that exits with jobs still queued (waiting for their in-fence) has them killed, and a
 * sync_file of such a job, held by another process, reports ESRCH (R58).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fget, Process } from "../base/mod.js";
import { findingSummary, step, ticksFromMs, type Task } from "../kernel/mod.js";
import type { Call, Fd, Syscalls } from "../uapi/mod.js";
import {
  exportSyncFile,
  fenceStatus,
  openRender,
  submitOk,
  syncFileStatus,
  syncobj,
  vtestSession,
  waitAll,
} from "./_test_sched.js";

const TIMEOUT_TICKS = ticksFromMs(500); // VTEST_JOB_TIMEOUT_MS

test("a hung job times out: ETIME for it, the engine is reset, the job behind it completes", () => {
  const s = vtestSession();
  const sim = s.world.sim;
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    const hung = yield* syncobj(sys, fd);
    const next = yield* syncobj(sys, fd);
    const other = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, hang: true, out: hung });
    yield* submitOk(sys, fd, { engine: 0, ms: 2, out: next });
    yield* submitOk(sys, fd, { engine: 1, ms: 2, out: other });
    const start = sim.now;
    const waited = yield* waitAll(sys, fd, [hung, next, other]);
    const took = sim.now - start;
    const status = [hung, next, other].map(() => "");
    for (const [i, h] of [hung, next, other].entries()) status[i] = yield* fenceStatus(sys, fd, h);
    yield* sys.close(fd);
    return { waited, status, took };
  });
  assert.equal(r.waited, "ok");
  assert.deepEqual(r.status, ["ETIME", "signaled", "signaled"]);
  assert.ok(r.took >= TIMEOUT_TICKS, `the wait ended after the timeout (${r.took} ticks)`);
  assert.ok(r.took < 2 * TIMEOUT_TICKS, `and not much later (${r.took} ticks)`);
  assert.ok(sim.kmsg.some((l) => l.includes("card0-ring0: job timed out, resetting the engine")));
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(sim.findings.map(findingSummary), []);
});

test("jobs still queued when their process exits end with ESRCH; the jobs on the hardware finish", () => {
  const s = vtestSession();
  const sim = s.world.sim;
  const peer = new Process(s.world.kernel, "peer");
  // Three 400 ms jobs on engine 1 (done at 1.2 s); the job on engine 0 waits for the last one,
  // longer than the 1 s an exiting process's entity is given to drain.
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    const chain = [yield* syncobj(sys, fd), yield* syncobj(sys, fd), yield* syncobj(sys, fd)];
    for (const out of chain) yield* submitOk(sys, fd, { engine: 1, ms: 400, out });
    const queued = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, ms: 1, in: chain[2]!, out: queued });
    const sent = [yield* exportSyncFile(sys, fd, chain[0]!), yield* exportSyncFile(sys, fd, queued)];
    const passed = yield* passFds(sys, peer, sent);
    const exitStart = sim.now;
    yield* sys.exit();
    return { passed, exitTook: sim.now - exitStart };
  });
  const status = sim.runTask("peer", statusAll(peer, r.passed) as Task<string[]>, { kind: "user" });
  assert.deepEqual(status, ["signaled", "ESRCH"]);
  const drain = ticksFromMs(1000); // MAX_WAIT_SCHED_ENTITY_Q_EMPTY
  assert.ok(r.exitTook >= drain, `exit gave the entity time to drain (${r.exitTook})`);
  assert.ok(r.exitTook < ticksFromMs(1200), `but not until the dependency signalled`);
  sim.runTask("peer exit", peer.exit());
  assert.equal(s.world.shutdownSync(), 0);
  assert.deepEqual(sim.findings.map(findingSummary), []);
});

/** The status of each sync_file, which is then closed. */
function* statusAll(sys: Syscalls, fds: Fd[]): Call<string[]> {
  const out = [];
  for (const fd of fds) out.push(yield* syncFileStatus(sys, fd));
  for (const fd of fds) yield* sys.close(fd);
  return out;
}

/** The files behind `fds` go to `peer` too, as over a unix socket (SCM_RIGHTS). */
function* passFds(sys: Process, peer: Process, fds: Fd[]): Task<Fd[]> {
  const files = fds.map((fd) => sys.fds.get(fd)!);
  yield step("scm_rights", [], files);
  return files.map((f) => {
    fget(f);
    return peer.fdInstall(f, false);
  });
}
