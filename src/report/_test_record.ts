/**
 * Run records for the report tests, made by running a tiny simulation: a driver probes a
 * device, an app opens it and waits for an event, the device is unplugged and its drm_device
 * freed, and the app's next ioctl touches the freed device (a use-after-free). A label holds
 * markup, to check that the report escapes it. The drm_device belongs to the PCI device here,
 * so that one lane holds them all.
 * @internal
 */
import { Sim, type SimTask } from "../kernel/sim.js";
import { sleepTicks, step, type Task } from "../kernel/task.js";
import { WaitQueue, waitEvent } from "../kernel/wait_queue.js";
import type { RunRecord } from "./run_record.js";

export const HOSTILE_LABEL = `card0 <script>alert("pwned")</script>`;
export const PCI_NAME = "0000:01:00.0";

/** A failing run with one use-after-free and two leaks. */
export function uafRunRecord(): RunRecord {
  const sim = new Sim({ seed: 42 });
  const pci = sim.alloc("pci_dev", { label: PCI_NAME, kind: "static", persistent: true });
  const eventQueue = new WaitQueue(sim, "drm_file.event_wait");
  let unplugged = false;
  let dev: { mem: ReturnType<Sim["alloc"]> } | null = null;
  const call = (startTick: number, task: number, op: string, args: string, ret: string, errno: string | null): void =>
    sim.trace.push({ t: "call", tick: sim.now, startTick, task, op, args, input: null, ret, errno, output: null });

  function* probe(): Task<void> {
    yield step("bochs_pci_probe");
    const mem = sim.alloc("drm_device", { kind: "kzalloc", owner: { mem: pci } });
    dev = { mem };
    yield step("drm_dev_register", [], [dev]);
    sim.alloc("drm_minor", { kind: "drmm_kzalloc", label: "drm_minor card0", owner: dev });
    sim.relabel(mem, HOSTILE_LABEL);
    sim.trace.push({ t: "uevent", tick: sim.now, seqnum: 1, action: "add", devpath: "/devices/pci0000:00/0000:01:00.0/drm/card0", env: [["SUBSYSTEM", "drm"], ["DEVNAME", "dri/card0"], ["MAJOR", "226"]] });
  }

  function* app(task: () => number): Task<void> {
    yield sleepTicks(5);
    let start = sim.now;
    yield step("drm_open");
    sim.alloc("drm_file", { kind: "kzalloc", label: "drm_file (app)", owner: dev ?? undefined });
    call(start, task(), "open", `"/dev/dri/card0", O_RDWR`, "3", null);
    yield* waitEvent(eventQueue, "drm_read", () => unplugged);
    start = sim.now;
    yield step("drm_ioctl", dev === null ? [] : [dev]);
    call(start, task(), "ioctl", "3, DRM_IOCTL_VERSION", "-1", "ENODEV");
  }

  function* unplug(): Task<void> {
    yield sleepTicks(20);
    sim.note("user pulls the cable");
    yield step("pci_stop_and_remove_bus_device");
    sim.trace.push({ t: "uevent", tick: sim.now, seqnum: 2, action: "remove", devpath: "/devices/pci0000:00/0000:01:00.0/drm/card0", env: [["SUBSYSTEM", "drm"], ["ACTION", "remove"]] });
    if (dev !== null) sim.free(dev.mem, "drm_dev_release");
    unplugged = true;
    eventQueue.wakeUpAll();
  }

  sim.spawn("kworker/0:1", probe(), { kind: "kernel" });
  const appTask: SimTask = sim.spawn("app", app((): number => appTask.id), { kind: "user" });
  sim.spawn("unplug", unplug(), { kind: "kernel" });
  sim.run();
  sim.reportLeaks();
  return {
    title: "unplug-while-reading",
    seed: sim.seed,
    profile: "mainline 6.12",
    verdict: "memory",
    replay: "vdrm run unplug-while-reading --seed=42",
    events: sim.trace.events,
  };
}

/** A passing run with nothing but a probe, for a second tab. */
export function passRunRecord(): RunRecord {
  const sim = new Sim({ seed: 7 });
  sim.runTask("kworker/1:0", (function* (): Task<void> {
    yield step("vkms_probe");
    const mem = sim.alloc("drm_device", { label: "card1" });
    yield step("vkms_remove");
    sim.free(mem, "drm_dev_release");
  })());
  return {
    title: "vkms-probe-remove",
    seed: sim.seed,
    profile: "mainline 6.12",
    verdict: "pass",
    replay: "vdrm run vkms-probe-remove --seed=7",
    events: sim.trace.events,
  };
}
