/**
 * devcoredump: a driver that saw its device hang hands the kernel a dump of the device's state,
 * which userspace collects from sysfs. Each dump is a virtual device `devcd<N>` (N counts from
 * 1 and is never reused) in the class `devcoredump`, with its `add` uevent; its `data` file
 * reads the dump; writing anything to `data` deletes it (its `remove` uevent), and so does its
 * timer, DEVCD_TIMEOUT (5 minutes) after it was made, when nobody collected it. `failing_device`
 * links to the device the dump is about, which gets a `devcoredump` link back while it lasts.
 *
 * A driver keeps one dump per device at a time: a dump made while one of the device's is still
 * there is dropped (the caller learns it, as dev_coredumpv() callers check with their own flag).
 *
 * @see drivers/base/devcoredump.c (dev_coredumpm(), devcd_data_write(), devcd_del())
 */
import { lookupStep, sleepTicks, step, ticksFromMs, type SimTask, type Task } from "../kernel/mod.js";
import { ok, type SysResult } from "../uapi/mod.js";
import { Device, deviceAdd, deviceDel, putDevice } from "./device.js";
import type { Kernel } from "./kernel.js";

/** How long a dump waits to be read before it is deleted. @see DEVCD_TIMEOUT */
export const DEVCD_TIMEOUT_MS = 5 * 60 * 1000;

interface Devcd {
  readonly dev: Device;
  readonly failing: Device;
  readonly data: string;
  deleted: boolean;
  timer: SimTask | null;
}

/** Per kernel: the dump count and each failing device's live dump (the model's index). */
interface DevcdState {
  count: number;
  readonly live: Map<Device, Devcd>;
  virtualRoot: Device | null;
}

const STATE = new WeakMap<Kernel, DevcdState>();

function stateOf(kernel: Kernel): DevcdState {
  let s = STATE.get(kernel);
  if (s === undefined) STATE.set(kernel, (s = { count: 0, live: new Map(), virtualRoot: null }));
  return s;
}

/** The dump of `failing` still in sysfs, if any: its `devcd<N>` name. */
export function devCoredumpOf(failing: Device): string | null {
  return stateOf(failing.kernel).live.get(failing)?.dev.name ?? null;
}

/** /sys/devices/virtual, the parent of class devices that have no device of their own. */
function virtualRoot(kernel: Kernel): Device {
  const s = stateOf(kernel);
  s.virtualRoot ??= new Device(kernel, { name: "virtual", parent: null, subsystem: "", persistent: true });
  return s.virtualRoot;
}

/**
 * Publishes `data` as a dump of `failing`; false (and nothing published) when `failing`
 * already has one. @see dev_coredumpv()
 */
export function* devCoredumpv(failing: Device, data: string): Task<boolean> {
  const kernel = failing.kernel;
  const s = stateOf(kernel);
  if (s.live.has(failing)) return false;
  s.count += 1;
  const dev = new Device(kernel, {
    name: `devcd${s.count}`,
    parent: virtualRoot(kernel),
    subsystem: "devcoredump",
    classDir: "devcoredump",
  });
  const cd: Devcd = { dev, failing, data, deleted: false, timer: null };
  s.live.set(failing, cd);
  yield* deviceAdd(dev, `/sys/class/devcoredump/${dev.name}`);
  yield step("dev_coredumpm", [], [dev, kernel.sysfs]);
  const sysfs = kernel.sysfs;
  sysfs.add(`${dev.sysfsPath}/data`, {
    kind: "attr",
    owner: dev,
    show: () => cd.data,
    store: (written) => devcdDataWrite(cd, written),
  });
  sysfs.add(`${dev.sysfsPath}/failing_device`, { kind: "link", target: failing.sysfsPath });
  sysfs.add(`${failing.sysfsPath}/devcoredump`, { kind: "link", target: dev.sysfsPath });
  cd.timer = kernel.sim.spawn(`devcd ${dev.name} timeout`, devcdTimeout(cd));
  return true;
}

/**
 * A write to `data`, whatever it says, deletes the dump now: the delayed work is run at once
 * (the timer task wakes early and finds the dump gone). @see devcd_data_write()
 */
function* devcdDataWrite(cd: Devcd, written: string): Task<SysResult<number>> {
  yield* devcdDel(cd);
  if (cd.timer !== null) cd.dev.kernel.sim.wake(cd.timer);
  return ok(written.length);
}

/** The delayed work: deletes the dump once DEVCD_TIMEOUT has passed. */
function* devcdTimeout(cd: Devcd): Task<void> {
  const wake = lookupStep("devcd_del", () => ({ reads: [], writes: cd.deleted ? [] : [cd.dev] }));
  yield sleepTicks(ticksFromMs(DEVCD_TIMEOUT_MS), wake);
  if (!cd.deleted) yield* devcdDel(cd);
}

/** @see devcd_del(): the links, the device, and the dump's memory. */
function* devcdDel(cd: Devcd): Task<void> {
  const kernel = cd.dev.kernel;
  yield step("devcd_del", [], [cd.dev, kernel.sysfs]);
  cd.deleted = true;
  stateOf(kernel).live.delete(cd.failing);
  kernel.sysfs.remove(`${cd.failing.sysfsPath}/devcoredump`);
  yield* deviceDel(cd.dev, `/sys/class/devcoredump/${cd.dev.name}`);
  yield step("devcd_del", [], [cd.dev]);
  putDevice(cd.dev);
}
