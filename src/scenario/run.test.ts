import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "./load.js";
import { runJson } from "./format_json.js";
import { formatRunText } from "./format_text.js";
import { runScenario } from "./run.js";
import { scenarioFrom } from "./_testing.js";

const scenario = (name: string): string => fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));

function runFile(name: string, seed?: number) {
  const r = loadScenarioFile(scenario(name));
  assert.ok(r.ok, `cannot load ${name}`);
  return runScenario(r.scenario, seed === undefined ? {} : { seed });
}

describe("scenario runs", () => {
  it("hot unplug with a late close passes on the correct driver: ENODEV, dummy page, card0 reused", () => {
    const run = runFile("hotunplug-lateclose");
    assert.equal(run.verdict, "pass", run.steps.filter((s) => s.met === false).map((s) => s.why).join("; "));
    const byText = (t: string) => run.steps.find((s) => s.program === "app" && s.text.startsWith(t) && s.startTick > 40);
    assert.deepEqual(byText("ioctl 3, DRM_IOCTL_VERSION")?.outcome, { status: "errno", errno: "ENODEV" });
    const read = run.steps.filter((s) => s.step.op.name === "mem-read").map((s) => s.outcome.status === "ok" ? s.outcome.fields["fill"] : s.outcome.status);
    assert.deepEqual(read, [0xab, 0]);
    assert.deepEqual(run.findings, []);
    assert.ok(run.checks.every((c) => c.met));
  });

  it("the same story on vdisp-devm is caught as a use-after-free freed in devres_release_all", () => {
    const run = runFile("hotunplug-lateclose-devm");
    assert.equal(run.verdict, "pass");
    const uaf = run.findings.filter((f) => f.kind === "use-after-free");
    assert.ok(uaf.length > 0);
    assert.equal(uaf[0]!.kind === "use-after-free" && uaf[0]!.free.fn, "devres_release_all");
    assert.deepEqual(run.unexpected, []);
  });

  it("without the declared findings the broken driver's run is a memory failure", () => {
    const r = loadScenarioFile(scenario("hotunplug-lateclose-devm"));
    assert.ok(r.ok);
    const run = runScenario({ ...r.scenario, checks: { ...r.scenario.checks, findings: [] } });
    assert.equal(run.verdict, "memory");
  });

  it("an expectation not met fails the run and says why", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - open: /dev/dri/card0
      as: card
      expect: ENODEV
    - ioctl: DRM_IOCTL_GET_CAP
      fd: $card
      args: { capability: 0x1 }
      expect: { value: 1 }
    - close: $card
`));
    assert.equal(run.verdict, "expectation");
    assert.deepEqual(run.steps.map((s) => [s.met, s.why ?? null]), [[false, "expected ENODEV, got success"], [true, null], [null, null]]);
  });

  it("a step whose named input failed reports an error; without expect it does not fail the run", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - open: /dev/dri/card9
      as: card
    - close: $card
`));
    assert.deepEqual(run.steps[0]!.outcome, { status: "errno", errno: "ENOENT" });
    assert.deepEqual(run.steps[1]!.outcome, { status: "error", message: '$card: no earlier step is named "card" (or it failed)' });
    assert.equal(run.steps[1]!.met, null);
    assert.equal(run.verdict, "pass");
    assert.match(formatRunText(run), /a#2 +close \$card = error: \$card: no earlier step is named "card" \(or it failed\)  \(no expect: not checked\)/);
  });

  it("a step whose named input failed fails the run when it has an expectation", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - open: /dev/dri/card0
      as: card
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 0, height: 0, bpp: 32 }
      as: bo
    - ioctl: DRM_IOCTL_MODE_MAP_DUMB
      fd: $card
      args: { handle: $bo.handle }
      expect: ok
`));
    assert.equal(run.steps[1]!.outcome.status, "errno", "CREATE_DUMB of 0x0 fails");
    assert.deepEqual([run.steps[2]!.met, run.steps[2]!.why], [false, '$bo.handle: no earlier step is named "bo" (or it failed)']);
    assert.equal(run.verdict, "expectation");
    assert.match(formatRunText(run), /\$bo.handle: no earlier step is named "bo" \(or it failed\) \(line 10\)/);
  });

  it("checks uevent order and device state, and reports which one failed", () => {
    const run = runScenario(scenarioFrom(`
