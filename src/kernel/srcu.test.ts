import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelAssertionError } from "./assert.js";
import { Sim } from "./sim.js";
import { SrcuStruct, srcuReadLock, srcuReadUnlock, synchronizeSrcu, type SrcuToken } from "./srcu.js";
import { sleepTicks, step, type Task } from "./task.js";

/** Enters the read section after `enterAtTicks` and leaves it `holdTicks` later (each a step). */
function* reader(sim: Sim, srcu: SrcuStruct, log: string[], name: string, enterAtTicks: number, holdTicks: number): Task<void> {
  yield sleepTicks(enterAtTicks, step("srcu_read_lock", [], [srcu]));
  const token = srcuReadLock(srcu);
  log.push(`${name} enters@${sim.now}`);
  yield sleepTicks(holdTicks, step("srcu_read_unlock", [], [srcu]));
  log.push(`${name} leaves@${sim.now}`);
  srcuReadUnlock(srcu, token);
}

function* syncer(sim: Sim, srcu: SrcuStruct, log: string[], startAtTicks: number): Task<void> {
  yield sleepTicks(startAtTicks);
  log.push(`sync starts@${sim.now}`);
  yield* synchronizeSrcu(srcu);
  log.push(`sync done@${sim.now} with ${srcu.readerCount} readers inside`);
}

test("synchronizeSrcu() without readers returns after its own step", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "drm_unplug_srcu");
  sim.runTask("sync", synchronizeSrcu(srcu));
  assert.equal(sim.now, 1);
  assert.equal(sim.trace.events.filter((e) => e.t === "block").length, 0);
});

test("synchronizeSrcu() waits for a reader that entered before it", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "drm_unplug_srcu");
  const log: string[] = [];
  sim.spawn("reader", reader(sim, srcu, log, "reader", 0, 50));
  sim.spawn("sync", syncer(sim, srcu, log, 10));
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(log, ["reader enters@1", "sync starts@11", "reader leaves@52", "sync done@53 with 0 readers inside"]);
  const block = sim.trace.events.find((e) => e.t === "block");
  assert.ok(block !== undefined && block.t === "block");
  assert.equal(block.reason, "synchronize_srcu(drm_unplug_srcu) waiting for readers reader");
});

test("synchronizeSrcu() does not wait for a reader that entered after it started", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "drm_unplug_srcu");
  const log: string[] = [];
  // early enters at 0 and leaves at 50; sync starts at 10; late enters at 20 and stays until
  // 1020 (each plus the ticks of the steps before it).
  sim.spawn("early", reader(sim, srcu, log, "early", 0, 50));
  sim.spawn("sync", syncer(sim, srcu, log, 10));
  sim.spawn("late", reader(sim, srcu, log, "late", 20, 1000));
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(log, [
    "early enters@1",
    "sync starts@11",
    "late enters@22",
    "early leaves@52",
    "sync done@53 with 1 readers inside",
    "late leaves@1023",
  ]);
});

test("synchronizeSrcu() waits for every reader that was inside when it started", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "drm_unplug_srcu");
  const log: string[] = [];
  sim.spawn("short", reader(sim, srcu, log, "short", 0, 30));
  sim.spawn("long", reader(sim, srcu, log, "long", 0, 80));
  sim.spawn("sync", syncer(sim, srcu, log, 10));
  assert.equal(sim.run().kind, "quiescent");
  assert.equal(log.at(-1), "sync done@84 with 0 readers inside");
});

test("synchronizeSrcu() inside its own read section warns and hangs", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "drm_unplug_srcu");
  sim.spawn("self_deadlock", (function* () {
    yield step("srcu_read_lock", [], [srcu]);
    const token = srcuReadLock(srcu);
    yield* synchronizeSrcu(srcu);
    srcuReadUnlock(srcu, token);
  })());
  const outcome = sim.run();
  assert.equal(outcome.kind, "deadlock");
  assert.deepEqual(sim.findings.map((f) => f.kind), ["warn", "hang"]);
  const [warn, hang] = sim.findings;
  assert.ok(warn?.kind === "warn");
  assert.match(warn.message, /synchronize_srcu\(drm_unplug_srcu\) called inside its own read-side critical section/);
  assert.equal(warn.site.task, "self_deadlock");
  assert.ok(hang?.kind === "hang");
  assert.deepEqual(hang.waiters.map((w) => w.task), ["self_deadlock"]);
  assert.match(hang.waiters[0]?.reason ?? "", /synchronize_srcu\(drm_unplug_srcu\)/);
});

