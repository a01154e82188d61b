/**
 * What a finding prints: the kernel-log line the Sim writes when it reports one (worded as
 * Linux's KASAN, refcount_t, hung-task, kmemleak and WARN reports), the sites that explain it
 * as the terminal prints them, and its class, which picks the verdict and the exit code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FINDING_CLASSES,
  FINDING_KINDS,
  findingClass,
  findingKindsOf,
  findingSiteLines,
  findingSummary,
  foundAtShutdown,
  type Finding,
} from "./findings.js";
import { formatSite, KObject, type KStruct } from "./kobject.js";
import { Kref, krefGet, krefPut } from "./kref.js";
import { expectUndeclaredAccesses } from "./_test_footprints.js";
import { Sim } from "./sim.js";
import { sleepTicks, step, type Task } from "./task.js";
import { WaitQueue, waitEvent } from "./wait_queue.js";

function only<K extends Finding["kind"]>(sim: Sim, kind: K): Extract<Finding, { kind: K }> {
  const found = sim.findings.filter((f): f is Extract<Finding, { kind: K }> => f.kind === kind);
  assert.equal(found.length, 1, `one ${kind} finding in ${JSON.stringify(sim.findings.map((f) => f.kind))}`);
  return found[0]!;
}

test("a use-after-free prints KASAN's line and the access, free and alloc sites with their frames", () => {
  const sim = new Sim({ seed: 1 });
  const obj: KStruct = { mem: sim.alloc("drm_file", { label: "drm_file#1" }) };
  sim.runTask("closer", (function* (): Task<void> {
    yield step("drm_file_free");
    sim.free(obj.mem);
  })());
  sim.runTask("app", (function* (): Task<void> {
    yield* sim.frame("sys_ioctl", (function* (): Task<void> {
      yield step("drm_ioctl", [], [obj]);
    })());
  })());
  const f = only(sim, "use-after-free");
  assert.deepEqual(sim.kmsg, ["<3>BUG: KASAN: use-after-free write of drm_file#1 in drm_ioctl"]);
  assert.deepEqual(findingSiteLines(f), [
    "access: drm_ioctl in task app at step 2, t=2 [sys_ioctl]",
    "freed:  drm_file_free in task closer at step 1, t=1",
    "alloc:  (setup) in task (sim) at step 0, t=0",
  ]);
  assert.equal(findingClass(f), "memory");
  assert.equal(foundAtShutdown(f), false);
});

test("a double free prints KASAN's line naming the second free, then both frees and the alloc", () => {
  const sim = new Sim({ seed: 1 });
  const mem = sim.alloc("drm_minor", { label: "drm_minor#1" });
  sim.free(mem, "drm_minor_free");
  sim.free(mem, "drm_minor_release");
  const f = only(sim, "double-free");
  assert.equal(findingSummary(f), "BUG: KASAN: double-free of drm_minor#1 in drm_minor_release");
  assert.deepEqual(findingSiteLines(f).map((l) => l.split(" in task")[0]), ["again:  drm_minor_release", "freed:  drm_minor_free", "alloc:  (setup)"]);
  assert.equal(findingClass(f), "memory");
});

test("a kref underflow and a get after release print refcount_t's warnings", () => {
  const sim = new Sim({ seed: 1 });
  const ref = new Kref(sim, { mem: sim.alloc("drm_device", { label: "drm_device#1 (card0)" }) });
  sim.runTask("t", (function* (): Task<void> {
    yield step("drm_dev_put", [], [ref.owner]);
    yield* krefPut(ref, function* () {});
    krefGet(ref);
    yield* krefPut(ref, function* () {});
  })());
  assert.deepEqual(sim.kmsg, [
    "<3>refcount_t: addition on 0; use-after-free of drm_device#1 (card0) in kref_get",
    "<3>refcount_t: underflow; use-after-free of drm_device#1 (card0) in kref_put",
  ]);
  assert.deepEqual(sim.findings.map((f) => [f.kind, findingClass(f), findingSiteLines(f)[0]?.slice(0, 20)]), [
    ["kref-get-after-release", "memory", "at:     kref_get in "],
    ["kref-underflow", "memory", "at:     kref_put in "],
  ]);
});

test("a kref_put of an owner that was freed is a use-after-free write in kref_put", () => {
  const sim = new Sim({ seed: 1 });
  const ref = new Kref(sim, { mem: sim.alloc("drm_device", { label: "drm_device#1" }) });
  krefGet(ref);
  sim.free(ref.owner.mem, "kfree");
  expectUndeclaredAccesses(sim); // the step declares nothing: what kref_put() writes is freed
  sim.runTask("t", (function* (): Task<void> {
    yield step("drm_dev_put");
    yield* krefPut(ref, function* () {});
  })());
  const f = only(sim, "use-after-free");
  assert.equal(f.mode, "write");
  assert.equal(f.access.fn, "kref_put");
  assert.equal(findingSummary(f), "BUG: KASAN: use-after-free write of drm_device#1 in kref_put");
});

test("a hang prints every waiter and where it waits since when; a hung task prints how long", () => {
  const sim = new Sim({ seed: 1, hungTaskTicks: 100 });
  const wq = new WaitQueue(sim, "q");
  sim.spawn("waiter", (function* (): Task<void> {
    yield step("wait_for_it");
    yield* waitEvent(wq, "event E", () => false);
  })());
  sim.spawn("sleeper", (function* (): Task<void> {
    yield sleepTicks(300);
  })());
  sim.run();
  const hung = only(sim, "hung-task");
  const hang = only(sim, "hang");
  assert.match(findingSummary(hung), /^INFO: task waiter blocked for more than \d+ ticks on event E$/);
  assert.ok(hung.blockedTicks > 100);
  assert.deepEqual(findingSiteLines(hung), ["waiter: waiter on event E, wait_for_it in task waiter at step 1, t=1"]);
  assert.equal(findingSummary(hang), "hang: no task can run; waiter waits on event E");
  assert.deepEqual(findingSiteLines(hang), ["waiter: waiter on event E since t=1, wait_for_it in task waiter at step 1, t=1"]);
  assert.deepEqual([findingClass(hang), findingClass(hung)], ["hang", "hang"]);
});

test("a hang with two waiters names both, joined by a semicolon", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "q");
  for (const name of ["a", "b"]) sim.spawn(name, waitEvent(wq, `event ${name}`, () => false));
  sim.run();
  assert.equal(findingSummary(only(sim, "hang")), "hang: no task can run; a waits on event a; b waits on event b");
});

test("a leak prints kmemleak's line, is found at shutdown, and is of class leak", () => {
  const sim = new Sim({ seed: 1 });
  sim.alloc("drm_file", { label: "drm_file#1" });
  sim.reportLeaks();
  const f = only(sim, "leak");
  assert.deepEqual(sim.kmsg, ["<3>kmemleak: unreferenced object drm_file#1"]);
  assert.deepEqual(findingSiteLines(f), ["alloc:  (setup) in task (sim) at step 0, t=0"]);
  assert.deepEqual([findingClass(f), foundAtShutdown(f)], ["leak", true]);
});

test("a WARN prints WARNING: with the function it ran in", () => {
  const sim = new Sim({ seed: 1 });
  sim.runTask("t", (function* (): Task<void> {
    yield step("drm_dev_unplug");
    sim.warn("it went wrong");
  })());
  const f = only(sim, "warn");
  assert.equal(findingSummary(f), "WARNING: it went wrong at drm_dev_unplug");
  assert.deepEqual(findingSiteLines(f), ["at:     drm_dev_unplug in task t at step 1, t=1"]);
  assert.equal(findingClass(f), "warn");
});

class Box extends KObject {
  value = 0;
  constructor(sim: Sim) {
    super(sim, sim.alloc("box", { label: "box#1" }));
  }
}

test("an undeclared access prints the step, the access, the field and the object", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const box = new Box(sim);
  sim.runTask("t", (function* (): Task<void> {
    yield step("box_poke");
    box.value = 1;
  })());
  const f = only(sim, "undeclared-access");
  assert.equal(findingSummary(f), "footprint: box_poke writes value of box#1 without declaring it");
  assert.deepEqual(findingSiteLines(f), ["at:     box_poke in task t at step 1, t=1"]);
  assert.equal(findingClass(f), "footprint");
});

test("findingKindsOf() lists each class's kinds in table order, and every kind has one class", () => {
  assert.deepEqual(findingKindsOf("memory"), ["use-after-free", "double-free", "kref-underflow", "kref-get-after-release", "fatal-signal", "hardware-after-unplug"]);
  assert.deepEqual(findingKindsOf("hang"), ["hang", "hung-task", "fence-never-signalled", "wait-never-woken"]);
  assert.deepEqual(findingKindsOf("leak"), ["leak"]);
  assert.deepEqual(findingKindsOf("warn"), ["warn", "wedge-prerequisite"]);
  assert.deepEqual(findingKindsOf("footprint"), ["undeclared-access"]);
  const all = FINDING_CLASSES.flatMap((c) => findingKindsOf(c));
  assert.deepEqual([...all].sort(), Object.keys(FINDING_KINDS).sort());
});

test("a hardware access after unplug prints the access, its register and device, and is of class memory", () => {
  const site = { task: "commit_work 2 (card0)", fn: "writel", frames: [], step: 9, tick: 1072 };
  const f = { kind: "hardware-after-unplug", device: "0000:01:00.0", register: "0x0104", mode: "write", site } as const;
  assert.equal(
    findingSummary(f),
    "BUG: write of MMIO 0x0104 of 0000:01:00.0 after drm_dev_unplug() outside drm_dev_enter() in writel",
  );
  assert.equal(findingClass(f), "memory");
});

test("formatSite() prints the frames outermost first, and nothing for none", () => {
  const site = { task: "app", fn: "drm_release", frames: ["sys_close", "__fput"], step: 7, tick: 9 };
  assert.equal(formatSite(site), "drm_release in task app at step 7, t=9 [sys_close > __fput]");
  assert.equal(formatSite({ ...site, frames: [] }), "drm_release in task app at step 7, t=9");
});
