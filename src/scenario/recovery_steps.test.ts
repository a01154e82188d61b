/**
 * The recovery steps (rebind, bus-reset, cold-reset, reboot) and their built-in scenarios:
 * what each one writes, what a program holding the device sees, and the errors of each step.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ueventGet } from "../uapi/mod.js";
import { loadScenarioFile } from "./load.js";
import { runScenario, type ScenarioRun } from "./run.js";
import { errorsOf, scenarioFrom } from "./_testing.js";

const scenario = (name: string): string => fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));

/** A spinner on vtest's engine 0, its fence polled, while another program reboots. */
const GPU_LOAD = `
world:
  devices:
    - { bdf: "0000:01:00.0", driver: vtest }
programs:
  gpu:
    - open: { device: "0000:01:00.0", node: card }
      as: r
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $r
      args: { width: 1024, height: 1, bpp: 32 }
      as: batch
    - ioctl: DRM_IOCTL_MODE_MAP_DUMB
      fd: $r
      args: { handle: $batch.handle }
      as: off
    - mmap: $r
      offset: $off.offset
      length: $batch.size
      as: spin_map
    - ioctl: DRM_IOCTL_SYNCOBJ_CREATE
      fd: $r
      as: sync
    - ioctl: DRM_IOCTL_VTEST_SUBMIT
      fd: $r
      args: { engine: 0, flags: 2, batch: $batch.handle, out_syncobj: $sync.handle }
    - ioctl: DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD
      fd: $r
      args: { handle: $sync.handle, flags: 1 }
      as: fence
    - signal: spinning
    - poll: $fence.fd
      events: [POLLIN]
      timeout: 100s
      expect: SIGKILL
  admin:
    - wait: spinning
    - sleep: 1ms
    - reboot:
    - ls: /dev/dri
      expect: { names: [card0, renderD128] }
`;

function runFile(name: string, seed?: number): ScenarioRun {
  const r = loadScenarioFile(scenario(name));
  assert.ok(r.ok, `cannot load ${name}`);
  return runScenario(r.scenario, seed === undefined ? {} : { seed });
}

function failures(run: ScenarioRun): string {
  return [...run.steps.filter((s) => s.met === false).map((s) => `${s.text}: ${s.why}`), ...run.checks.filter((c) => !c.met).map((c) => c.what)].join("; ");
}

/** "ACTION SUBSYSTEM DEVNAME-or-slot" of each uevent the run saw. */
function uevents(run: ScenarioRun): string[] {
  return run.uevents.map(({ event }) => `${event.action} ${ueventGet(event, "DEVNAME") ?? ueventGet(event, "PCI_SLOT_NAME") ?? ueventGet(event, "DEVTYPE")}`);
}

/** The calls each step of `program` named `op` made, as "op(args) = ret". */
function callsOf(run: ScenarioRun, program: string, op: string): string[][] {
  return run.steps.filter((s) => s.program === program && s.step.op.name === op)
    .map((s) => s.calls.map((c) => `${c.op}(${c.args}) = ${c.ret}`));
}

