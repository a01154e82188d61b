/**
 * The ioctl step against its uapi struct: misspelled or misplaced fields in `args:` and in
 * `expect:` are located errors with a suggestion, values out of their C type's range are
 * refused at load (and `$names` when the step runs), and 64-bit values stay exact from the
 * YAML text to the handler, the result, the timeline and the JSON.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { jsonText } from "../kernel/mod.js";
import { formatRunText } from "./format_text.js";
import { runJson } from "./format_json.js";
import { runScenario } from "./run.js";
import { errorsOf, scenarioFrom } from "./_testing.js";

/** A scenario whose one program opens the card and then runs `steps` (YAML, indented 4). */
function program(steps: string): string {
  return `programs:
  app:
    - open: /dev/dri/card0
      as: card
${steps}`;
}

describe("ioctl step: loading", () => {
  test("a misspelled field of args is an error at its key, with the closest input field", () => {
    const errors = errorsOf(
      program(`    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { widht: 64, height: 64, bpp: 32 }
`),
    );
    assert.deepEqual(errors, [
      'test.yaml:7:15: unknown field "widht" of struct drm_mode_create_dumb (did you mean "width"?); DRM_IOCTL_MODE_CREATE_DUMB reads height, width, bpp, flags',
    ]);
  });

  test("an output field in args, and an input field in expect, are errors that name the right side", () => {
    assert.deepEqual(
      errorsOf(
        program(`    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 64, height: 64, bpp: 32, handle: 1 }
`),
      ),
      [
        'test.yaml:7:47: "handle" is an output of DRM_IOCTL_MODE_CREATE_DUMB, not an input; DRM_IOCTL_MODE_CREATE_DUMB reads height, width, bpp, flags',
      ],
    );
    assert.deepEqual(
      errorsOf(
        program(`    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 64, height: 64, bpp: 32 }
      expect: { width: 64, hnadle: 1, size: -4096 }
`),
      ),
      [
        'test.yaml:8:17: "width" is an input of DRM_IOCTL_MODE_CREATE_DUMB, not a result; DRM_IOCTL_MODE_CREATE_DUMB returns handle, pitch, size',
        'test.yaml:8:28: unknown field "hnadle" of struct drm_mode_create_dumb (did you mean "handle"?); DRM_IOCTL_MODE_CREATE_DUMB returns handle, pitch, size',
        "test.yaml:8:45: program app, step 2 expect size: -4096 is out of range (__u64, 0..18446744073709551615)",
      ],
    );
  });

  test("values out of their field's range are located errors: negative or above 2^32-1 for __u32, above 2^64-1 for __u64", () => {
    const errors = errorsOf(
      program(`    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: -1, height: 4294967296, bpp: 4294967295 }
    - ioctl: DRM_IOCTL_MODE_ATOMIC
      fd: $card
      args: { user_data: 18446744073709551616, reserved: 18446744073709551615 }
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 1.5, bpp: "32" }
`),
    );
    assert.deepEqual(errors, [
      "test.yaml:7:22: program app, step 2 args width: -1 is out of range (__u32, 0..4294967295)",
      "test.yaml:7:34: program app, step 2 args height: 4294967296 is out of range (__u32, 0..4294967295)",
      "test.yaml:10:26: program app, step 3 args user_data: 18446744073709551616 is out of range (__u64, 0..18446744073709551615)",
      "test.yaml:13:22: program app, step 4 args width: expected an integer (__u32), got 1.5",
      "test.yaml:13:32: program app, step 4 args bpp: expected an integer (__u32)",
    ]);
  });

  test("an unknown ioctl name has a suggestion; a bare number without a known struct takes no args", () => {
    const errors = errorsOf(
      program(`    - ioctl: DRM_IOCTL_VERSON
      fd: $card
    - ioctl: 0x6403
      fd: $card
      args: { irq: 1 }
`),
    );
    assert.deepEqual(errors, [
      'test.yaml:5:14: program app, step 2 ioctl: unknown ioctl "DRM_IOCTL_VERSON" (did you mean "DRM_IOCTL_VERSION"?)',
      "test.yaml:9:15: no uapi struct is known for request 0x6403: it takes no args",
    ]);
  });

  test("a number that is a known ioctl's request takes that ioctl's fields", () => {
    const sc = scenarioFrom(
      program(`    - ioctl: 0xc01064b3
      fd: $card
      args: { handle: 7 }
      expect: ENOENT
`),
    );
    const run = runScenario(sc);
    assert.equal(run.verdict, "pass");
    assert.equal(
      run.steps[1]?.text,
      "ioctl $card, DRM_IOCTL_MODE_MAP_DUMB {handle=7}".replace("$card", "3"),
    );
  });
});

