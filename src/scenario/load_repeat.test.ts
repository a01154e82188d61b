import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { runJson } from "./format_json.js";
import { formatRunText } from "./format_text.js";
import { STEPS_MAX } from "./limits.js";
import { runScenario } from "./run.js";

describe("scenario format: repeat", () => {
  it("runs its steps once per value, with $counter and ${counter} replaced, numbered in the program", () => {
    const sc = scenarioFrom(`programs:
  a:
    - sleep: 1
    - repeat: 3
      as: round
      steps:
        - signal: go-\${round}
        - sleep: $round
    - repeat: [card, render]
      as: node
      steps:
        - open: { device: "0000:01:00.0", node: $node }
          as: fd_\${node}
    - close: $fd_render
`);
    const steps = sc.programs[0]!.steps;
    assert.deepEqual(steps.map((s) => s.index), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(steps.map((s) => s.args), [
      { sleep: 1 },
      { signal: "go-1" }, { sleep: 1 }, { signal: "go-2" }, { sleep: 2 }, { signal: "go-3" }, { sleep: 3 },
      { open: { device: "0000:01:00.0", node: "card" } }, { open: { device: "0000:01:00.0", node: "render" } },
      { close: "$fd_render" },
    ]);
    assert.deepEqual(steps.map((s) => s.as ?? null).slice(7, 9), ["fd_card", "fd_render"]);
    assert.deepEqual(steps[4]!.copies, [{ kind: "repeat", as: "round", value: 2, n: 2, of: 3, line: 4 }]);
    assert.deepEqual(steps[8]!.copies, [{ kind: "repeat", as: "node", value: "render", n: 2, of: 2, line: 9 }]);
  });

  it("an error only one repetition has names the step and the repetition", () => {
    assert.deepEqual(errorsOf(`programs:
  a:
    - repeat: [card, render, rendr]
      as: node
      steps:
        - open: { device: "0000:01:00.0", node: $node }
`), [
      'test.yaml:6:49: program a, step 3 (repetition 3 of 3, node=rendr) open node: unknown node kind "rendr" (did you mean "render"?); expected one of card, render, accel',
    ]);
  });

  it("an error every repetition has is said once, with the count", () => {
    assert.deepEqual(errorsOf("programs:\n  a:\n    - repeat: 20\n      steps:\n        - sleep: 1\n          bogus: 2\n"), [
      'test.yaml:6:11: unknown key "bogus"; expected sleep (the same in 19 more copies of this step)',
    ]);
  });

  it("a failure when the step runs names the repetition in the timeline", () => {
    const run = runScenario(scenarioFrom(`programs:
  a:
    - repeat: [0, 0, 1]
      as: minor
      steps:
        - sysfs-read: /sys/class/drm/card0/dev
          expect: { text: "226:\${minor}" }
`));
    assert.equal(run.verdict, "expectation");
    assert.deepEqual(run.steps.map((s) => s.met), [true, true, false]);
    const text = formatRunText(run);
    assert.match(text, /a#1 +\[minor=0 1\/3\] read \/sys\/class\/drm\/card0\/dev = text=226:0 {2}\(expected text=226:0\)/);
    assert.match(text, /a#3 +\[minor=1 3\/3\] read \/sys\/class\/drm\/card0\/dev = text=226:0 {2}FAILED\n +expected text=226:1, got 226:0 \(line 6, repetition 3 of 3, minor=1\)/);
    assert.deepEqual((runJson(run).steps as { copies?: unknown }[])[2]!.copies, [{ kind: "repeat", as: "minor", value: 1, n: 3, of: 3, line: 3 }]);
  });

  it(`the steps of a scenario are at most ${STEPS_MAX}, counted after aliases and repeat`, () => {
    assert.deepEqual(errorsOf(`programs:\n  a:\n    - repeat: 100\n      steps:\n        - repeat: 101\n          steps:\n            - sleep: 1\n`), [
      `test.yaml:7:15: program a, step 1 steps [1] steps [1]: the scenario has more than ${STEPS_MAX} steps (counted after aliases and repeat), the most it may have`,
    ]);
    assert.deepEqual(errorsOf(`programs:\n  a:\n    - repeat: ${STEPS_MAX + 1}\n      steps: [{ sleep: 1 }]\n`), [
      `test.yaml:3:15: program a, step 1 repeat: expected a number of times (1..${STEPS_MAX}) or a list of values`,
    ]);
  });

  it("says what is wrong with a repeat: an expectation, a counter reused or used outside, a step of the same name", () => {
    assert.deepEqual(errorsOf(`programs:
  a:
    - repeat: 2
      steps: [{ sleep: 1 }]
      expect: ok
    - repeat: 2
      as: i
      steps:
        - repeat: 2
          as: i
          steps: [{ sleep: 1 }]
    - repeat: 0
      steps: [{ sleep: 1 }]
    - repeat: ["$x"]
      steps: [{ sleep: 1 }]
    - open: /dev/dri/card0
      as: i
    - sysfs-read: /sys/\${i.x}
`), [
      "test.yaml:5:7: a repeat has no result of its own; write expect: on the steps inside it",
      'test.yaml:10:15: program a, step 2 steps [1] as: "i" already counts an enclosing repeat; give this counter another name',
      `test.yaml:12:15: program a, step 3 repeat: expected a number of times (1..${STEPS_MAX}) or a list of values`,
      "test.yaml:14:16: program a, step 4 repeat [1]: a repeat value cannot hold $ (it would read as a reference)",
      'test.yaml:17:11: program a, step 1 as: "i" also counts a repeat; give the step another name',
    ]);
    assert.deepEqual(errorsOf("programs:\n  a:\n    - repeat: 2\n      as: i\n      steps: [{ sleep: 1 }]\n    - close: $i\n"), [
      'test.yaml:6:14: program a, step 3 close: $i: no step is named "i" ("i" counts a repeat, and is known only inside its steps)',
    ]);
  });
});