describe("recovery steps", () => {
  it("rebind reads the driver link, then writes the address to unbind and bind; the held instance keeps its minors until its last user lets go", () => {
    const run = runFile("recover-rebind");
    assert.equal(run.verdict, "pass", failures(run));
    const rebind = (old: number, fresh: number): string[] => [
      "remove drm_connector", `remove dri/card${old}`, `remove dri/renderD${128 + old}`, "unbind 0000:01:00.0",
      `add dri/renderD${128 + fresh}`, `add dri/card${fresh}`, "add drm_connector", `change dri/card${fresh}`, "bind 0000:01:00.0",
    ];
    // The first rebind while app holds card0; the second after app let go: card0 is free again.
    assert.deepEqual(uevents(run), [...rebind(0, 1), ...rebind(1, 0)]);
    const old = run.steps.find((st) => st.program === "app" && st.text.startsWith("ioctl 3, DRM_IOCTL_VERSION"));
    assert.deepEqual(old?.outcome, { status: "errno", errno: "ENODEV" });
    assert.deepEqual(run.findings, [], "no leak, no memory finding");
    assert.deepEqual(callsOf(run, "admin", "rebind")[0]?.map((c) => c.replace(/ = .*/, "")), [
      'readlink(/sys/bus/pci/devices/0000:01:00.0/driver)',
      'write_file(/sys/bus/pci/drivers/vdisp/unbind, "0000:01:00.0")',
      'write_file(/sys/bus/pci/drivers/vdisp/bind, "0000:01:00.0")',
    ]);
  });

  it("bus-reset: the reset way sends no uevent of its own; the remove-rescan way removes and adds the pci_dev", () => {
    for (let seed = 1; seed <= 3; seed++) {
      const run = runFile("recover-bus-reset", seed);
      assert.equal(run.verdict, "pass", failures(run));
      assert.deepEqual(run.findings, []);
    }
    const run = runFile("recover-bus-reset");
    const pci = uevents(run).filter((u) => u.endsWith("0000:01:00.0"));
    assert.deepEqual(pci, [
      "unbind 0000:01:00.0", "bind 0000:01:00.0",
      "unbind 0000:01:00.0", "remove 0000:01:00.0", "add 0000:01:00.0", "bind 0000:01:00.0",
    ]);
    const [, rescan] = callsOf(run, "admin", "bus-reset");
    assert.deepEqual(rescan?.filter((c) => c.startsWith("write_file")).map((c) => c.replace(/ = .*/, "")), [
      'write_file(/sys/bus/pci/drivers/virtio-pci/unbind, "0000:01:00.0")',
      'write_file(/sys/bus/pci/devices/0000:01:00.0/remove, "1")',
      'write_file(/sys/bus/pci/rescan, "1")',
    ], "the rescan probed the device: no bind");
  });

  it("cold-reset finds the slot by its address and powers it off and on; pciehp removes and adds the device", () => {
    const run = runFile("recover-cold-reset");
    assert.equal(run.verdict, "pass", failures(run));
    assert.deepEqual(uevents(run), [
      "remove drm_connector", "remove dri/card0", "remove dri/renderD128",
      "unbind 0000:01:00.0", "remove 0000:01:00.0",
      "add 0000:01:00.0", "add dri/renderD129", "add dri/card1", "add drm_connector",
      "change dri/card1", "bind 0000:01:00.0",
    ]);
    const writes = callsOf(run, "admin", "cold-reset")[0]?.filter((c) => c.startsWith("write_file"));
    assert.deepEqual(writes, ['write_file(/sys/bus/pci/slots/1/power, "0") = 1', 'write_file(/sys/bus/pci/slots/1/power, "1") = 1']);
    const step = run.steps.find((s) => s.step.op.name === "cold-reset");
    assert.ok(step !== undefined && step.endTick - step.startTick >= 1_100_000, "pciehp's 1 s after power-off and 100 ms of link training");
  });

  it("reboot: the holder's pending read ends with SIGKILL, the admin goes on in a new process, minors from 0, no uevent of the teardown recorded", () => {
    const run = runFile("recover-reboot");
    assert.equal(run.verdict, "pass", failures(run));
    const killed = run.steps.find((s) => s.program === "app" && s.step.op.name === "read");
    assert.deepEqual(killed?.outcome, { status: "signal", signal: "SIGKILL" });
    assert.equal(run.steps.filter((s) => s.program === "app").length, 7, "the step after the kill never ran");
    const reboot = run.steps.find((s) => s.step.op.name === "reboot");
    assert.ok(reboot !== undefined && reboot.outcome.status === "ok");
    // The rebind's uevents, then nothing until the new kernel's programs act (none do).
    assert.equal(uevents(run).at(-1), "bind 0000:01:00.0");
    assert.equal(uevents(run).length, 9);
    assert.deepEqual(run.findings, []);
  });

  it("reboot with a spinner on the GPU: the waiter is killed, the job ends with its file, nothing hangs or leaks (seeds 1-4)", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const run = runScenario(scenarioFrom(GPU_LOAD), { seed });
      assert.equal(run.verdict, "pass", `seed ${seed}: ${failures(run)}`);
      assert.deepEqual(run.findings, []);
    }
  });

  it("two programs reboot at once: one reboot happens, the other program is killed in its reboot", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const run = runScenario(scenarioFrom(`
programs:
  a:
    - reboot:
    - ls: /dev/dri
      expect: { names: [card0, renderD128] }
  b:
    - reboot:
    - ls: /dev/dri
      expect: { names: [card0, renderD128] }
`), { seed });
      assert.equal(run.verdict, "pass", `seed ${seed}: ${failures(run)}`);
      const outcomes = run.steps.filter((st) => st.step.op.name === "reboot").map((st) => st.outcome.status === "ok" ? "rebooted" : st.outcome.status === "signal" ? st.outcome.signal : "?");
      assert.deepEqual(outcomes.sort(), ["SIGKILL", "rebooted"], `seed ${seed}`);
      assert.deepEqual(run.findings, []);
    }
  });

  it("the steps fail at the failing call with its errno, or say why they cannot run", () => {
    const run = runScenario(scenarioFrom(`
world:
  devices: [{ bdf: "0000:00:05.0", driver: vdisp }]
programs:
  admin:
    - sysfs-write: /sys/bus/pci/drivers/vdisp/unbind
      value: "0000:00:05.0"
    - rebind: "0000:00:05.0"
      expect: ENOENT
    - bus-reset: "0000:00:05.0"
      expect: ENOENT
    - cold-reset: "0000:00:05.0"
`));
    assert.equal(run.verdict, "pass", failures(run));
    assert.deepEqual(run.steps.at(-1)?.outcome, { status: "error", message: "no hot-plug slot in /sys/bus/pci/slots has the address of 0000:00:05.0" });
  });

  it("bad arguments are located load errors", () => {
    const errors = errorsOf(`
programs:
  a:
    - bus-reset: "0000:01:00.0"
      method: flr
    - reboot: now
    - cold-reset: 01:00.0
`);
    assert.deepEqual(errors, [
      'test.yaml:5:15: program a, step 1 method: unknown reset method "flr"; expected one of reset, remove-rescan',
      "test.yaml:6:15: program a, step 2 reboot: reboot takes no value: write `- reboot:`",
      "test.yaml:7:19: program a, step 3 cold-reset: expected a PCI bus address such as 0000:01:00.0",
    ]);
  });
});
