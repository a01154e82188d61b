/**
 * Case files: what a bad one is told (file, key, and what would be right), and what a good
 * one gives the suite.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCase } from "./case.js";
import { loadCases } from "./plan.js";
import { CASE_DIR } from "./suite.js";

function caseFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "vdrm-case-"));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const STORY = `world:\n  devices:\n    - { bdf: "0000:01:00.0", driver: vdisp }\nprograms:\n  a:\n    - sleep: 1\n`;

describe("loadCase", () => {
  it("names the file, the key and the closest known value", () => {
    const f = caseFile("r38-x.yaml", `conformance:\n  requirement: R38\n  drivers: [vdsp]\n${STORY}`);
    const r = loadCase(f);
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors, [
      `${f}: conformance.drivers.0: unknown correct driver "vdsp" (did you mean "vdisp"?); expected one of vdisp, bochs-drm, vtest, xe, i915, amdgpu, virtio-gpu`,
    ]);
  });

  it("a case is named after its requirement, and a broken driver is a control, not a driver", () => {
    const f = caseFile("x38.yaml", `conformance:\n  requirement: R38\n  drivers: [vdisp-devm]\n${STORY}`);
    const r = loadCase(f);
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /conformance\.drivers\.0: unknown correct driver "vdisp-devm"/);
    const g = caseFile("x38.yaml", `conformance:\n  requirement: R38\n  drivers: [vdisp]\n${STORY}`);
    assert.deepEqual(loadCase(g), { ok: false, errors: [`${g}: a case is named after its requirement: the file name must start with "r38-"`] });
  });

  it("a case that names a scenario has no programs of its own, and the scenario must load", () => {
    const f = caseFile("r1-a.yaml", `conformance:\n  requirement: R1\n  drivers: [vdisp]\n  scenario: nowhere.yaml\n`);
    const r = loadCase(f);
    assert.ok(!r.ok);
    assert.match(r.errors[0]!, /nowhere\.yaml: cannot read: ENOENT$/);
  });

  it("kernels: >=V keeps the modelled versions from V on", () => {
    const f = caseFile("r66-a.yaml", `conformance:\n  requirement: R66\n  drivers: [xe]\n  kernels: ">=6.17"\n${STORY}`);
    const r = loadCase(f);
    assert.ok(r.ok);
    assert.deepEqual(r.case.kernels, ["6.17", "6.18", "7.0", "7.1"]);
    assert.deepEqual(r.case.profiles, ["mainline", "uapi-doc"]);
  });

  it("every built-in case loads", () => {
    const r = loadCases(CASE_DIR);
    assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
    assert.ok(r.cases.length >= 20);
  });
});
