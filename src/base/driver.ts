/**
 * Binding drivers to devices. Probe runs with the device lock held; a failed probe releases
 * the devres taken so far. Unbinding runs the driver's remove(), then releases devres newest
 * first, then sends the `unbind` uevent (R26).
 *
 * @see really_probe(), device_release_driver_internal() in drivers/base/dd.c
 */
import { mutexLock, mutexUnlock, step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { kobjectUevent, type Device } from "./device.js";
import { devresReleaseAll } from "./devres.js";

export interface DeviceDriver {
  readonly name: string;
  readonly busName: string;
  probe(dev: Device): Task<0 | ErrnoName>;
  remove(dev: Device): Task<void>;
}

export function driverSysfsDir(drv: DeviceDriver): string {
  return `/sys/bus/${drv.busName}/drivers/${drv.name}`;
}

/** Binds `drv` to `dev`; the caller holds the device lock. Returns 0 or the probe's errno. */
export function* reallyProbe(dev: Device, drv: DeviceDriver): Task<0 | ErrnoName> {
  const probe = step("really_probe", [], [dev, dev.kernel.sysfs]);
  yield probe;
  link(dev, drv);
  const err = yield* dev.kernel.sim.frame(`${drv.name} probe`, drv.probe(dev));
  yield probe;
  if (err !== 0) {
    yield* devresReleaseAll(dev);
    yield probe;
    unlink(dev, drv);
    dev.kernel.sim.printk(4, `${drv.name} ${dev.name}: probe with driver ${drv.name} failed with error -${err}`);
    return err;
  }
  yield* kobjectUevent(dev, "bind");
  return 0;
}

/** Probes under the device lock. */
export function* deviceDriverAttach(dev: Device, drv: DeviceDriver): Task<0 | ErrnoName> {
  yield* mutexLock(dev.lock);
  try {
    if (dev.dead) return "ENODEV"; // @see __driver_probe_device()
    if (dev.driver !== null) return "EBUSY";
    const err = yield* reallyProbe(dev, drv);
    yield step("__driver_probe_device", [], [dev]);
    return err;
  } finally {
    yield* mutexUnlock(dev.lock);
  }
}

/**
 * Unbinds the device's driver, if any: remove(), devres release, `unbind` uevent. With `only`,
 * unbinds only if that driver is still the one bound once the lock is held.
 * @see device_release_driver_internal()
 */
export function* deviceReleaseDriver(dev: Device, only?: DeviceDriver): Task<void> {
  yield* mutexLock(dev.lock);
  try {
    const drv = dev.driver;
    if (drv === null) return;
    if (only !== undefined && drv !== only) return;
    yield* dev.kernel.sim.frame(`${drv.name} remove`, drv.remove(dev));
    yield* devresReleaseAll(dev);
    yield step("__device_release_driver", [], [dev, dev.kernel.sysfs]);
    unlink(dev, drv);
    yield* kobjectUevent(dev, "unbind");
    yield step("__device_release_driver", [], [dev]);
  } finally {
    yield* mutexUnlock(dev.lock);
  }
}

/**
 * Records `drv` as bound to `dev` with its sysfs links, without calling probe() and without a
 * uevent: for a device firmware made and a built-in driver bound before anyone listens. The
 * caller does what probe() would have done.
 */
export function deviceBoundAtBoot(dev: Device, drv: DeviceDriver): void {
  link(dev, drv);
}

function link(dev: Device, drv: DeviceDriver): void {
  const sysfs = dev.kernel.sysfs;
  dev.driver = drv;
  sysfs.add(`${driverSysfsDir(drv)}/${dev.name}`, { kind: "link", target: dev.sysfsPath });
  sysfs.add(`${dev.sysfsPath}/driver`, { kind: "link", target: driverSysfsDir(drv) });
}

function unlink(dev: Device, drv: DeviceDriver): void {
  dev.kernel.sysfs.remove(`${driverSysfsDir(drv)}/${dev.name}`);
  dev.kernel.sysfs.remove(`${dev.sysfsPath}/driver`);
  dev.driver = null;
  dev.drvdata = null;
}
