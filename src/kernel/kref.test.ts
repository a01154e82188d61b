import { test } from "node:test";
import assert from "node:assert/strict";
import type { Finding } from "./findings.js";
import { Kref, krefGet, krefPut, krefRead } from "./kref.js";
import { Sim } from "./sim.js";
import { step, type Task } from "./task.js";

function setup(): { sim: Sim; ref: Kref; releases: string[]; release: () => Task<void> } {
  const sim = new Sim({ seed: 1 });
  const ref = new Kref(sim, { mem: sim.alloc("drm_device", { label: "drm_device#1 (card0)" }) });
  const releases: string[] = [];
  const release = function* (): Task<void> {
    yield step("drm_dev_release");
    releases.push(`released@${sim.now}`);
  };
  return { sim, ref, releases, release };
}

/** kref_put in a task of its own: a step that writes the owner, then the put. */
function put(sim: Sim, ref: Kref, release: () => Task<void>): boolean {
  return sim.runTask("put", (function* (): Task<boolean> {
    yield step("put", [], [ref.owner]);
    return yield* krefPut(ref, release);
  })());
}

test("Kref() starts with one reference", () => {
  const { ref } = setup();
  assert.equal(krefRead(ref), 1);
  assert.equal(ref.released, false);
});

test("krefGet() and krefPut() count references up and down", () => {
  const { sim, ref, releases, release } = setup();
  krefGet(ref);
  krefGet(ref);
  assert.equal(krefRead(ref), 3);
  assert.equal(put(sim, ref, release), false);
  assert.equal(krefRead(ref), 2);
  assert.equal(put(sim, ref, release), false);
  assert.equal(krefRead(ref), 1);
  assert.deepEqual(releases, []);
  assert.equal(ref.released, false);
});

test("krefPut() of the last reference runs release once and returns true", () => {
  const { sim, ref, releases, release } = setup();
  krefGet(ref);
  assert.equal(put(sim, ref, release), false);
  assert.equal(put(sim, ref, release), true);
  assert.equal(krefRead(ref), 0);
  assert.equal(ref.released, true);
  assert.equal(releases.length, 1);
  assert.deepEqual(sim.findings, []);
});

test("krefPut() at zero reports kref-underflow and does not release again", () => {
  const { sim, ref, releases, release } = setup();
  assert.equal(put(sim, ref, release), true);
  assert.equal(put(sim, ref, release), false);
  assert.equal(krefRead(ref), 0);
  assert.equal(releases.length, 1);
  const underflows = sim.findings.filter((f): f is Extract<Finding, { kind: "kref-underflow" }> => f.kind === "kref-underflow");
  assert.equal(underflows.length, 1);
  assert.equal(underflows[0]?.object, "drm_device#1 (card0)");
  assert.deepEqual([underflows[0]?.site.task, underflows[0]?.site.fn], ["put", "kref_put"]);
});

test("krefGet() after release reports kref-get-after-release and leaves the count at zero", () => {
  const { sim, ref, release } = setup();
  put(sim, ref, release);
  krefGet(ref);
  assert.equal(krefRead(ref), 0);
  const found = sim.findings.filter((f): f is Extract<Finding, { kind: "kref-get-after-release" }> => f.kind === "kref-get-after-release");
  assert.equal(found.length, 1);
  assert.equal(found[0]?.object, "drm_device#1 (card0)");
  assert.equal(found[0]?.site.fn, "kref_get");
  assert.equal(sim.findings.length, 1);
});

test("krefGet() on a kref whose owner was freed reports use-after-free", () => {
  const { sim, ref } = setup();
  sim.free(ref.owner.mem, "kfree");
  krefGet(ref);
  assert.deepEqual(sim.findings.map((f) => (f.kind === "use-after-free" ? `${f.mode} in ${f.access.fn}` : f.kind)), ["write in kref_get"]);
});