programs:
  admin:
    - sysfs-write: /sys/bus/pci/drivers/vdisp/unbind
      value: "0000:01:00.0"
checks:
  uevents:
    - { ACTION: unbind, SUBSYSTEM: pci }
    - { ACTION: remove, DEVNAME: dri/card0 }
  devices:
    - { bdf: "0000:01:00.0", present: true, driver: null, nodes: [] }
`));
    assert.deepEqual(run.checks.map((c) => [c.what, c.met]), [
      ["uevent ACTION=unbind SUBSYSTEM=pci", true],
      ["uevent ACTION=remove DEVNAME=dri/card0", false],
      ["device 0000:01:00.0 present", true],
      ["device 0000:01:00.0 driver none", true],
      ["device 0000:01:00.0 nodes none", true],
    ]);
    assert.equal(run.verdict, "expectation");
  });

  it("programs rendezvous with signal and wait; wait-uevent times out with ETIMEDOUT", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - wait: go
    - wait-uevent: { ACTION: remove, SUBSYSTEM: drm }
      timeout: 5ms
      expect: ETIMEDOUT
  b:
    - sleep: 3ms
    - signal: go
`));
    assert.equal(run.verdict, "pass");
    const wait = run.steps.find((s) => s.program === "a" && s.step.index === 1)!;
    assert.ok(wait.endTick >= 3000, `wait ended at ${wait.endTick}`);
    const timeout = run.steps.find((s) => s.program === "a" && s.step.index === 2)!;
    assert.equal(timeout.endTick - timeout.startTick >= 5000, true);
  });

  it("the same seed gives the same run; the seed comes from the file unless overridden", () => {
    const a = runFile("hotunplug-lateclose", 5);
    const b = runFile("hotunplug-lateclose", 5);
    assert.equal(a.seed, 5);
    assert.deepEqual(a.steps.map((s) => [s.text, s.endTick]), b.steps.map((s) => [s.text, s.endTick]));
    assert.equal(runFile("hotunplug-lateclose").seed, 1);
    assert.equal(runScenario(scenarioFrom("world: { seed: 9 }\nprograms: { a: [{ sleep: 1 }] }\n")).seed, 9, "the file's seed");
    assert.equal(runScenario(scenarioFrom("world: { seed: 9 }\nprograms: { a: [{ sleep: 1 }] }\n"), { seed: 4 }).seed, 4, "--seed wins");
  });

  it("says when the command line overrode the file's seed, profile or kernel, in the header and the JSON", () => {
    const sc = scenarioFrom('world: { seed: 9, kernel: "6.8", profile: mainline }\nprograms: { a: [{ sleep: 1 }] }\n');
    const run = runScenario(sc, { seed: 4, kernel: "6.12", profile: "mainline" });
    assert.equal(run.kernel, "6.12");
    assert.deepEqual(run.overrides, { seed: { file: 9, used: 4 }, kernel: { file: "6.8", used: "6.12" } });
    assert.match(formatRunText(run), /^ {2}seed=4 profile=mainline kernel=6\.12 devices=.*\n {2}command line overrides the file: --seed 4 \(the file's world\.seed is 9\), --kernel 6\.12 \(the file's world\.kernel is 6\.8\)$/m);
    assert.deepEqual(runJson(run).overrides, { seed: { file: 9, used: 4 }, kernel: { file: "6.8", used: "6.12" } });
    assert.deepEqual(runScenario(sc).overrides, {});
    assert.doesNotMatch(formatRunText(runScenario(sc)), /overrides/);
  });

  it("rebind-20-times: every round gets card0 and renderD128 back and sees its uevents", () => {
    const run = runFile("rebind-20-times");
    assert.equal(run.verdict, "pass", run.steps.filter((s) => s.met === false).map((s) => s.why).join("; "));
    const devs = run.steps.flatMap((s) => (s.step.op.name === "sysfs-read" && s.outcome.status === "ok" ? [s.outcome.fields["text"]] : []));
    assert.deepEqual(new Set(devs), new Set(["226:0", "226:128"]));
    assert.equal(devs.length, 40);
    assert.equal(run.steps.filter((s) => s.step.op.name === "wait-uevent" && s.met === true).length, 60);
  });
});
