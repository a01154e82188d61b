/**
 * The Sim's checks of what steps touch, seen through the findings they report: which access a
 * declaration covers, what an access outside any step is called, the explicit sanitizer hook
 * (Sim.check()) in both footprint modes, and the simulated backtrace's own assertions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Finding } from "./findings.js";
import { KObject } from "./kobject.js";
import { Kref, krefGet } from "./kref.js";
import { expectUndeclaredAccesses } from "./_test_footprints.js";
import { Sim } from "./sim.js";
import { sleepTicks, step, type Task } from "./task.js";

class Thing extends KObject {
  count = 0;
  constructor(sim: Sim, name: string) {
    super(sim, sim.alloc("thing", { label: `thing ${name}` }));
  }
}

function undeclared(sim: Sim): string[] {
  return sim.findings
    .filter((f): f is Extract<Finding, { kind: "undeclared-access" }> => f.kind === "undeclared-access")
    .map((f) => `${f.step}: ${f.mode} ${f.field} of ${f.object}`);
}

test("a declared read of one object does not cover a read of another", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const a = new Thing(sim, "a");
  const b = new Thing(sim, "b");
  sim.runTask("t", (function* (): Task<void> {
    yield step("look", [a]);
    void a.count;
    void b.count;
  })());
  assert.deepEqual(undeclared(sim), ["look: read count of thing b"]);
});

test("an access before a task's first step, or after a sleep without a resume step, names what came before", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const a = new Thing(sim, "a");
  sim.runTask("t", (function* (): Task<void> {
    a.count = 1;
    yield sleepTicks(5);
    void a.count;
  })());
  assert.deepEqual(undeclared(sim), [
    "(no step, after task start): write count of thing a",
    "(no step, after sleep): read count of thing a",
  ]);
});

test("the same undeclared access is reported once, another field or mode again", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const a = new Thing(sim, "a");
  sim.runTask("t", (function* (): Task<void> {
    for (let i = 0; i < 3; i++) {
      yield step("poke");
      a.count = i;
    }
    yield step("poke");
    void a.count;
  })());
  assert.deepEqual(undeclared(sim), ["poke: write count of thing a", "poke: read count of thing a"]);
});

test("Sim.check() in checking mode reports an undeclared access named after the function, or (access)", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const a = new Thing(sim, "a");
  const ref = new Kref(sim, a);
  sim.runTask("t", (function* (): Task<void> {
    yield step("drm_dev_get");
    krefGet(ref);
    sim.check(a, "read");
  })());
  assert.deepEqual(undeclared(sim), ["drm_dev_get: write kref_get() of thing a", "drm_dev_get: read (access) of thing a"]);
});

test("Sim.check() in trust mode checks only freed memory", () => {
  const sim = new Sim({ seed: 1, footprints: "trust" });
  const obj = { mem: sim.alloc("thing") };
  sim.runTask("t", (function* (): Task<void> {
    yield step("nothing_declared");
    assert.equal(sim.check(obj, "write", "poke"), true);
    sim.free(obj.mem);
    assert.equal(sim.check(obj, "write", "poke"), false);
  })());
  assert.deepEqual(sim.findings.map((f) => f.kind), ["use-after-free"]);
});

test("accesses from outside any task (setup code) are not checked, even of freed memory", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const a = new Thing(sim, "a");
  sim.runTask("t", (function* (): Task<void> {
    yield step("free_it", [], [a]);
    sim.free(a.mem);
  })());
  a.count = 5;
  assert.equal(a.count, 5);
  assert.deepEqual(sim.findings, []);
});

test("Sim.pushFrame() outside a task and Sim.popFrame() of a frame that is not innermost are model bugs", () => {
  const sim = new Sim({ seed: 1 });
  assert.throws(() => sim.pushFrame("f"), { name: "ModelAssertionError", message: "Cannot enter frame f: not called from a task" });
  assert.throws(() => sim.runTask("t", (function* (): Task<void> {
    yield step("s");
    const task = sim.pushFrame("outer");
    sim.pushFrame("inner");
    sim.popFrame(task, "outer");
  })()), { name: "ModelAssertionError", message: "Cannot leave frame outer: the innermost frame is inner" });
});

test("Sim.warn() without a once key reports every time", () => {
  const sim = new Sim({ seed: 1 });
  sim.warn("again");
  sim.warn("again");
  assert.equal(sim.findings.length, 2);
});

test("Sim.alloc() defaults: kzalloc, no size, a label from the type and id, not persistent", () => {
  const sim = new Sim({ seed: 1 });
  const a = sim.alloc("drm_file");
  const b = sim.alloc("drm_file", { kind: "drmm_kzalloc", sizeBytes: 64, label: "f", persistent: true });
  assert.deepEqual([a.kind, a.sizeBytes, a.label, a.persistent], ["kzalloc", 0, "drm_file#1", false]);
  assert.deepEqual([b.kind, b.sizeBytes, b.label, b.persistent], ["drmm_kzalloc", 64, "f", true]);
  assert.deepEqual(sim.liveAllocations(), [a]);
});
