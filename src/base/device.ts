/**
 * struct device: a node of the device tree with a devpath, an optional device number and
 * node name, a driver, and its devres list. device_add() makes it visible (sysfs, devtmpfs,
 * an `add` uevent); device_del() takes it away (a `remove` uevent).
 *
 * @see device_add(), device_del(), dev_uevent() in drivers/base/core.c
 */
import { assert, KObject, Mutex, step, type Allocation, type Task } from "../kernel/mod.js";
import type { UeventAction } from "../uapi/mod.js";
import type { DevresNode } from "./devres.js";
import type { DeviceDriver } from "./driver.js";
import type { Kernel } from "./kernel.js";

export interface Devt {
  readonly major: number;
  readonly minor: number;
}

export interface DeviceInit {
  readonly name: string;
  readonly parent: Device | null;
  readonly subsystem: string;
  /** A class directory between the parent and the device (e.g. "drm" for card0). */
  readonly classDir?: string;
  readonly devtype?: string;
  readonly devt?: Devt;
  /** The node name relative to /dev, e.g. "dri/card0". */
  readonly devnode?: string;
  /** Bus- or class-specific uevent keys, appended after the core keys. */
  readonly busUevent?: (dev: Device, action: UeventAction) => [string, string][];
  /** The memory the struct lives in; by default an allocation of its own. */
  readonly mem?: Allocation;
  readonly persistent?: boolean;
}

export class Device extends KObject {
  static readonly fixedFields = ["kernel", "name", "parent", "subsystem", "classDir", "devtype", "devt", "devnode", "busUevent", "lock"];
  readonly name: string;
  readonly parent: Device | null;
  readonly subsystem: string;
  readonly classDir: string | null;
  readonly devtype: string | null;
  readonly devt: Devt | null;
  readonly devnode: string | null;
  readonly busUevent: ((dev: Device, action: UeventAction) => [string, string][]) | null;
  readonly devres: DevresNode[] = [];
  /** Serialises probe, remove and the sysfs bind/unbind of this device. @see device_lock() */
  readonly lock: Mutex;
  driver: DeviceDriver | null = null;
  drvdata: unknown = null;
  added = false;
  /** Set under the device lock at the start of device_del(); no driver may bind after. @see kill_device() */
  dead = false;
  /** References to the struct (get_device/put_device); the last put frees it. */
  refcount = 1;

  constructor(readonly kernel: Kernel, init: DeviceInit) {
    super(kernel.sim, init.mem ?? kernel.sim.alloc("device", { label: `device ${init.name}`, persistent: init.persistent ?? false }));
    this.name = init.name;
    this.parent = init.parent;
    this.subsystem = init.subsystem;
    this.classDir = init.classDir ?? null;
    this.devtype = init.devtype ?? null;
    this.devt = init.devt ?? null;
    this.devnode = init.devnode ?? null;
    this.busUevent = init.busUevent ?? null;
    this.lock = new Mutex(kernel.sim, `device_lock(${init.name})`, this);
  }

  get devpath(): string {
    if (this.parent === null) return `/devices/${this.name}`;
    return `${this.parent.devpath}${this.classDir ? `/${this.classDir}` : ""}/${this.name}`;
  }

  get sysfsPath(): string {
    return `/sys${this.devpath}`;
  }
}

/** The keys of a uevent for `dev`, in the kernel's order, without SEQNUM. */
export function deviceUeventEnv(dev: Device, action: UeventAction, extra: readonly (readonly [string, string])[] = []): [string, string][] {
  const env: [string, string][] = [["ACTION", action], ["DEVPATH", dev.devpath], ["SUBSYSTEM", dev.subsystem]];
  for (const [k, v] of extra) env.push([k, v]);
  if (dev.devt !== null) {
    env.push(["MAJOR", String(dev.devt.major)], ["MINOR", String(dev.devt.minor)]);
    if (dev.devnode !== null) env.push(["DEVNAME", dev.devnode]);
  }
  if (dev.devtype !== null) env.push(["DEVTYPE", dev.devtype]);
  if (dev.driver !== null) env.push(["DRIVER", dev.driver.name]);
  if (dev.busUevent !== null) env.push(...dev.busUevent(dev, action));
  // KOBJ_UNBIND carries no MODALIAS. @see zap_modalias_env() in lib/kobject_uevent.c
  return action === "unbind" ? env.filter(([k]) => k !== "MODALIAS") : env;
}