test("srcuReadUnlock() of a token not held throws ModelAssertionError", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "s");
  const token = srcuReadLock(srcu);
  srcuReadUnlock(srcu, token);
  assert.throws(() => srcuReadUnlock(srcu, token), ModelAssertionError);
});

test("srcuReadUnlock() of a token not held throws even while another reader is inside, and keeps that reader", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "s");
  srcuReadLock(srcu);
  assert.throws(() => srcuReadUnlock(srcu, 99 as SrcuToken), { message: "Cannot srcu_read_unlock s: token 99 is not held" });
  assert.equal(srcu.readerCount, 1);
});

test("an SRCU domain is static memory named after it, and its sim, name and wait queue are fixed fields", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  const srcu = new SrcuStruct(sim, "drm_unplug_srcu");
  assert.deepEqual([srcu.mem.type, srcu.mem.kind, srcu.mem.label, srcu.mem.persistent], ["srcu_struct", "static", "drm_unplug_srcu", true]);
  sim.runTask("t", (function* (): Task<void> {
    yield step("declares_nothing");
    void [srcu.sim, srcu.name, srcu.wq];
  })());
  assert.deepEqual(sim.findings, []);
  assert.equal(sim.reportLeaks(), 0);
});

test("synchronizeSrcu() is a synchronize_srcu step, again at each wake-up, and names the readers it waits for", () => {
  const sim = new Sim({ seed: 1 });
  const srcu = new SrcuStruct(sim, "s");
  const log: string[] = [];
  const setupToken = srcuReadLock(srcu); // a reader outside any task: no name
  sim.spawn("a", reader(sim, srcu, log, "a", 0, 20));
  sim.spawn("b", reader(sim, srcu, log, "b", 0, 30));
  sim.spawn("sync", syncer(sim, srcu, log, 5));
  sim.spawn("setup", (function* (): Task<void> {
    yield sleepTicks(10, step("srcu_read_unlock", [], [srcu]));
    srcuReadUnlock(srcu, setupToken);
  })());
  assert.equal(sim.run().kind, "quiescent");
  const blocks = sim.trace.events.flatMap((e) => (e.t === "block" ? [e.reason] : []));
  // It blocks again after each of the first two readers leaves; the third leaving ends it.
  assert.deepEqual(blocks, Array(3).fill("synchronize_srcu(s) waiting for readers ?, a, b"));
  const syncSteps = sim.trace.events.filter((e) => e.t === "step" && e.fn === "synchronize_srcu" && e.task === 3);
  assert.equal(syncSteps.length, 4, "the first step and one per reader leaving");
  assert.match(log.at(-2) ?? "", /^b leaves@/);
  assert.match(log.at(-1) ?? "", /^sync done@\d+ with 0 readers inside$/);
});

test("synchronizeSrcu() inside its own read section warns once per domain", () => {
  const sim = new Sim({ seed: 1 });
  for (const name of ["s1", "s2"]) {
    const srcu = new SrcuStruct(sim, name);
    sim.spawn(`self-${name}`, (function* (): Task<void> {
      yield step("srcu_read_lock", [], [srcu]);
      srcuReadLock(srcu);
      yield* synchronizeSrcu(srcu);
    })());
  }
  sim.run();
  const warns = sim.findings.flatMap((f) => (f.kind === "warn" ? [f.message] : []));
  assert.deepEqual(warns, [
    "synchronize_srcu(s1) called inside its own read-side critical section",
    "synchronize_srcu(s2) called inside its own read-side critical section",
  ]);
});
