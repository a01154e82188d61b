/**
 * The GPU scheduler as a driver sees it: which job it hands to run_job and when (oldest first
 * across entities, within the credits, after the dependencies), how a job's finished fence ends
 * (the hardware fence's error, ESRCH when killed, the driver's cancel at fini), timeouts and
 * the recovery helpers, stopping and starting, and the WARN of a fini that leaves jobs behind.
 *
 * @see drivers/gpu/drm/scheduler/sched_main.c, sched_entity.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dmaFenceSetError, dmaFenceSignal, fenceName } from "../base/mod.js";
import { sleepTicks } from "../kernel/mod.js";
import { errnoValue } from "../uapi/mod.js";
import { SchedRig } from "./_test_gpu_sched.js";
import {
  drmSchedEntityDestroy,
  drmSchedEntityKill,
  MAX_WAIT_SCHED_ENTITY_Q_EMPTY_TICKS,
  type DrmSchedEntity,
} from "./sched_entity.js";
import { drmSchedFenceFinished } from "./sched_fence.js";
import { drmSchedFini, drmSchedWqueueStart, drmSchedWqueueStop } from "./sched_fini.js";
import { drmSchedResubmitJobs, drmSchedStart, drmSchedStop } from "./sched_recovery.js";

describe("which job runs when", () => {
  test("the oldest ready job of any entity runs first, one at a time with one credit", () => {
    const rig = new SchedRig({ creditLimit: 1 });
    const [e1, e2] = [rig.entity("e1"), rig.entity("e2")];
    rig.at(0, function* () {
      yield* rig.submit(e2, "x");
      yield* rig.submit(e1, "y");
      yield* rig.submit(e2, "z");
    });
    rig.at(100, () => rig.complete("x"));
    rig.at(200, () => rig.complete("y", "EIO"));
    rig.at(300, () => rig.complete("z"));
    rig.settle();
    assert.deepEqual(rig.log, ["run x", "done x", "run y", "done y EIO", "run z", "done z"]);
    assert.deepEqual(rig.statuses(), ["x:signaled", "y:EIO", "z:signaled"]);
    // Each entity numbers its jobs from 1 on its finished timeline, the context after its
    // scheduled one; the fences are drm_sched's, on the scheduler's timeline.
    const name = (n: string) => fenceName(rig.finishedOf(n));
    const ctx = (e: DrmSchedEntity) => e.fenceContext + 1n;
    assert.deepEqual(
      ["x", "y", "z"].map(name),
      [`drm_sched:testring:${ctx(e2)}:1`, `drm_sched:testring:${ctx(e1)}:1`, `drm_sched:testring:${ctx(e2)}:2`],
    );
    assert.equal(fenceName(rig.scheduled.get("x")!), `drm_sched:testring:${e2.fenceContext}:1`);
    assert.equal(rig.finish([e1, e2]), 0);
  });

  test("a job is taken only while the engine has its credits; one larger than the limit runs alone", () => {
    const rig = new SchedRig({ creditLimit: 2 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a", { credits: 1 });
      yield* rig.submit(e, "b", { credits: 2 });
      yield* rig.submit(e, "c", { credits: 5 });
      yield* rig.submit(e, "d", { credits: 1 });
    });
    rig.at(100, () => rig.complete("a"));
    rig.at(200, () => rig.complete("b"));
    rig.at(300, () => rig.complete("c"));
    rig.at(400, () => rig.complete("d"));
    rig.settle();
    assert.deepEqual(rig.log, [
      "run a", "done a", "run b", "done b", "run c", "done c", "run d", "done d",
    ]);
    assert.deepEqual(rig.statuses(), ["a:signaled", "b:signaled", "c:signaled", "d:signaled"]);
    assert.equal(rig.finish([e]), 0);
  });

  test("two one-credit jobs share a two-credit engine; the third waits for the first to finish", () => {
    const rig = new SchedRig({ creditLimit: 2 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      for (const n of ["a", "b", "c"]) yield* rig.submit(e, n);
    });
    rig.at(100, () => rig.complete("b"));
    rig.at(150, () => rig.complete("a"));
    rig.at(200, () => rig.complete("c"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "run b", "done b", "run c", "done a", "done c"]);
    assert.equal(rig.finish([e]), 0);
  });

  test("a job runs once every dependency is signalled, whatever their order; a signalled one is not waited for", () => {
    const rig = new SchedRig();
    const e = rig.entity("e");
    const [f1, f2, done] = [rig.fence(), rig.fence(), rig.fence()];
    rig.at(0, () => {
      dmaFenceSignal(done);
    });
    rig.at(10, function* () {
      yield* rig.submit(e, "a", { deps: [f1, f2, done] });
    });
    rig.at(100, () => {
      rig.note("f2");
      dmaFenceSignal(f2);
    });
    rig.at(200, () => {
      rig.note("f1");
      dmaFenceSetError(f1, -errnoValue("EIO"));
      dmaFenceSignal(f1);
    });
    rig.at(300, () => rig.complete("a"));
    rig.settle();
    assert.deepEqual(rig.log, ["f2", "f1", "run a", "done a"], "it ran when the last dependency signalled");
    assert.deepEqual(rig.statuses(), ["a:signaled"], "a dependency's error is not the job's");
    assert.equal(rig.finish([e]), 0);
  });

  test("a dependency whose work is over signals when the scheduler looks at it; the next is waited for", () => {
    // `over` signals as the scheduler adds its callback, right after x was taken.
    const rig = new SchedRig();
    const e = rig.entity("e");
    const [over, pending] = [rig.fence(true), rig.fence()];
    rig.at(0, function* () {
      yield* rig.submit(e, "x");
      yield* rig.submit(e, "b", { deps: [over, pending] });
    });
    rig.at(100, () => rig.complete("x"));
    rig.at(200, () => {
      rig.note(`pending signals, over ${over.signaled ? "signalled" : "not signalled"}`);
      dmaFenceSignal(pending);
    });
    rig.at(300, () => rig.complete("b"));
    const alsoOver = rig.fence(true);
    rig.at(400, function* () {
      rig.note("submit c");
      yield* rig.submit(e, "c", { deps: [alsoOver] });
    });
    rig.at(500, () => rig.complete("c"));
    rig.settle();
    assert.deepEqual(rig.log, [
      "run x", "done x", "pending signals, over signalled", "run b", "done b", "submit c", "run c", "done c",
    ]);
    assert.equal(rig.finish([e]), 0);
  });

  test("a job waiting for a dependency stays waiting while other jobs come and go", () => {
    const rig = new SchedRig();
    const [e1, e2] = [rig.entity("e1"), rig.entity("e2")];
    const dep = rig.fence();
    rig.at(0, function* () {
      yield* rig.submit(e1, "waits", { deps: [dep] });
      yield* rig.submit(e2, "a");
      yield* rig.submit(e2, "b");
    });
    rig.at(100, () => rig.complete("a"));
    rig.at(200, () => rig.complete("b"));
    rig.at(300, () => {
      rig.note(`dep signals, ${dep.cbList.length} callback on it`);
      dmaFenceSignal(dep);
    });
    rig.at(400, () => rig.complete("waits"));
    rig.settle();
    assert.deepEqual(rig.log, [
      "run a", "run b", "done a", "done b", "dep signals, 1 callback on it", "run waits", "done waits",
    ], "one callback, however often the scheduler looked at the job");
    assert.deepEqual(dep.cbList, [], "nothing is left on the dependency");
    assert.equal(rig.finish([e1, e2]), 0);
  });

  test("a job waits for the finished fence of a job on another entity", () => {
    const rig = new SchedRig();
    const [e1, e2] = [rig.entity("e1"), rig.entity("e2")];
    rig.at(0, function* () {
      yield* rig.submit(e1, "first");
      yield* rig.submit(e2, "then", { after: ["first"] });
      yield* rig.submit(e2, "behind");
    });
    rig.at(500, () => rig.complete("first"));
    rig.at(600, () => rig.complete("then"));
    rig.at(700, () => rig.complete("behind"));
    rig.settle();
    assert.deepEqual(rig.log, ["run first", "done first", "run then", "run behind", "done then", "done behind"]);
    assert.equal(rig.finish([e1, e2]), 0);
  });

  test("run_job without a hardware fence: the job is done at once", () => {
    const rig = new SchedRig({ noHardware: ["a"] });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
      yield* rig.submit(e, "b");
    });
    rig.at(100, () => rig.complete("b"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "run b", "done b"]);
    assert.deepEqual(rig.statuses(), ["a:signaled", "b:signaled"]);
    assert.equal(rig.finish([e]), 0);
  });

  test("a job's end is reported once: ending its finished fence again changes nothing, and WARNs nothing", () => {
    const rig = new SchedRig();
    const e = rig.entity("e");
    rig.at(0, () => rig.submit(e, "a"));
    rig.at(100, () => rig.complete("a"));
    rig.at(200, () => {
      const fences = { scheduled: rig.scheduled.get("a")!, finished: rig.finishedOf("a") };
      drmSchedFenceFinished(fences, -errnoValue("ECANCELED"));
    });
    rig.settle();
    assert.deepEqual(rig.statuses(), ["a:signaled"]);
    assert.equal(rig.finish([e]), 0, "and no WARN (finish checks)");
  });

  test("while the work queue is stopped no job is taken; starting it takes them", () => {
    const rig = new SchedRig();
    const e = rig.entity("e");
    rig.at(0, function* () {
      drmSchedWqueueStop(rig.sched);
      yield* rig.submit(e, "a");
    });
    rig.at(100, () => {
      rig.note("start");
      drmSchedWqueueStart(rig.sched);
    });
    rig.at(200, () => rig.complete("a"));
    rig.settle();
    assert.deepEqual(rig.log, ["start", "run a", "done a"]);
    assert.equal(rig.finish([e]), 0);
  });
});

describe("timeouts", () => {
  test("a job on the hardware past the timeout goes to timedout_job; NO_HANG starts the timeout again", () => {
    const rig = new SchedRig({ timeoutTicks: 1000 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
    });
    rig.at(2500, () => rig.complete("a"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "timedout a", "timedout a", "done a"]);
    const run = rig.tickOf("run a");
    assert.ok(rig.tickOf("timedout a") - run >= 1000 && rig.tickOf("timedout a") - run < 1010);
    assert.ok(rig.tickOf("timedout a", 1) - run >= 2000 && rig.tickOf("timedout a", 1) - run < 2020);
    const f = rig.finishedOf("a");
    const line = `<3>[drm:drm_sched_job_timedout] *ERROR* testring timeout, fence ${f.context}:${f.seqno}`;
    assert.equal(rig.m.sim.kmsg.filter((l) => l === line).length, 2);
    assert.equal(rig.finish([e]), 0);
  });

  test("a timeout that passes while the work queue is stopped is handled once it is started", () => {
    const rig = new SchedRig({ timeoutTicks: 1000 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
    });
    rig.at(100, () => {
      rig.note("stop");
      drmSchedWqueueStop(rig.sched);
    });
    rig.at(1500, () => {
      rig.note("start");
      drmSchedWqueueStart(rig.sched);
    });
    rig.at(1600, () => rig.complete("a"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "stop", "start", "timedout a", "done a"]);
    assert.equal(rig.finish([e]), 0);
  });

  test("a handler that answers ENODEV does not start the timeout again", () => {
    const rig = new SchedRig({ timeoutTicks: 1000, timedout: function* () { return "ENODEV"; } });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
    });
    rig.at(3500, () => rig.complete("a"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "timedout a", "done a"]);
    assert.equal(rig.finish([e]), 0);
  });

  test("the timeout counts from the start of the oldest job, then from the end of the one before", () => {
    const rig = new SchedRig({ timeoutTicks: 1000 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
    });
    rig.at(300, function* () {
      yield* rig.submit(e, "b");
    });
    rig.at(800, () => rig.complete("a"));
    rig.at(1900, () => rig.complete("b"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "run b", "done a", "timedout b", "done b"]);
    const after = rig.tickOf("timedout b") - rig.tickOf("done a");
    assert.ok(after >= 1000 && after < 1010, `the timeout of b ran ${after} ticks after a was done`);
    assert.equal(rig.finish([e]), 0);
  });

  test("an engine reset: the guilty job ends with its error, the other pending job runs again", () => {
    // n has no hardware fence: done at once, it waits on the pending list behind a.
    const rig = new SchedRig({
      creditLimit: 2,
      noHardware: ["n"],
      timeoutTicks: 1000,
      timedout: function* (r, job) {
        const sched = r.sched;
        dmaFenceSetError(r.finishedOf(job.data), -errnoValue("ETIME"));
        drmSchedStop(sched);
        r.complete("a", "ETIME"); // the ring is force-completed: no callback is on it now
        r.complete("b", "ECANCELED");
        yield* drmSchedResubmitJobs(sched);
        yield r.step("test_reset");
        drmSchedStart(sched);
        return "RESET";
      },
    });
    const e = rig.entity("e");
    rig.at(0, function* () {
      for (const n of ["a", "n", "b", "c", "d"]) yield* rig.submit(e, n);
    });
    rig.at(1200, () => rig.complete("b"));
    rig.at(1300, () => rig.complete("c"));
    rig.at(1400, () => rig.complete("d"));
    rig.settle();
    assert.deepEqual(rig.log, [
      "run a", "run n", "run b", "timedout a", "done a ETIME", "done b ECANCELED", "run b", "run c",
      "done b", "run d", "done c", "done d",
    ], "b runs again; c takes a's credit, d waits for b's");
    assert.deepEqual(
      rig.statuses(),
      ["a:ETIME", "n:signaled", "b:signaled", "c:signaled", "d:signaled"],
    );
    assert.equal(rig.finish([e]), 0);
  });
});

describe("ending jobs that will not run", () => {
  test("killing an entity ends its queued jobs with ESRCH; the job on the hardware runs on", () => {
    const rig = new SchedRig({ creditLimit: 1 });
    const e = rig.entity("e");
    const dep = rig.fence();
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
      yield* rig.submit(e, "c", { deps: [dep] });
      yield* rig.submit(e, "b");
    });
    rig.at(50, function* () {
      rig.note("kill");
      yield* drmSchedEntityKill(e);
    });
    rig.at(100, () => rig.complete("a"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "kill", "done a"]);
    assert.deepEqual(rig.statuses(), ["a:signaled", "c:ESRCH", "b:ESRCH"]);
    assert.deepEqual(
      ["b", "c"].map((n) => rig.status(n, "scheduled")),
      ["signaled", "signaled"],
      "a killed job's scheduled fence signals too",
    );
    assert.deepEqual(dep.cbList, [], "the killed job left no callback on what it waited for");
    assert.equal(rig.finish([e]), 0);
  });

  test("a job pushed to a killed entity ends at once with ESRCH, and the kernel log says so", () => {
    const rig = new SchedRig();
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* drmSchedEntityKill(e);
      yield* rig.submit(e, "late");
    });
    rig.settle();
    assert.deepEqual(rig.log, []);
    assert.deepEqual(rig.statuses(), ["late:ESRCH"]);
    assert.ok(rig.m.sim.kmsg.includes("<3>[drm] *ERROR* Trying to push to a killed entity"));
    assert.equal(rig.finish([e]), 0);
  });

  test("destroying an entity waits until the scheduler took its queued jobs, not until they finish", () => {
    const rig = new SchedRig({ creditLimit: 1 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
      yield* rig.submit(e, "b");
    });
    rig.at(10, function* () {
      yield* drmSchedEntityDestroy(e);
      rig.note("destroyed");
    });
    rig.at(100, () => rig.complete("a"));
    rig.at(300, () => rig.complete("b"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "done a", "run b", "destroyed", "done b"], "it returned when b was taken");
    assert.deepEqual(rig.statuses(), ["a:signaled", "b:signaled"]);
    const reasons = rig.m.sim.trace.events.flatMap((ev) => (ev.t === "block" ? [ev.reason] : []));
    assert.ok(reasons.includes("drm_sched_entity_flush (testring)"), "what the destroyer waited in");
    assert.equal(rig.finish([]), 0);
  });

  test("a process that is not exiting waits in the flush as long as it takes, past a second", () => {
    const rig = new SchedRig({ creditLimit: 1, timeoutTicks: 10_000_000 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
      yield* rig.submit(e, "b");
    });
    rig.at(10, function* () {
      yield* drmSchedEntityDestroy(e);
      rig.note("destroyed");
    });
    rig.at(2 * MAX_WAIT_SCHED_ENTITY_Q_EMPTY_TICKS, () => rig.complete("a"));
    rig.at(3 * MAX_WAIT_SCHED_ENTITY_Q_EMPTY_TICKS, () => rig.complete("b"));
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "done a", "run b", "destroyed", "done b"]);
    assert.deepEqual(rig.statuses(), ["a:signaled", "b:signaled"], "b was not killed");
    assert.equal(rig.finish([]), 0);
  });

  test("drm_sched_fini() cancels the unfinished jobs, newest first, with cancel_job; nothing leaks", () => {
    const rig = new SchedRig({ cancel: true, creditLimit: 2 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      for (const n of ["a", "b", "c"]) yield* rig.submit(e, n);
    });
    rig.at(500, function* () {
      yield* drmSchedFini(rig.sched);
    });
    rig.settle();
    assert.deepEqual(rig.log, ["run a", "run b", "cancel b", "done b ECANCELED", "cancel a", "done a ECANCELED"]);
    assert.deepEqual(rig.statuses(), ["a:ECANCELED", "b:ECANCELED", "c:active"]);
    assert.deepEqual(rig.warnings(), []);
    assert.equal(rig.finish([e]), 0);
    assert.deepEqual(rig.statuses(), ["a:ECANCELED", "b:ECANCELED", "c:ESRCH"], "c is killed with e");
  });

  test("drm_sched_fini() waits for the scheduler's thread to leave the timeout handler", () => {
    const rig = new SchedRig({
      cancel: true,
      timeoutTicks: 1000,
      timedout: function* (r) {
        yield sleepTicks(500, r.step("test_timedout_job"));
        r.note("handler done");
        return "NO_HANG";
      },
    });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
    });
    rig.at(1200, function* () {
      rig.note("fini");
      yield* drmSchedFini(rig.sched);
      rig.note("fini done");
    });
    rig.settle();
    assert.deepEqual(rig.log, [
      "run a", "timedout a", "fini", "handler done", "cancel a", "done a ECANCELED", "fini done",
    ]);
    assert.equal(rig.finish([e]), 0);
  });

  test("drm_sched_fini() without cancel_job frees the finished jobs, WARNs and leaves the others", () => {
    const rig = new SchedRig({ creditLimit: 2 });
    const e = rig.entity("e");
    rig.at(0, function* () {
      yield* rig.submit(e, "a");
      yield* rig.submit(e, "b");
    });
    const jobs = () => rig.m.sim.liveAllocations().filter((a) => a.type === "drm_sched_job").length;
    rig.at(100, () => drmSchedWqueueStop(rig.sched));
    rig.at(200, () => rig.complete("a"));
    rig.at(300, () => rig.note(`${jobs()} jobs`));
    rig.at(500, function* () {
      yield* drmSchedFini(rig.sched);
      rig.note(`fini, ${jobs()} job`);
    });
    rig.settle();
    assert.deepEqual(rig.warnings(), [
      "drm_sched_fini: Tearing down scheduler testring while jobs are pending!",
    ]);
    assert.deepEqual(
      rig.log,
      ["run a", "run b", "done a", "2 jobs", "fini, 1 job"],
      "a stopped scheduler frees no job; fini freed a and left b",
    );
    rig.finish([e], ["drm_sched_fini: Tearing down scheduler testring while jobs are pending!"]);
    assert.deepEqual(
      rig.m.sim.liveAllocations().map((a) => a.type).sort(),
      ["dma_fence", "dma_fence", "dma_fence", "drm_sched_job"],
      "b, its two scheduler fences and its hardware fence leak",
    );
  });
});