/** @see kobject_uevent_env(): the keys come from `dev` now; the broadcast is a step of its own. */
export function* kobjectUevent(dev: Device, action: UeventAction, extra: readonly (readonly [string, string])[] = []): Task<void> {
  yield* dev.kernel.uevents.send(action, dev.devpath, deviceUeventEnv(dev, action, extra));
}

/**
 * Makes the device visible: its sysfs directory, its class link and /sys/dev/char entry,
 * its devtmpfs node, then the `add` uevent.
 */
export function* deviceAdd(dev: Device, classLink?: string): Task<void> {
  yield step("device_add", [], [dev, dev.kernel.sysfs, dev.kernel.vfs]);
  deviceAddSilently(dev, classLink);
  yield* kobjectUevent(dev, "add");
}

/**
 * What deviceAdd() makes visible, without the `add` uevent: for a device firmware made before
 * anyone listens (as dev_set_uevent_suppress() keeps an add quiet).
 */
export function deviceAddSilently(dev: Device, classLink?: string): void {
  assert(!dev.added, `Cannot add device ${dev.name}: already added`);
  const sysfs = dev.kernel.sysfs;
  sysfs.mkdirs(dev.sysfsPath);
  sysfs.add(`${dev.sysfsPath}/uevent`, { kind: "attr", owner: dev, show: () => deviceUeventEnv(dev, "change").slice(3).map(([k, v]) => `${k}=${v}`).join("\n") + "\n" });
  if (dev.parent !== null && dev.classDir !== null) sysfs.add(`${dev.sysfsPath}/device`, { kind: "link", target: dev.parent.sysfsPath });
  if (dev.classDir !== null) sysfs.add(`${dev.sysfsPath}/subsystem`, { kind: "link", target: `/sys/class/${dev.classDir}` });
  if (classLink !== undefined) sysfs.add(classLink, { kind: "link", target: dev.sysfsPath });
  if (dev.devt !== null) {
    const { major, minor } = dev.devt;
    sysfs.add(`${dev.sysfsPath}/dev`, { kind: "attr", show: () => `${major}:${minor}\n` });
    sysfs.add(`/sys/dev/char/${major}:${minor}`, { kind: "link", target: dev.sysfsPath });
    if (dev.devnode !== null) dev.kernel.vfs.devtmpfsCreate(`/dev/${dev.devnode}`, dev.devt);
  }
  dev.added = true;
}

/** Takes the device away: devtmpfs node, sysfs entries, then the `remove` uevent. */
export function* deviceDel(dev: Device, classLink?: string): Task<void> {
  const del = step("device_del", [], [dev, dev.kernel.sysfs, dev.kernel.vfs]);
  yield del;
  assert(dev.added, `Cannot delete device ${dev.name}: not added`);
  const sysfs = dev.kernel.sysfs;
  if (dev.devt !== null) {
    if (dev.devnode !== null) dev.kernel.vfs.devtmpfsDelete(`/dev/${dev.devnode}`);
    sysfs.remove(`/sys/dev/char/${dev.devt.major}:${dev.devt.minor}`);
  }
  if (classLink !== undefined) sysfs.remove(classLink);
  yield* kobjectUevent(dev, "remove");
  yield del;
  sysfs.remove(dev.sysfsPath);
  // The class directory between the parent and the device (".../0000:01:00.0/drm") goes with
  // its last device. @see cleanup_glue_dir() in drivers/base/core.c
  if (dev.parent !== null && dev.classDir !== null) {
    const glue = `${dev.parent.sysfsPath}/${dev.classDir}`;
    const left = sysfs.readdir(glue);
    if (left.ok && left.value.length === 0) sysfs.remove(glue);
  }
  dev.added = false;
}

/** @see get_device() */
export function getDevice(dev: Device): Device {
  dev.kernel.sim.check(dev, "write", "get_device");
  if (dev.refcount === 0) {
    dev.kernel.sim.report({ kind: "kref-get-after-release", object: dev.mem.label, site: dev.kernel.sim.site("get_device") });
    return dev;
  }
  dev.refcount++;
  return dev;
}

/** @see put_device(): the last reference frees the struct (and drops its parent's reference). */
export function putDevice(dev: Device): void {
  const sim = dev.kernel.sim;
  sim.check(dev, "write", "put_device");
  if (dev.refcount === 0) {
    sim.report({ kind: "kref-underflow", object: dev.mem.label, site: sim.site("put_device") });
    return;
  }
  dev.refcount--;
  if (dev.refcount > 0) return;
  if (dev.mem.kind !== "static") sim.free(dev.mem, "device_release");
}
