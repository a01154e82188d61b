import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "./load.js";
import { runScenario } from "./run.js";
import { errorsOf, scenarioFrom } from "./_testing.js";

const BUILT_IN = fileURLToPath(new URL("../../scenarios/mknod-stale-node.yaml", import.meta.url));

describe("the mknod step", () => {
  for (const [profile, gone] of [["mainline", "ENODEV"], ["uapi-doc", "ENXIO"]] as const) {
    it(`a node made for card0's major:minor opens the card, then fails with ${gone} once the device is unbound (${profile})`, () => {
      const r = loadScenarioFile(BUILT_IN);
      assert.ok(r.ok);
      const run = runScenario(r.scenario, { profile });
      const outcome = (i: number) => run.steps.find((s) => s.step.index === i)!.outcome;
      assert.deepEqual(outcome(2), { status: "ok", fields: { path: "/dev/stale-card" } });
      assert.equal(outcome(3).status, "ok");
      assert.deepEqual(outcome(6), { status: "errno", errno: "ENOENT" });
      assert.deepEqual(outcome(7), { status: "errno", errno: gone });
      assert.deepEqual(outcome(8), { status: "errno", errno: "EEXIST" });
      assert.equal(run.verdict, profile === "mainline" ? "pass" : "expectation");
    });
  }

  it("refuses sysfs and an existing directory, and a device number that resolves to something else", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - mknod: /sys/class/drm/fresh
      dev: "226:0"
    - mknod: /dev/dri
      dev: "226:0"
    - sysfs-read: /sys/class/drm/card0/uevent
      as: text
    - mknod: /dev/x
      dev: $text
`));
    const outcomes = run.steps.map((s) => s.outcome);
    assert.deepEqual(outcomes[0], { status: "errno", errno: "EPERM" });
    assert.deepEqual(outcomes[1], { status: "errno", errno: "EEXIST" });
    assert.equal(outcomes[3]?.status, "error");
    assert.match(outcomes[3]?.status === "error" ? outcomes[3].message : "", /is not a device number major:minor such as 226:0$/);
  });

  it("reports a malformed device number where it is written", () => {
    assert.deepEqual(errorsOf("programs:\n  a:\n    - mknod: /dev/x\n      dev: \"226\"\n    - mknod: /dev/y\n      dev: \"4096:0\"\n    - mknod: dev/z\n      dev: \"1:2\"\n"), [
      'test.yaml:4:12: program a, step 1 dev: "226" is not a device number major:minor such as 226:0',
      "test.yaml:6:12: program a, step 2 dev: major 4096 is above 4095",
      "test.yaml:7:14: program a, step 3 mknod: expected an absolute path",
    ]);
  });
});
