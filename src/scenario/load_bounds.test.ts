import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { formatRunText } from "./format_text.js";
import { ERRORS_SHOWN_MAX } from "./limits.js";
import { runScenario } from "./run.js";

describe("scenario loading: sizes, references and user text are bounded", () => {
  it("memory lengths and offsets: negative, zero where meaningless, or huge are located errors", () => {
    assert.deepEqual(errorsOf(`programs:
  a:
    - mem-read: 4096
      length: -5
    - mem-read: 4096
      length: 0
    - mem-write: 4096
      fill: 1
      length: 4294967295
    - mem-write: 4096
      fill: 1
      length: 16
      offset: -1
    - mmap: 3
      offset: -4096
      length: 4096
    - munmap: 4096
      length: 1.5
`), [
      "test.yaml:4:15: program a, step 1 length: must be at least 1",
      "test.yaml:6:15: program a, step 2 length: must be at least 1",
      "test.yaml:9:15: program a, step 3 length: must be at most 64 MiB (67108864 bytes)",
      "test.yaml:13:15: program a, step 4 offset: must be at least 0",
      "test.yaml:15:15: program a, step 5 offset: must be at least 0",
      "test.yaml:18:15: program a, step 6 length: expected a whole number of bytes",
    ]);
  });

  it("a read count, a poll mask and a memory address are bounded too", () => {
    assert.deepEqual(errorsOf(`programs:
  a:
    - read: 3
      count: 4294967296
    - poll: 3
      events: 65536
    - mem-read: -4096
      length: 1
`), [
      "test.yaml:4:14: program a, step 1 count: must be at most 2147479552 (MAX_RW_COUNT)",
      "test.yaml:6:15: program a, step 2 events: a poll mask fits in 16 bits (0..0xffff)",
      "test.yaml:7:17: program a, step 3 mem-read: must be at least 0",
    ]);
  });

  it("a length from a reference is checked when the step runs, before any memory is taken", () => {
    const run = runScenario(scenarioFrom(`programs:
  a:
    - open: /dev/dri/card0
      as: card
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 8192, height: 4096, bpp: 32 }
      as: bo
    - mem-write: 4096
      fill: 1
      length: $bo.size
      expect: SIGSEGV
`));
    assert.deepEqual(run.steps[2]!.outcome, { status: "error", message: "length $bo.size = 134217728 is not a whole number in 1..64 MiB" });
    assert.equal(run.verdict, "expectation");
  });

  it("a card's VRAM is at most 1 TiB", () => {
    assert.deepEqual(errorsOf(`world:\n  devices: [{ bdf: "0000:01:00.0", driver: vdisp, vram: 2048GiB }]\nprograms:\n  a: [{ sleep: 1 }]\n`), [
      "test.yaml:2:57: world.devices[1].vram: expected a size from 1 byte to 1 TiB",
    ]);
  });

  it("reports an undefined name once per value however often the value repeats it, naming the reference", () => {
    const refs = "${x}".repeat(40_000);
    assert.deepEqual(errorsOf(`programs:\n  a:\n    - sysfs-read: "/sys/${refs}"\n    - sysfs-read: "/sys/\${x}/\${y}/\${x.f}"\n`), [
      'test.yaml:3:19: program a, step 1 sysfs-read: ${x}: no step is named "x"',
      'test.yaml:4:19: program a, step 2 sysfs-read: ${x}: no step is named "x"',
      'test.yaml:4:19: program a, step 2 sysfs-read: ${y}: no step is named "y"',
    ]);
  });

  it(`lists at most ${ERRORS_SHOWN_MAX} errors of a file and counts the others`, () => {
    const errors = errorsOf(`programs:\n  a:\n${"    - close: $nobody\n".repeat(150)}`);
    assert.equal(errors.length, ERRORS_SHOWN_MAX + 1);
    assert.equal(errors[0], 'test.yaml:3:14: program a, step 1 close: $nobody: no step is named "nobody"');
    assert.equal(errors[ERRORS_SHOWN_MAX], "test.yaml: 50 more errors not shown");
  });

  it("escapes CR, LF and other control characters of user text in one-line errors and the timeline", () => {
    assert.deepEqual(errorsOf('world:\n  devices: [{ bdf: "0000:01:00.0", driver: "vd\\r\\nisp" }]\nprograms:\n  a: [{ "sle\\u001bep": 1 }]\n'), [
      'test.yaml:2:44: world.devices[1].driver: unknown driver "vd\\r\\nisp" (did you mean "vdisp"?); built-in drivers: vdisp, vdisp-devm, vdisp-dma, vdisp-noenter, vdisp-waitclose, bochs-drm, vtest, vtest-nosignal, vtest-drain, xe, xe-early-wedge, i915, amdgpu, amdgpu-tdr-noenter, virtio-gpu',
      'test.yaml:4:9: unknown step "sle\\x1bep" (did you mean "sleep"?)',
    ]);
    const text = formatRunText(runScenario(scenarioFrom('description: "one\\r\\ntwo"\nprograms:\n  a:\n    - sysfs-read: "/sys/bus/pci/\\r\\nx"\n      expect: ok\n')));
    assert.match(text, /^ {2}one\\r\n {2}two$/m);
    assert.match(text, /a#1 +read \/sys\/bus\/pci\/\\r\\nx = -1 ENOENT {2}FAILED$/m);
  });
});
