import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelAssertionError } from "./assert.js";
import type { Finding } from "./findings.js";
import { Mutex, mutexDestroy, mutexLock, mutexUnlock } from "./mutex.js";
import { Sim } from "./sim.js";
import { RandomStrategy } from "./strategy.js";
import { sleepTicks, step, type Task } from "./task.js";

const tasksCount = 4;
const incrementsPerTask = 5;

/**
 * Increments a shared counter non-atomically: read, yield to the scheduler, write back.
 * Returns the final counter and the most tasks ever inside the section at once.
 */
function runCounter(seed: number, locked: boolean): { counter: number; insideMax: number } {
  const sim = new Sim({ seed, strategy: new RandomStrategy(seed) });
  const m = new Mutex(sim, "counter_lock");
  let counter = 0;
  let inside = 0;
  let insideMax = 0;
  for (let t = 0; t < tasksCount; t++) {
    sim.spawn(`inc${t}`, (function* (): Task<void> {
      for (let i = 0; i < incrementsPerTask; i++) {
        if (locked) yield* mutexLock(m);
        inside++;
        insideMax = Math.max(insideMax, inside);
        const read = counter;
        yield step("counter_read");
        counter = read + 1;
        inside--;
        if (locked) yield* mutexUnlock(m);
        yield step("between");
      }
    })());
  }
  const outcome = sim.run();
  assert.equal(outcome.kind, "quiescent", `seed ${seed}`);
  assert.deepEqual(sim.findings, [], `seed ${seed}`);
  return { counter, insideMax };
}

test("mutexLock() gives mutual exclusion: no increment is lost under random schedules", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const { counter, insideMax } = runCounter(seed, true);
    assert.equal(counter, tasksCount * incrementsPerTask, `seed ${seed}`);
    assert.equal(insideMax, 1, `seed ${seed}`);
  }
});

test("mutexLock() is what prevents lost increments: without it some schedule loses one", () => {
  // The control run shows that the schedules above do interleave inside the section.
  const lossy = Array.from({ length: 60 }, (_, i) => runCounter(i + 1, false)).filter((r) => r.counter < tasksCount * incrementsPerTask);
  assert.ok(lossy.length > 0);
});

test("mutexLock() blocks a second task until the owner unlocks", () => {
  const sim = new Sim({ seed: 1 });
  const m = new Mutex(sim, "lock");
  const events: string[] = [];
  sim.spawn("owner", (function* () {
    yield* mutexLock(m);
    events.push(`owner locked@${sim.now}`);
    yield sleepTicks(100);
    events.push(`owner unlocks@${sim.now}`);
    yield* mutexUnlock(m);
  })());
  sim.spawn("contender", (function* () {
    yield sleepTicks(10);
    yield* mutexLock(m);
    events.push(`contender locked@${sim.now}`);
    yield* mutexUnlock(m);
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(events, ["owner locked@1", "owner unlocks@101", "contender locked@103"]);
  assert.equal(sim.trace.events.filter((e) => e.t === "block").length, 1, "the contender blocked once");
  assert.equal(m.owner, null);
});

test("mutexLock() reports who holds the lock in the block reason", () => {
  const sim = new Sim({ seed: 1 });
  const m = new Mutex(sim, "dev_lock");
  sim.spawn("holder", (function* () {
    yield* mutexLock(m);
    yield step("never_unlocks");
  })());
  sim.spawn("waiter", mutexLock(m));
  const outcome = sim.run();
  assert.equal(outcome.kind, "deadlock");
  assert.ok(outcome.kind === "deadlock");
  assert.deepEqual(outcome.waiters.map((w) => [w.task, w.reason]), [["waiter", "mutex dev_lock (held by holder)"]]);
});

test("mutexLock() of a mutex the task already holds throws ModelAssertionError", () => {
  const sim = new Sim({ seed: 1 });
  const m = new Mutex(sim, "lock");
  assert.throws(
    () => sim.runTask("t", (function* () {
      yield* mutexLock(m);
      yield* mutexLock(m);
    })()),
    (e: unknown) => e instanceof ModelAssertionError && /recursive locking by t/.test(e.message),
  );
});

test("mutexUnlock() by a task that does not hold the mutex throws ModelAssertionError", () => {
  const sim = new Sim({ seed: 1 });
  const m = new Mutex(sim, "lock");
  assert.throws(() => mutexUnlock(m).next(), ModelAssertionError);
  sim.spawn("holder", (function* () {
    yield* mutexLock(m);
    yield step("hold");
  })());
  sim.spawn("thief", (function* () {
    yield step("wait_turn");
    yield* mutexUnlock(m);
  })());
  assert.throws(() => sim.run(), ModelAssertionError);
});

test("mutexLock() after mutexDestroy() reports a warn finding", () => {
  const sim = new Sim({ seed: 1 });
  const m = new Mutex(sim, "gone");
  mutexDestroy(m);
  assert.equal(sim.findings.length, 0);
  sim.runTask("t", (function* () {
    yield* mutexLock(m);
    yield* mutexUnlock(m);
  })());
  const warns = sim.findings.filter((f): f is Extract<Finding, { kind: "warn" }> => f.kind === "warn");
  assert.equal(warns.length, 1);
  assert.match(warns[0]?.message ?? "", /mutex gone locked after mutex_destroy\(\)/);
  assert.deepEqual([warns[0]?.site.task, warns[0]?.site.fn], ["t", "mutex_lock"]);
});

test("mutexDestroy() of a held mutex reports a warn finding naming the holder", () => {
  const sim = new Sim({ seed: 1 });
  const m = new Mutex(sim, "busy");
  sim.runTask("holder", (function* () {
    yield* mutexLock(m);
    mutexDestroy(m);
  })());
  assert.deepEqual(sim.findings.map((f) => (f.kind === "warn" ? f.message : f.kind)), ["DEBUG_LOCKS_WARN_ON: mutex busy destroyed while held by holder"]);
});

test("mutexLock() of a mutex inside freed memory reports use-after-free", () => {
  const sim = new Sim({ seed: 1 });
  const container = { mem: sim.alloc("drm_device") };
  const m = new Mutex(sim, "master_mutex", container);
  sim.free(container.mem);
  sim.runTask("t", (function* () {
    yield* mutexLock(m);
    yield* mutexUnlock(m);
  })());
  assert.deepEqual(sim.findings.map((f) => (f.kind === "use-after-free" ? `${f.mode} in ${f.access.fn}` : f.kind)), ["write in mutex_lock", "write in mutex_unlock"]);
});

test("mutexLock() after mutexDestroy() warns once per mutex", () => {
  const sim = new Sim({ seed: 1 });
  const mutexes = [new Mutex(sim, "a"), new Mutex(sim, "b")];
  for (const m of mutexes) mutexDestroy(m);
  sim.runTask("t", (function* () {
    for (let i = 0; i < 2; i++) {
      for (const m of mutexes) {
        yield* mutexLock(m);
        yield* mutexUnlock(m);
      }
    }
  })());
  assert.deepEqual(sim.findings.map((f) => (f.kind === "warn" ? f.message : f.kind)), [
    "DEBUG_LOCKS_WARN_ON: mutex a locked after mutex_destroy()",
    "DEBUG_LOCKS_WARN_ON: mutex b locked after mutex_destroy()",
  ]);
});

test("mutexUnlock() by a task that does not hold the mutex names the mutex", () => {
  const sim = new Sim({ seed: 1 });
  const m = new Mutex(sim, "lock");
  assert.throws(() => sim.runTask("t", mutexUnlock(m)), { message: "Cannot unlock mutex lock: not held by the caller" });
});
