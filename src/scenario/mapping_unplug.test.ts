/**
 * The built-in scenarios of buffers mapped across unplug, run as `vdrm run` runs them: the
 * shmem bytes of virtio-gpu surviving the removal (R52), and the DMA-helper driver's SIGBUS
 * caught as a program killed (D7, R53), which stops the program where it happened and makes the
 * run a memory failure unless the scenario declares it. Also the D6 profile switch: the same
 * new mmap that fails with ENODEV in mainline maps under uapi-doc.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { findingSummary } from "../kernel/mod.js";
import { loadScenarioFile } from "./load.js";
import { runScenario, type ScenarioRun } from "./run.js";
import { scenarioFrom } from "./_testing.js";

function builtin(name: string) {
  const r = loadScenarioFile(fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url)));
  assert.ok(r.ok, `cannot load ${name}`);
  return r.scenario;
}

function outcomes(run: ScenarioRun, program: string): string[] {
  return run.steps.filter((s) => s.program === program).map((s) => {
    const o = s.outcome;
    if (o.status === "ok") return `${s.step.op.name} ok`;
    return `${s.step.op.name} ${o.status === "errno" ? o.errno : o.status === "signal" ? o.signal : o.status}`;
  });
}

describe("virtio-shmem-unplug", () => {
  it("passes: the mapping reads the bytes written before the removal, ioctls and a new mmap are ENODEV", () => {
    const run = runScenario(builtin("virtio-shmem-unplug"));
    assert.equal(run.verdict, "pass", run.steps.filter((s) => s.met === false).map((s) => s.why).join("; "));
    const reads = run.steps.filter((s) => s.step.op.name === "mem-read");
    assert.deepEqual(reads.map((s) => (s.outcome.status === "ok" ? s.outcome.fields["fill"] : s.outcome.status)), [0xc3, 0x11]);
    assert.deepEqual(run.findings, []);
  });
});

describe("hotunplug-sigbus-dma", () => {
  it("is caught: SIGBUS on the zapped DMA mapping kills the program, which runs no further step", () => {
    const run = runScenario(builtin("hotunplug-sigbus-dma"));
    assert.equal(run.verdict, "pass");
    assert.deepEqual(outcomes(run, "app").slice(-3), ["wait ok", "ioctl ENODEV", "mem-read SIGBUS"]);
    assert.deepEqual(run.findings.map(findingSummary), [
      "app/1000: potentially unexpected fatal signal 7 (SIGBUS) at 0x7f0000000000 in a mapping of /dev/dri/card0",
    ]);
    assert.deepEqual(run.blocked, []);
  });

  it("without its declared finding the run is a memory failure (exit 3)", () => {
    const sc = builtin("hotunplug-sigbus-dma");
    const run = runScenario({ ...sc, checks: { ...sc.checks, findings: [] } });
    assert.equal(run.verdict, "memory");
    assert.deepEqual(run.unexpected.map((f) => f.kind), ["fatal-signal"]);
  });

  it("the same story on vdisp reads the dummy page instead: no signal, the program goes on", () => {
    const sc = builtin("hotunplug-sigbus-dma");
    const devices = [{ ...sc.world.devices[0]!, driver: "vdisp" }];
    const run = runScenario({ ...sc, world: { ...sc.world, devices }, checks: { ...sc.checks, findings: [], devices: [] } });
    const read = run.steps.find((s) => s.step.op.name === "mem-read");
    assert.deepEqual(read?.outcome.status === "ok" && read.outcome.fields["fill"], 0);
    assert.deepEqual(run.findings, []);
  });
});

describe("a new mmap after unplug (D6)", () => {
  const story = (profile: string) => `
world:
  profile: ${profile}
  devices:
    - { bdf: "0000:01:00.0", driver: virtio-gpu }
programs:
  app:
    - open: { device: "0000:01:00.0", node: render }
      as: r
    - ioctl: DRM_IOCTL_VIRTGPU_RESOURCE_CREATE
      fd: $r
      args: { target: 2, size: 4096 }
      as: res
    - ioctl: DRM_IOCTL_VIRTGPU_MAP
      fd: $r
      args: { handle: $res.bo_handle }
      as: map
    - mmap: $r
      offset: $map.offset
      length: 4096
      as: old
    - mem-write: $old
      fill: 0x42
      length: 4096
    - sysfs-write: /sys/bus/pci/devices/0000:01:00.0/remove
      value: 1
    - mmap: $r
      offset: $map.offset
      length: 4096
      as: fresh
`;
  it("is ENODEV in mainline (R46)", () => {
    const run = runScenario(scenarioFrom(story("mainline")));
    assert.deepEqual(outcomes(run, "app").at(-1), "mmap ENODEV");
  });

  it("maps under uapi-doc, and a read through it completes (R53)", () => {
    const run = runScenario(scenarioFrom(`${story("uapi-doc")}    - mem-read: $fresh
      length: 4096
`));
    assert.deepEqual(outcomes(run, "app").slice(-2), ["mmap ok", "mem-read ok"]);
    const read = run.steps.at(-1)?.outcome;
    assert.equal(read?.status === "ok" && read.fields["fill"], 0x42, "shmem: the buffer's own bytes");
  });
});
