/**
 * The footprint checker: what a step may touch is what it declared; everything else is an
 * `undeclared-access` finding naming the step, the object, the field and the access.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelAssertionError } from "./assert.js";
import type { Finding } from "./findings.js";
import { embeddedStruct, setUndeclaredAccessObserver, undeclaredAccessObserver } from "./footprint.js";
import { KObject, type KObjectTracker } from "./kobject.js";
import { Sim } from "./sim.js";
import { FifoStrategy, ReplayStrategy, type SchedulingStrategy } from "./strategy.js";
import { lookupStep, sleepTicks, step, type Task, type TaskView } from "./task.js";
import { WaitQueue, waitEvent } from "./wait_queue.js";
import { expectUndeclaredAccesses } from "./_test_footprints.js";

class Queue {
  readonly items: number[] = [];
}
embeddedStruct(Queue);

class Thing extends KObject {
  static readonly fixedFields = ["name"];
  count = 0;
  readonly table = new Map<number, string>();
  readonly queue = new Queue();
  other: Thing | null = null;
  constructor(sim: KObjectTracker & Sim, readonly name: string) {
    super(sim, sim.alloc("thing", { label: `thing ${name}` }));
  }
}

function undeclared(sim: Sim): Extract<Finding, { kind: "undeclared-access" }>[] {
  return sim.findings.filter((f): f is Extract<Finding, { kind: "undeclared-access" }> => f.kind === "undeclared-access");
}

/** A Sim with the checker on, whose undeclared accesses are what the test checks. */
function checkedSim(strategy: SchedulingStrategy = new FifoStrategy()): Sim {
  const sim = new Sim({ seed: 1, footprints: "check", strategy });
  expectUndeclaredAccesses(sim);
  return sim;
}

test("the undeclared-access observer hears each finding with the Sim that reported it", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  const heard: [unknown, string][] = [];
  const guard = undeclaredAccessObserver();
  setUndeclaredAccessObserver((sink, f) => heard.push([sink, f.kind]));
  try {
    sim.runTask("t", (function* (): Task<void> {
      yield step("nothing");
      a.count = 1;
    })());
  } finally {
    setUndeclaredAccessObserver(guard);
  }
  assert.deepEqual(heard, [[sim, "undeclared-access"]]);
  assert.deepEqual(undeclared(sim).length, 1);
});

test("a write to an object the step did not declare is an undeclared-access finding naming step, object and field", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  const b = new Thing(sim, "b");
  sim.runTask("t", (function* (): Task<void> {
    yield step("set_count", [], [a]);
    a.count = 1; // declared
    b.count = 2; // not declared
  })());
  const found = undeclared(sim);
  assert.equal(found.length, 1);
  assert.deepEqual(
    [found[0]?.step, found[0]?.object, found[0]?.field, found[0]?.mode, found[0]?.site.task],
    ["set_count", "thing b", "count", "write", "t"],
  );
});

test("a declared read covers reads but not writes; a declared write covers both", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  sim.runTask("t", (function* (): Task<void> {
    yield step("look", [a]);
    void a.count;
    yield step("look_and_touch", [a]);
    a.count++;
    yield step("touch", [], [a]);
    a.count++;
  })());
  assert.deepEqual(undeclared(sim).map((f) => `${f.step} ${f.mode} ${f.field}`), ["look_and_touch write count"]);
});

test("accesses inside a Map, an array or an embedded struct count as accesses of the object holding them", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  sim.runTask("t", (function* (): Task<void> {
    yield step("fill", [a]);
    a.table.set(1, "x");
    a.queue.items.push(7);
    void a.table.size;
  })());
  assert.deepEqual(undeclared(sim).map((f) => `${f.mode} ${f.field}`), ["write table.set()", "write queue.items[]", "write queue.items.length"]);
});

test("fixed fields are read freely, and writing one after construction is a model bug", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  assert.throws(
    () =>
      sim.runTask("t", (function* (): Task<void> {
        yield step("rename", [], []);
        void a.name; // fixed: not an access
        (a as { name: string }).name = "b";
      })()),
    (e: unknown) => e instanceof ModelAssertionError && /Cannot write name: it is a fixed field of thing a/.test(e.message),
  );
  assert.deepEqual(undeclared(sim), []);
});

