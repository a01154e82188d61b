import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { sameValue } from "./expect.js";
import { runJson } from "./format_json.js";
import { formatRunText } from "./format_text.js";
import { runScenario } from "./run.js";

describe("scenario expectations", () => {
  it("sameValue() compares a number or true/false with text as printed or as written", () => {
    assert.equal(sameValue("1", 1), true);
    assert.equal(sameValue("0x10", 16, "0x10"), true);
    assert.equal(sameValue("16", 16, "0x10"), true);
    assert.equal(sameValue("true", true), true);
    assert.equal(sameValue(3, "3"), true);
    assert.equal(sameValue("01", 1), false);
    assert.equal(sameValue(null, "null"), false);
    assert.equal(sameValue(["1", "2"], [1, 2]), true);
    assert.equal(sameValue([1], [1, 2]), false);
  });

  it("`text: 0` matches the sysfs text 0, `text: 1` fails saying both values", () => {
    const run = runScenario(scenarioFrom(`world:
  slots: [2]
programs:
  a:
    - sysfs-read: /sys/bus/pci/slots/2/power
      expect: { text: 0 }
    - sysfs-read: /sys/bus/pci/slots/2/power
      expect: { text: 1 }
    - sysfs-read: /sys/bus/pci/slots/2/power
      expect: { text: 0x0 }
`));
    assert.deepEqual(run.steps.map((s) => [s.met, s.why ?? null]), [[true, null], [false, "expected text=1, got 0"], [true, null]]);
  });

  it("one-of accepts any of its forms, and says all of them when none holds", () => {
    const run = runScenario(scenarioFrom(`programs:
  a:
    - open: /dev/dri/card0
      as: card
      expect: { one-of: [ENOENT, { path: /dev/dri/card0 }] }
    - open: /dev/dri/card7
      expect: { one-of: [ok, ENOENT] }
    - open: /dev/dri/card7
      expect: { one-of: [ok, EBUSY, { one-of: [SIGBUS] }] }
`));
    assert.deepEqual(run.steps.map((s) => s.met), [true, true, false]);
    assert.equal(run.steps[2]!.why, "expected one of: ok | EBUSY | one of: SIGBUS; got -1 ENOENT (expected success, got -1 ENOENT; expected EBUSY, got -1 ENOENT; expected one of: SIGBUS; got -1 ENOENT (expected SIGBUS, got -1 ENOENT))");
    assert.match(formatRunText(run), /a#1 +open \/dev\/dri\/card0 = fd=3 path=\/dev\/dri\/card0 node=card0 {2}\(expected one of: ENOENT \| path=\/dev\/dri\/card0\)/);
  });

  it("refuses a one-of that is not alone, is empty, or holds an unknown outcome", () => {
    assert.deepEqual(errorsOf(`programs:
  a:
    - sleep: 1
      expect: { one-of: [ok], fd: 3 }
    - sleep: 1
      expect: { one-of: [] }
    - sleep: 1
      expect: { one-of: [ok, ENODV] }
    - sleep: 1
      expect: [ok, ENODEV]
`), [
      "test.yaml:4:15: program a, step 1 expect: one-of stands alone: expect: {one-of: [ok, ENODEV]}",
      "test.yaml:6:25: program a, step 2 expect one-of: expected a list of the allowed outcomes, e.g. [ok, ENODEV]",
      'test.yaml:8:30: program a, step 3 expect one-of [2]: unknown "ENODV" (did you mean "ENODEV"?); expected ok, blocked, an errno name (ENODEV, ...), SIGBUS, SIGKILL, SIGTERM, a mapping of result fields or {one-of: [...]}',
      "test.yaml:10:15: program a, step 4 expect: expected ok, blocked, an errno name (ENODEV, ...), SIGBUS, SIGKILL, SIGTERM, a mapping of result fields or {one-of: [...]}; for several allowed outcomes write {one-of: [...]}",
    ]);
  });

  it("prints an expectation with its references resolved, and keeps the reference in view", () => {
    const run = runScenario(scenarioFrom(`programs:
  a:
    - open: /dev/dri/card0
      as: card
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 64, height: 64, bpp: 32 }
      as: bo
    - ioctl: DRM_IOCTL_MODE_MAP_DUMB
      fd: $card
      args: { handle: $bo.handle }
      as: map
    - ioctl: DRM_IOCTL_MODE_MAP_DUMB
      fd: $card
      args: { handle: $bo.handle }
      expect: { offset: $map.offset }
`));
    assert.equal(run.verdict, "pass");
    assert.match(formatRunText(run), /a#4 +ioctl 3, DRM_IOCTL_MODE_MAP_DUMB \{handle=1\} = offset=4294967296 {2}\(expected offset=4294967296 \(\$map\.offset\)\)/);
    assert.equal((runJson(run).steps as { expect?: string }[])[3]!.expect, "offset=4294967296 ($map.offset)");
  });
});
