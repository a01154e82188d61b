/**
 * The experiments added to the explorer's (issue 12, item 4; docs/experiments.md), found
 * from generic scenarios (scenarios/explore: a client's hung job and its waiter, and an
 * administrator's step that may come at any point; no scripted order): xe-early-wedge sends
 * its WEDGED event before its fences are signalled (seed 000), vtest-drain's unbind waits for
 * a hung job's fence while userspace resets the bus (seed 002). Their correct siblings (xe,
 * vtest) explore the same scenarios clean within one preemption. And vdisp-noenter's commit
 * worker writing the registers of a removed device, with vdisp clean within no preemption.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { explore, search } from "./mod.js";

const DIR = fileURLToPath(new URL("../../scenarios/explore/", import.meta.url));

function load(name: string): Scenario {
  const r = loadScenarioFile(join(DIR, `${name}.yaml`));
  assert.ok(r.ok, `${name} loads`);
  return r.scenario;
}

describe("the experiments on fences: wedge before the fences, bus reset with fences pending", () => {
  it("wedge-hang-early: xe-early-wedge's event before its fences signal (wedge-prerequisite)", () => {
    const r = explore(load("wedge-hang-early"), { mode: "dfs", preemptionsMax: 1 });
    const cx = r.counterexample;
    assert.ok(cx !== null, "a counterexample");
    assert.equal(cx.failure.verdict, "warn");
    assert.deepEqual(cx.failure.kinds, ["wedge-prerequisite"]);
    const f = cx.run.unexpected.find((x) => x.kind === "wedge-prerequisite");
    assert.ok(f !== undefined && f.unmet.some((u) => /dma_fence .* unsignalled/.test(u)), JSON.stringify(f));
    assert.ok(cx.token !== null);
  });

  it("bus-reset-fences-drain: the unbind of a userspace bus reset blocks on a hung job's fence", () => {
    const r = explore(load("bus-reset-fences-drain"), { mode: "dfs", preemptionsMax: 1 });
    const cx = r.counterexample;
    assert.ok(cx !== null, "a counterexample");
    assert.equal(cx.failure.verdict, "hang");
    assert.ok(cx.failure.kinds.includes("fence-never-signalled"), cx.failure.kinds.join());
    const hang = cx.run.unexpected.find((x) => x.kind === "fence-never-signalled" && /dma_fence_wait/.test(JSON.stringify(x)));
    assert.ok(hang !== undefined, "the admin's unbind waits for the fence in the kernel");
  });

  it("unplug-commit-noenter: the commit worker writes MMIO after unplug (hardware-after-unplug)", () => {
    const r = explore(load("unplug-commit-noenter"), { mode: "dfs", preemptionsMax: 0 });
    const cx = r.counterexample;
    assert.ok(cx !== null, "a counterexample");
    assert.equal(cx.failure.verdict, "memory");
    assert.deepEqual(cx.failure.kinds, ["hardware-after-unplug"]);
    const clean = search(load("unplug-commit-vdisp"), { mode: "dfs", preemptionsMax: 0 });
    assert.equal(clean.stoppedBy, "complete");
    assert.equal(clean.found, null);
  });

  for (const name of ["wedge-hang-xe", "bus-reset-fences-vtest"]) {
    it(`${name}: the correct driver explores clean within one preemption`, () => {
      const r = search(load(name), { mode: "dfs", preemptionsMax: 1 });
      assert.equal(r.stoppedBy, "complete");
      assert.equal(r.found, null);
      assert.ok(r.stats.faultPoints > 1, "the administrator's step fell at several points");
    });
  }
});