test("what one step declared does not cover the next step, even for the object just touched", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  sim.runTask("t", (function* (): Task<void> {
    yield step("touch", [], [a]);
    a.count++;
    a.count++;
    yield step("other");
    void a.count;
    a.count = 0;
  })());
  assert.deepEqual(undeclared(sim).map((f) => `${f.step} ${f.mode} ${f.field}`), ["other read count", "other write count"]);
});

test("an object made in the running slice is free to touch; in the next slice it must be declared", () => {
  const sim = checkedSim();
  sim.runTask("t", (function* (): Task<void> {
    yield step("make");
    const fresh = new Thing(sim, "fresh");
    fresh.count = 1;
    yield step("later");
    fresh.count = 2;
  })());
  assert.deepEqual(undeclared(sim).map((f) => `${f.step} ${f.object}`), ["later thing fresh"]);
});

test("the work after a wake-up is covered by the block's resume step, and reported without one", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  const wq = new WaitQueue(sim, "wq");
  sim.spawn("with_resume", (function* (): Task<void> {
    yield step("wait", [a]);
    yield* waitEvent(wq, "count set", () => a.count > 0, null, step("wait", [a]));
  })());
  sim.spawn("without_resume", (function* (): Task<void> {
    yield step("wait2", [a]);
    yield* waitEvent(wq, "count set too", () => a.count > 0);
  })());
  sim.spawn("setter", (function* (): Task<void> {
    yield step("set", [], [a]);
    a.count = 1;
    wq.wakeUpAll();
  })());
  assert.equal(sim.run().kind, "quiescent");
  assert.deepEqual(undeclared(sim).map((f) => `${f.step} ${f.field} ${f.site.task}`), ["(no step, after block on count set too) count without_resume"]);
});

test("lookupStep() declares what the lookup finds in the state the step runs in", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  const b = new Thing(sim, "b");
  a.other = b;
  sim.runTask("t", (function* (): Task<void> {
    yield lookupStep("follow", () => ({ reads: [a], writes: a.other === null ? [] : [a.other] }));
    const target = a.other;
    if (target !== null) target.count = 5;
  })());
  assert.deepEqual(undeclared(sim), []);
  const traced = sim.trace.events.find((e) => e.t === "step" && e.fn === "follow");
  assert.ok(traced?.t === "step");
  assert.deepEqual([traced.reads, traced.writes], [[a.mem.id], [b.mem.id]]);
});

test("in checking mode an undeclared access to freed memory is a use-after-free too", () => {
  const sim = checkedSim();
  const a = new Thing(sim, "a");
  sim.free(a.mem, "kfree");
  sim.runTask("t", (function* (): Task<void> {
    yield step("late");
    a.count = 1;
  })());
  assert.deepEqual(sim.findings.map((f) => f.kind), ["use-after-free", "undeclared-access"]);
});

test("in trust mode no access is checked and objects are not wrapped", () => {
  const sim = new Sim({ seed: 1, footprints: "trust" });
  const a = new Thing(sim, "a");
  sim.runTask("t", (function* (): Task<void> {
    yield step("anything");
    a.count = 1;
    a.table.set(1, "x");
  })());
  assert.deepEqual(sim.findings, []);
  assert.equal(Object.getPrototypeOf(a.table), Map.prototype);
});

test("a due timer is a choice: the strategy sees it first and may run a task before it", () => {
  const order = (decisions: number[]): { log: string[]; views: string[][] } => {
    const views: string[][] = [];
    const replay = new ReplayStrategy(decisions);
    const strategy: SchedulingStrategy = {
      name: "recording",
      pick: (runnable: readonly TaskView[], decision: number) => {
        views.push(runnable.map((v) => `${v.kind}:${v.name}`));
        return replay.pick(runnable, decision);
      },
    };
    const sim = new Sim({ seed: 1, strategy });
    const log: string[] = [];
    sim.spawn("sleeper", (function* (): Task<void> {
      yield sleepTicks(0);
      log.push("sleeper woke");
    })());
    sim.spawn("busy", (function* (): Task<void> {
      yield step("busy_work");
      log.push("busy ran");
    })());
    assert.equal(sim.run().kind, "quiescent");
    return { log, views };
  };
  const first = order([0, 0, 0]);
  assert.deepEqual(first.views[1], ["timer:timer sleeper", "kernel:busy"]);
  assert.deepEqual(first.log, ["sleeper woke", "busy ran"]);
  const later = order([0, 1, 1]); // busy starts, then runs its step while the timer waits
  assert.deepEqual(later.log, ["busy ran", "sleeper woke"]);
});
