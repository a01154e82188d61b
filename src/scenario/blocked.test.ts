import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseScenario } from "./load.js";
import { runScenario, type ScenarioRun } from "./run.js";
import { errorsOf, scenarioFrom } from "./_testing.js";

const BUILT_IN = fileURLToPath(new URL("../../scenarios/hotunplug-blocked-reader.yaml", import.meta.url));

function runText(text: string, seed?: number): ScenarioRun {
  const r = parseScenario(text, "blocked.yaml");
  assert.ok(r.ok, r.ok ? "" : r.errors.map((e) => e.message).join("; "));
  return runScenario(r.scenario, seed === undefined ? {} : { seed });
}

const blockedOf = (run: ScenarioRun) => run.blocked.map((b) => ({ step: `${b.record.program}#${b.record.step.index}`, outcome: b.record.outcome, unexpected: b.unexpected }));

describe("programs still blocked at the end", () => {
  const text = readFileSync(BUILT_IN, "utf8");

  it("a reader asleep in read() while the device is removed, declared may-end-blocked, passes on every seed", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const run = runText(text, seed);
      assert.equal(run.verdict, "pass", `seed ${seed}`);
      assert.deepEqual(run.findings, [], `seed ${seed}: not a hang, and nothing leaks after the kill`);
      const [b] = blockedOf(run);
      assert.equal(b?.step, "reader#3");
      assert.equal(b.unexpected, false);
      assert.ok(b.outcome.status === "blocked");
      assert.deepEqual([b.outcome.call, b.outcome.wait, b.outcome.state], ["read(3, 4096)", "drm_read on card0", "interruptible"]);
    }
  });

  it("the same reader without the declaration ends with verdict blocked, reported once with its call", () => {
    const undeclared = text.replace("    may-end-blocked: true\n", "").replace(/^ {8}expect: blocked\n/m, "");
    assert.notEqual(undeclared, text);
    const run = runText(undeclared);
    assert.equal(run.verdict, "blocked");
    assert.deepEqual(run.findings, []);
    const blocked = blockedOf(run);
    assert.equal(blocked.length, 1);
    assert.equal(blocked[0]!.unexpected, true);
    const read = run.steps.filter((s) => s.program === "reader" && s.step.index === 3);
    assert.equal(read.length, 1, "the pending read is one step record");
    assert.equal(read[0]!.met, null);
  });

  it("a step that expects blocked but returns fails the run and says why", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - open: /dev/dri/card0
      as: card
    - read: $card
      timeout: 1ms
      expect: blocked
`));
    assert.equal(run.verdict, "expectation");
    assert.equal(run.steps[1]!.why, "expected the call still blocked at the end, got -1 EINTR");
    assert.deepEqual(run.blocked, []);
  });

  it("a step expecting a result that never returns is not met, and the program counts as blocked", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - open: /dev/dri/card0
      as: card
    - read: $card
      expect: ok
`));
    assert.equal(run.verdict, "blocked");
    assert.match(run.steps[1]!.why ?? "", /^expected success, got still blocked in read\(3, 4096\) since 0\.0000\d\d \(asleep interruptibly on drm_read on card0\)$/);
  });

  it("a wait for a signal that never comes is a program blocked outside any system call", () => {
    const run = runScenario(scenarioFrom(`
programs:
  a:
    - wait: go
  b:
    may-end-blocked: true
    steps:
      - open: /dev/dri/card0
        as: card
      - read: $card
      - signal: go
`));
    assert.equal(run.verdict, "blocked");
    assert.deepEqual(blockedOf(run).map((b) => [b.step, b.outcome.status === "blocked" && b.outcome.call, b.unexpected]), [
      ["a#1", null, true],
      ["b#2", "read(3, 4096)", false],
    ]);
    const wait = run.blocked[0]!.record.outcome;
    assert.equal(wait.status === "blocked" && wait.wait, 'scenario signal "go"');
  });

  it("reads a program as a mapping with steps and may-end-blocked, and names a bad one", () => {
    const sc = scenarioFrom("programs:\n  d: { may-end-blocked: true, steps: [{ sleep: 1 }] }\n  e: [{ sleep: 2 }]\n");
    assert.deepEqual(sc.programs.map((p) => [p.name, p.mayEndBlocked, p.steps.length]), [["d", true, 1], ["e", false, 1]]);
    assert.deepEqual(errorsOf("programs:\n  d: { steps: [{ slep: 1 }], may-end-block: true }\n"), [
      'test.yaml:2:18: unknown step "slep" (did you mean "sleep"?)',
      'test.yaml:2:30: unknown key "may-end-block" (did you mean "may-end-blocked"?); expected steps, may-end-blocked, service, stop-timeout',
    ]);
    assert.deepEqual(errorsOf("programs:\n  d: 3\n"), [
      "test.yaml:2:6: programs.d: expected a list of steps, or a mapping {steps: [...], may-end-blocked: true, service: true}",
    ]);
  });
});