describe("ioctl step: running", () => {
  test("a $name value is checked against the field when the step runs", () => {
    const sc = scenarioFrom(
      program(`    - ioctl: DRM_IOCTL_GET_MAGIC
      fd: $card
      as: m
    - ioctl: DRM_IOCTL_SET_VERSION
      fd: $card
      args: { drm_di_major: $card.path }
`),
    );
    const run = runScenario(sc);
    const last = run.steps.at(-1);
    assert.deepEqual(last?.outcome, {
      status: "error",
      message: "args.drm_di_major: expected an integer (int)",
    });
  });

  test("__u64 values stay exact from the file to the handler, the result, the timeline and the JSON", () => {
    const sc = scenarioFrom(
      program(`    - ioctl: DRM_IOCTL_SET_CLIENT_CAP
      fd: $card
      args: { capability: 3, value: 1 }
      expect: ok
    - ioctl: DRM_IOCTL_MODE_ATOMIC
      fd: $card
      args: { flags: 0x100, user_data: 18446744073709551615 }
      expect: ok
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 64, height: 64, bpp: 32 }
      as: bo
      expect: { size: 16384 }
    - ioctl: DRM_IOCTL_MODE_MAP_DUMB
      fd: $card
      args: { handle: $bo.handle }
      expect: { offset: 4294967296 }
`),
    );
    const run = runScenario(sc);
    assert.equal(run.verdict, "pass", run.steps.map((s) => s.why).join("; "));
    const atomic = run.steps[2]!;
    assert.equal(atomic.calls.length, 1);
    assert.equal(
      atomic.calls[0]!.input?.["user_data"],
      18446744073709551615n,
      "the handler saw the exact value",
    );
    const text = formatRunText(run);
    assert.match(
      text,
      /ioctl 3, DRM_IOCTL_MODE_ATOMIC \{flags=256, user_data=18446744073709551615\}/,
    );
    assert.match(text, /size=16384 /);
    const json = jsonText(runJson(run));
    assert.match(json, /"user_data":18446744073709551615/);
    assert.match(json, /"result":\{"status":"ok","fields":\{"offset":4294967296\}\}/);
  });

  test("a step's call record is the trace's: the JSON lists each call with its fields in and out", () => {
    const sc = scenarioFrom(
      program(`    - ioctl: DRM_IOCTL_GET_CAP
      fd: $card
      args: { capability: 0x1 }
      expect: { value: 1 }
`),
    );
    const run = runScenario(sc);
    const step = run.steps[1]!;
    assert.ok(
      run.world.sim.trace.events.includes(step.calls[0]!),
      "the same object the trace keeps",
    );
    const json = runJson(run) as { steps: { calls: unknown[] }[] };
    assert.deepEqual(json.steps[1]?.calls, [
      {
        op: "ioctl",
        args: "3, DRM_IOCTL_GET_CAP",
        input: { capability: 1n },
        ret: "0",
        errno: null,
        output: { value: 1n },
        startUs: step.calls[0]!.startTick,
        endUs: step.calls[0]!.tick,
      },
    ]);
  });
});
