/**
 * R60: a hang that times out while its amdgpu device is being removed (unplugged, remove()
 * still waiting in drm_dev_unplug() for another device's reader). amdgpu's handler answers
 * ENODEV and recovers nothing: one timeout in the log and no reset, the fence ending with the
 * removal's -ECANCELED, no WEDGED event. amdgpu-tdr-noenter, without that check, resets the
 * ring of the unplugged device: the register write is caught as hardware-after-unplug.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingSummary } from "../kernel/mod.js";
import { run, runs, unmet } from "./_test_builtin.js";
import { formatOutcome } from "./expect.js";
import type { ScenarioRun } from "./run.js";

const NAME = "amdgpu-timeout-after-unplug";

/** The kernel log lines of amdgpu and the scheduler's timeout, without the log level. */
function resetLog(r: ScenarioRun): string[] {
  return r.world.sim.kmsg.map((l) => l.replace(/^<\d>/, ""))
    .filter((l) => /timeout|reset|wedged/.test(l));
}

function fenceStatuses(r: ScenarioRun): string[] {
  return r.steps.filter((s) => s.program === "vkcube" && s.text.startsWith("fence-status"))
    .map((s) => formatOutcome(s.outcome).replace(/ name=.*$/, ""));
}

describe("R60: amdgpu's job timeout on a device being removed", () => {
  it("amdgpu answers ENODEV: one timeout, no reset, the fence ends -ECANCELED, no WEDGED event", () => {
    for (const r of runs(NAME, 4)) {
      assert.equal(r.verdict, "pass", `seed ${r.seed}: ${unmet(r)} ${r.findings.map(findingSummary).join("; ")}`);
      assert.deepEqual(resetLog(r), ["[drm:drm_sched_job_timedout] *ERROR* card0-ring0 timeout, fence 8:1"],
        `seed ${r.seed}: the timeout fires once and is not armed again after ENODEV`);
      assert.deepEqual(fenceStatuses(r), [
        "status=0 state=active error=null",
        "status=-125 state=error error=ECANCELED",
      ]);
      assert.equal(r.uevents.filter((u) => u.event.env.some(([k]) => k === "WEDGED")).length, 0);
    }
  });

  it("amdgpu-tdr-noenter resets the unplugged device's ring: hardware-after-unplug, the fence -ETIME, WEDGED=none", () => {
    const r = run(`${NAME}-noenter`);
    assert.equal(r.verdict, "pass", unmet(r));
    assert.deepEqual(r.findings.map(findingSummary), [
      "BUG: write of MMIO 0x0200 of 0000:03:00.0 after drm_dev_unplug() outside drm_dev_enter() in writel",
    ]);
    assert.ok(resetLog(r).includes("amdgpu 0000:03:00.0: Ring card0-ring0 reset succeeded"), resetLog(r).join("\n"));
    assert.deepEqual(fenceStatuses(r), [
      "status=-62 state=error error=ETIME",
      "status=-62 state=error error=ETIME",
    ]);
  });

  it("undeclared, the broken driver's finding fails the run as memory (exit 3)", () => {
    const r = run(`${NAME}-noenter`, (text) => text.replace("  findings: [hardware-after-unplug]\n", ""));
    assert.equal(r.verdict, "memory");
    assert.deepEqual(r.unexpected.map((f) => f.kind), ["hardware-after-unplug"]);
  });
});
