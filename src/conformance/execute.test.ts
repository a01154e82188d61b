/**
 * A case runs once for the versions whose switches agree with the run's (execute.ts): the
 * shared answers are those a run at each version gives; a failure carries a replay command that
 * names the driver it was told with.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KERNEL_VERSIONS, type KernelVersion } from "../base/mod.js";
import { runScenario, scenarioWithDriver } from "../scenario/mod.js";
import { loadCase, type ConformanceCase } from "./case.js";
import { executeJob } from "./execute.js";
import { CASE_DIR } from "./suite.js";

function caseOf(file: string): ConformanceCase {
  const r = loadCase(join(CASE_DIR, file));
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  return r.case;
}

const NEWEST_FIRST = [...KERNEL_VERSIONS].reverse() as KernelVersion[];

describe("executeJob", () => {
  it("answers each version as a run at that version does, with fewer runs (R70, R73 differ by version)", () => {
    const c = caseOf("r66-wedged-uevent.yaml");
    const versions = NEWEST_FIRST.filter((v) => c.kernels.includes(v));
    const job = { caseFile: c.file, driver: "xe", profile: "mainline" as const, versions, seed: 3 };
    const r = executeJob(c.scenario, job);
    assert.ok(r.runs < versions.length, `${r.runs} runs for ${versions.length} versions`);
    for (const v of r.results) {
      const direct = runScenario(c.scenario, { seed: 3, profile: "mainline", kernel: v.version });
      assert.equal(v.verdict, direct.verdict, v.version);
    }
    assert.ok(r.results.some((v) => v.ranAt !== v.version), "some version shares a run");
  });

  it("runs every version whose switches differ: a wedge before 6.14 sends no WEDGED uevent", () => {
    const c = caseOf("r66-wedged-uevent.yaml");
    const job = { caseFile: c.file, driver: "xe", profile: "mainline" as const, versions: ["7.1", "6.12"] as KernelVersion[], seed: 1 };
    const [at71, at612] = executeJob(c.scenario, job).results;
    assert.equal(at71!.verdict, "pass");
    assert.equal(at612!.ranAt, "6.12");
    assert.equal(at612!.verdict, "expectation");
    assert.match(at612!.replay!, /^vdrm run \S*scenarios\/xe-wedge-rebind\.yaml --replay v1\.\S+$/);
  });

  it("a failure told with another driver replays with --driver", () => {
    const dir = mkdtempSync(join(tmpdir(), "vdrm-conf-"));
    const text = readFileSync(join(CASE_DIR, "r38-ioctl-after-unplug.yaml"), "utf8")
      .replace("- ioctl: DRM_IOCTL_GET_CAP\n      fd: $card\n      args: { capability: 1 }\n      expect: ENODEV",
        "- ioctl: DRM_IOCTL_GET_CAP\n      fd: $card\n      args: { capability: 1 }\n      expect: ENXIO");
    const file = join(dir, "r38-changed.yaml");
    writeFileSync(file, text);
    const r = loadCase(file);
    assert.ok(r.ok);
    const job = { caseFile: file, driver: "vtest", profile: "mainline" as const, versions: ["7.1"] as KernelVersion[], seed: 1 };
    const [res] = executeJob(r.case.scenario, job).results;
    assert.equal(res!.verdict, "expectation");
    assert.match(res!.why!, /^app#6 ioctl 3, DRM_IOCTL_GET_CAP .* = -1 ENODEV: expected ENXIO/);
    assert.match(res!.replay!, new RegExp(`^vdrm run ${file} --replay v1\\.\\S+ --driver vtest$`));
    assert.equal(scenarioWithDriver(r.case.scenario, "vtest").world.devices[0]!.driver, "vtest");
  });
});
