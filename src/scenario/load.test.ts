import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf, scenarioFrom } from "./_testing.js";

describe("scenario loading", () => {
  it("reads world, programs, steps with names and expectations, and checks", () => {
    const sc = scenarioFrom(`
name: t
world: { seed: 9, kernel: "6.12", profile: uapi-doc, devices: [{ bdf: "0000:02:00.0", driver: bochs-drm, vram: 4MiB }] }
programs:
  app:
    - open: /dev/dri/card0
      as: fd
      expect: ENODEV
    - close: $fd
      expect: { ret: 0 }
checks:
  findings: [warn]
  devices: [{ bdf: "0000:02:00.0", present: true, driver: null }]
`);
    assert.equal(sc.name, "t");
    assert.deepEqual(sc.world, { seed: 9, profile: "uapi-doc", kernel: "6.12", devices: [{ bdf: "0000:02:00.0", driver: "bochs-drm", vramBytes: 4 * 1024 * 1024 }], slots: [] });
    const [open, close] = sc.programs[0]!.steps;
    assert.equal(open!.op.name, "open");
    assert.equal(open!.as, "fd");
    assert.deepEqual(open!.expect, { kind: "errno", errno: "ENODEV" });
    assert.equal(open!.line, 6);
    assert.deepEqual(close!.expect, { kind: "fields", fields: { ret: 0 } });
    assert.deepEqual(sc.checks, { clean: true, findings: ["warn"], uevents: [], devices: [{ bdf: "0000:02:00.0", present: true, driver: null }] });
  });

  it("accepts JSON", () => {
    const sc = scenarioFrom(`{"programs": {"a": [{"sleep": "2ms"}]}}`, "t.json");
    assert.equal(sc.name, "t");
    assert.equal(sc.programs[0]!.steps[0]!.op.name, "sleep");
  });

  it("flattens a nested list of steps, so YAML aliases of snippets work", () => {
    const sc = scenarioFrom(`
snippets:
  twice: &twice
    - sleep: 1
    - sleep: 2
programs:
  a: [*twice, { sleep: 3 }, *twice]
`);
    assert.deepEqual(sc.programs[0]!.steps.map((s) => (s.args as { sleep: number }).sleep), [1, 2, 3, 1, 2]);
    assert.deepEqual(sc.programs[0]!.steps.map((s) => s.index), [1, 2, 3, 4, 5]);
  });

  it("reports every error with file, line and column, and suggests close names", () => {
    const errors = errorsOf(`world:
  kernel: 6.10
  devices: [{ bdf: "0000:01:00.0", driver: vdsp }]
programs:
  app:
    - opne: /dev/dri/card0
    - ioctl: DRM_IOCTL_VERSON
      fd: 3
    - ioctl: DRM_IOCTL_VERSION
      fd: $crad
      argz: {}
    - close: 3
      expect: ENODV
checks:
  findings: [use-after-fre]
`);
    assert.deepEqual(errors, [
      'test.yaml:2:11: world.kernel: write the kernel version as a string, e.g. "6.1" (YAML reads 6.10 as the number 6.1)',
      'test.yaml:3:44: world.devices[1].driver: unknown driver "vdsp" (did you mean "vdisp"?); built-in drivers: vdisp, vdisp-devm, vdisp-dma, vdisp-noenter, vdisp-waitclose, bochs-drm, vtest, vtest-nosignal, vtest-drain, xe, xe-early-wedge, i915, amdgpu, amdgpu-tdr-noenter, virtio-gpu',
      'test.yaml:6:7: unknown step "opne" (did you mean "open"?)',
      'test.yaml:7:14: program app, step 2 ioctl: unknown ioctl "DRM_IOCTL_VERSON" (did you mean "DRM_IOCTL_VERSION"?)',
      'test.yaml:11:7: unknown key "argz" (did you mean "args"?); expected ioctl, fd, args',
      'test.yaml:13:15: program app, step 4 expect: unknown "ENODV" (did you mean "ENODEV"?); expected ok, blocked, an errno name (ENODEV, ...), SIGBUS, SIGKILL, SIGTERM, a mapping of result fields or {one-of: [...]}',
      'test.yaml:15:14: checks.findings[1]: unknown finding kind or class "use-after-fre" (did you mean "use-after-free"?); expected one of use-after-free, double-free, kref-underflow, kref-get-after-release, hang, hung-task, fence-never-signalled, wait-never-woken, leak, warn, fatal-signal, wedge-prerequisite, hardware-after-unplug, undeclared-access, memory, footprint',
    ]);
  });

  it("rejects references to names no step defines, and waits nobody signals", () => {
    assert.deepEqual(errorsOf(`programs:
  a:
    - open: /dev/dri/card0
      as: card
    - close: $crad
    - sysfs-read: /sys/class/drm/\${car.node}/dev
    - wait: go
`), [
      'test.yaml:5:14: program a, step 2 close: $crad: no step is named "crad" (did you mean "card"?)',
      'test.yaml:6:19: program a, step 3 sysfs-read: ${car.node}: no step is named "car" (did you mean "card"?)',
      'test.yaml:7:13: program a, step 4 wait: no program signals "go"',
    ]);
  });

  it("reports YAML syntax errors with their position", () => {
    assert.deepEqual(errorsOf("programs:\n  a:\n    - open: [\n"), ["test.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]"]);
  });

  it("says what is missing and what a step must look like", () => {
    assert.deepEqual(errorsOf(`programs:\n  a:\n    - open: { device: "0000:01:00.0" }\n    - 42\n    - { open: /dev/null, close: 3 }\n`), [
      'test.yaml:3:13: program a, step 1 open: missing "node" (string)',
      "test.yaml:4:7: program a, step 2: a step is a mapping such as {open: /dev/dri/card0, as: fd}",
      "test.yaml:5:7: program a, step 3: a step does one thing; it names open and close",
    ]);
    assert.deepEqual(errorsOf("name: x\n"), ['test.yaml:1:1: missing "programs" (record)']);
  });
});
