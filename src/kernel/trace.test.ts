/**
 * The trace as `vdrm run --trace` prints it (formatTrace()): one line per event, with the
 * tick, task names for task ids and labels for allocation ids.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KStruct } from "./kobject.js";
import { Sim } from "./sim.js";
import { sleepTicks, step, type Task } from "./task.js";
import { formatTrace, TraceLog } from "./trace.js";
import { WaitQueue, waitEvent } from "./wait_queue.js";

test("formatTrace() prints a run: spawns, steps with their objects, blocks, wake-ups, allocations and exits", () => {
  const sim = new Sim({ seed: 1 });
  const wq = new WaitQueue(sim, "q");
  let ready = false;
  const dev: KStruct = { mem: sim.alloc("drm_device") };
  sim.relabel(dev.mem, "drm_device#1 (card0)");
  const file: KStruct = { mem: sim.alloc("drm_file", { kind: "drmm_kzalloc" }) };
  sim.spawn("waiter", (function* (): Task<void> {
    yield step("drm_open", [dev], [file]);
    yield* waitEvent(wq, "ready", () => ready);
    yield step("drm_release", [], [file]);
    sim.free(file.mem, "drm_file_free");
    sim.note("released");
    yield* waitEvent(wq, "never", () => false, 5);
  })());
  sim.spawn("waker", (function* (): Task<void> {
    yield step("kick");
    ready = true;
    wq.wakeUpAll();
  })(), { kind: "user" });
  sim.run();
  assert.equal(formatTrace(sim.trace.events), [
    "[        0] alloc drm_device#1 (kzalloc) in (setup)",
    "[        0] alloc drm_file#2 (drmm_kzalloc) in (setup)",
    "[        0] spawn kernel task waiter",
    "[        0] spawn user task waker",
    "[        1] waiter: drm_open R{drm_device#1 (card0)} W{drm_file#2}",
    "[        1] waiter blocks on ready",
    "[        2] waker: kick",
    "[        2] waiter wakes",
    "[        2] exit waker",
    "[        3] waiter: drm_release W{drm_file#2}",
    "[        3] free drm_file#2 in drm_file_free",
    "[        3] note released",
    "[        3] waiter blocks on never",
    "[        8] waiter times out",
    "[        8] exit waiter",
  ].join("\n"));
});

test("formatTrace() prints uevents, kernel messages, system calls with their errno, and findings", () => {
  const sim = new Sim({ seed: 1 });
  sim.runTask("app", (function* (): Task<void> {
    yield sleepTicks(1234567);
  })(), { kind: "user" });
  const log = sim.trace;
  log.push({ t: "uevent", tick: 5, seqnum: 42, action: "remove", devpath: "/devices/pci/card0", env: [] });
  log.push({ t: "call", tick: 6, startTick: 5, task: 1, op: "ioctl", args: "3, DRM_IOCTL_VERSION", input: null, ret: "-1", errno: "ENODEV", output: null });
  log.push({ t: "call", tick: 7, startTick: 7, task: 99, op: "close", args: "3", input: null, ret: "0", errno: null, output: null });
  sim.printk(4, "bochs: probe failed");
  sim.warn("oops");
  assert.deepEqual(formatTrace(log.events).split("\n"), [
    "[        0] spawn user task app",
    "[  1234567] app wakes",
    "[  1234567] exit app",
    "[        5] uevent remove@/devices/pci/card0 SEQNUM=42",
    "[        6] app: ioctl(3, DRM_IOCTL_VERSION) = -1 ENODEV",
    "[        7] 99: close(3) = 0",
    "[  1234567] kmsg <4> bochs: probe failed",
    "[  1234567] FINDING warn",
    "[  1234567] kmsg <3> WARNING: oops at (setup)",
  ]);
});

test("formatTrace() names an allocation it saw no alloc event of by its id", () => {
  const log = new TraceLog();
  log.push({ t: "step", tick: 1, task: 7, fn: "f", reads: [3], writes: [] });
  log.push({ t: "free", tick: 2, id: 3, site: { task: "t", fn: "kfree", frames: [], step: 1, tick: 2 } });
  assert.equal(formatTrace(log.events), "[        1] 7: f R{#3}\n[        2] free #3 in kfree");
});

test("TraceLog records steps at level steps only; Sim traces no step events at level events", () => {
  assert.equal(new TraceLog().recordsSteps, true);
  assert.equal(new TraceLog("events").recordsSteps, false);
  const sim = new Sim({ seed: 1, trace: "events" });
  sim.runTask("t", (function* (): Task<void> {
    yield step("a");
    yield step("b");
  })());
  assert.deepEqual(sim.trace.events.map((e) => e.t), ["spawn", "exit"]);
  assert.equal(sim.stepCount, 2);
});

test("the trace records an allocation's owner, a signal with its error, and the object a finding is about", () => {
  const sim = new Sim({ seed: 1, trace: "events" });
  const dev: KStruct = { mem: sim.alloc("drm_device") };
  const fence = sim.alloc("dma_fence", { owner: dev, label: "dma_fence vtest:card0:1:1" });
  const gem = sim.alloc("drm_gem_object", { owner: dev });
  sim.traceSignaled(fence, -125);
  sim.traceSignaled(gem, 0);
  sim.free(fence, "dma_fence_release");
  sim.free(fence, "dma_fence_release");
  sim.reportLeaks();
  const allocs = sim.trace.events.flatMap((e) => (e.t === "alloc" ? [[e.id, e.owner]] : []));
  assert.deepEqual(allocs, [[dev.mem.id, undefined], [fence.id, dev.mem.id], [gem.id, dev.mem.id]]);
  assert.ok(!("owner" in sim.trace.events[0]!), "no owner field for an object without one");
  const findings = sim.trace.events.flatMap((e) => (e.t === "finding" ? [[e.finding.kind, e.id]] : []));
  assert.deepEqual(findings, [["double-free", fence.id], ["leak", dev.mem.id], ["leak", gem.id]]);
  const text = formatTrace(sim.trace.events).split("\n").filter((l) => l.includes("signaled"));
  assert.deepEqual(text, [
    "[        0] signaled dma_fence vtest:card0:1:1 error -125",
    "[        0] signaled drm_gem_object#3",
  ]);
});
