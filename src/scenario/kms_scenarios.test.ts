/**
 * The built-in KMS scenarios, run as `vdrm run` runs them: a non-blocking mode set in flight
 * when the card is pulled (its event sent by the shutdown's vblank off, R65; TEST_ONLY then
 * ENODEV, R40), TEST_ONLY and a page flip after unplug under each profile (D3, D4, R42, R64),
 * and the broken vdisp-noenter caught touching the hardware after unplug.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "./load.js";
import { runScenario, type ScenarioRun } from "./run.js";

function run(name: string): ScenarioRun {
  const r = loadScenarioFile(fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url)));
  assert.ok(r.ok, `cannot load ${name}`);
  return runScenario(r.scenario);
}

function why(r: ScenarioRun): string {
  return r.steps.filter((s) => s.met === false).map((s) => s.why).join("; ");
}

/** The result fields of each `read` step of `program`. */
function reads(r: ScenarioRun, program: string) {
  return r.steps
    .filter((s) => s.program === program && s.step.op.name === "read")
    .map((s) => (s.outcome.status === "ok" ? s.outcome.fields : s.outcome.status));
}

describe("kms-nonblocking-commit-unplug", () => {
  it("passes: the flip-complete event is read after the removal, with the sequence of 10 s of vblanks; no finding", () => {
    const r = run("kms-nonblocking-commit-unplug");
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
    const [event] = reads(r, "compositor");
    assert.ok(typeof event === "object");
    assert.deepEqual(event["types"], [2]);
    assert.deepEqual(event["crtc_id"], [34]);
    assert.ok((event["sequence"] as number[])[0]! >= 599, "counted on until the CRTC's disable");
  });
});

describe("kms-commit-after-unplug-noenter", () => {
  it("is caught: the commit's worker writes the scanout register after the unplug", () => {
    const r = run("kms-commit-after-unplug-noenter");
    assert.equal(r.verdict, "pass", why(r)); // the finding the file declares (`vdrm run` says caught)
    const kinds = r.findings.map((f) => f.kind);
    assert.ok(kinds.includes("hardware-after-unplug"), kinds.join(", "));
    const f = r.findings.find((x) => x.kind === "hardware-after-unplug");
    assert.ok(f !== undefined && f.kind === "hardware-after-unplug");
    assert.deepEqual([f.device, f.register, f.mode], ["0000:01:00.0", "0x0104", "write"]);
    assert.match(f.site.task, /commit_work/);
  });
});

describe("kms-test-only-after-unplug", () => {
  it("mainline: TEST_ONLY, PAGE_FLIP and GETCONNECTOR are ENODEV after the unbind", () => {
    const r = run("kms-test-only-after-unplug");
    assert.equal(r.verdict, "pass", why(r));
    assert.equal(reads(r, "compositor").length, 1, "only the event before the unbind");
  });

  it("uapi-doc: they succeed, the faked flip's event comes at once, the connector reads disconnected", () => {
    const r = run("kms-test-only-after-unplug-uapi-doc");
    assert.equal(r.verdict, "pass", why(r));
    const [before, after] = reads(r, "compositor");
    assert.ok(typeof before === "object" && typeof after === "object");
    assert.deepEqual([before["user_data"], after["user_data"]], [[7n], [8n]]);
  });
});
