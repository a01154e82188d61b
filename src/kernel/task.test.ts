import { test } from "node:test";
import assert from "node:assert/strict";
import type { KStruct } from "./kobject.js";
import { Sim } from "./sim.js";
import { fixedStep, footprintOf, lookupStep, step, type StepYield, type Task } from "./task.js";

function stepEvents(make: (a: KStruct, b: KStruct) => StepYield, free: boolean): { steps: unknown[]; findings: string[] } {
  const sim = new Sim({ seed: 1 });
  const a: KStruct = { mem: sim.alloc("a") };
  const b: KStruct = { mem: sim.alloc("b") };
  const s = make(a, b);
  if (free) sim.free(b.mem);
  sim.runTask("t", (function* (): Task<void> {
    yield s;
    yield s;
  })());
  const steps = sim.trace.events.filter((e) => e.t === "step");
  return { steps, findings: sim.findings.map((f) => f.kind) };
}

test("fixedStep() yielded twice traces and checks like two step() calls", () => {
  for (const free of [false, true]) {
    const fixed = stepEvents((a, b) => fixedStep("f", [a, b], [b]), free);
    const plain = stepEvents((a, b) => step("f", [a, b], [b]), free);
    assert.deepEqual(fixed, plain);
    assert.equal(fixed.steps.length, 2);
  }
});

test("fixedStep() records each object's allocation id once, at creation", () => {
  const sim = new Sim({ seed: 1 });
  const a: KStruct = { mem: sim.alloc("a") };
  const s = fixedStep("f", [a]);
  assert.deepEqual(s.readIds, [a.mem.id]);
  assert.deepEqual(s.writeIds, []);
});

test("footprintOf() is a step's own footprint, or what a lookup step finds in the state now", () => {
  const sim = new Sim({ seed: 1 });
  const a: KStruct = { mem: sim.alloc("a") };
  const b: KStruct = { mem: sim.alloc("b") };
  let current = a;
  const plain = step("f", [a], [b]);
  const lookup = lookupStep("g", () => ({ reads: [], writes: [current] }));
  assert.equal(footprintOf(plain), plain, "a plain step is its own footprint");
  assert.deepEqual(footprintOf(lookup), { reads: [], writes: [a] });
  current = b;
  assert.deepEqual(footprintOf(lookup), { reads: [], writes: [b] });
});
