/**
 * The end-of-run check for interruptible sleeps nothing can end (never_woken.ts): what the
 * Sim reports, and what the run returns, for a task asleep on a queue whose owner says so.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findingSummary } from "./findings.js";
import { Sim } from "./sim.js";
import { step, type Task } from "./task.js";
import { WaitQueue, waitEvent, waitEventInterruptible } from "./wait_queue.js";

function* reader(wq: WaitQueue): Task<void> {
  yield step("reader");
  yield* waitEventInterruptible(wq, "the owner's event", () => false);
}

test("an interruptible sleep on a queue its owner calls dead is a wait-never-woken, once, with the task's call", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "q");
  let owner: string | null = null;
  wq.neverWoken = () => owner;
  const task = sim.spawn("app", reader(wq), { kind: "user" });
  task.callInProgress = () => "read(3, 4096)";
  assert.equal(sim.run().kind, "quiescent", "the owner may still wake it: the program's business");
  assert.deepEqual(sim.findings, []);
  owner = "the device is gone";
  const r = sim.run();
  assert.equal(r.kind, "deadlock");
  assert.deepEqual(sim.findings.map(findingSummary), [
    "hang: app sleeps for ever in read(3, 4096) on the owner's event: the device is gone",
  ]);
  sim.run();
  assert.equal(sim.findings.length, 1, "reported once for the same sleep");
});

test("a daemon and an uninterruptible sleep are not asked (the latter is a `hang`)", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "q");
  let asked = 0;
  wq.neverWoken = () => {
    asked++;
    return "gone";
  };
  sim.spawn("daemon", reader(wq), { daemon: true });
  sim.spawn("stuck", (function* () {
    yield step("stuck");
    yield* waitEvent(wq, "a completion", () => false);
  })());
  assert.equal(sim.run().kind, "deadlock");
  assert.deepEqual(sim.findings.map((f) => f.kind), ["hang"], "only the uninterruptible sleep");
  assert.equal(asked, 0);
});
