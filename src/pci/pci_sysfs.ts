/**
 * The PCI core's sysfs files: /sys/bus/pci/rescan; each device's bus link, `subsystem` link
 * and attributes (vendor, device, subsystem_vendor, subsystem_device, class, revision, enable,
 * reset_method, reset, remove); each driver's `bind` and `unbind`.
 *
 * A successful write returns the number of bytes written. Writes block until the work is
 * done: an `unbind` write returns after the driver's remove(), the devres release and the
 * `unbind` uevent. A store holds a reference to its device while it runs (in Linux, kernfs
 * keeps the device until in-flight stores are done), so a device removed meanwhile is not
 * freed under it.
 *
 * @see drivers/pci/pci-sysfs.c (remove_store(), reset_store(), enable_store(), rescan_store());
 *      bind_store(), unbind_store() in drivers/base/bus.c
 */
import { lookupStep, mutexLock, mutexUnlock, step, type Task } from "../kernel/mod.js";
import { deviceDriverAttach, deviceReleaseDriver, driverSysfsDir, getDevice, putDevice, type Device } from "../base/mod.js";
import { fail, ok, type ErrnoName, type SysResult } from "../uapi/mod.js";
import { kstrtoul, sysfsStreqValue } from "./_parse.js";
import type { PciBus } from "./pci_bus.js";
import { pciConfigText, pciDisableDevice, pciEnableDevice, type PciDev } from "./pci_dev.js";
import { pciBusMatch, type PciDriver } from "./pci_driver.js";
import { pciResetFunction } from "./pci_reset.js";
import { isBridge } from "./root_port.js";

function byteCount(data: string): number {
  return Buffer.byteLength(data, "utf8");
}

/** @internal What a store returns for `err`: the number of bytes written, or the errno. */
export function storeResult(err: 0 | ErrnoName, data: string): SysResult<number> {
  return err === 0 ? ok(byteCount(data)) : fail(err);
}

/** Makes /sys/bus/pci/{devices,drivers,slots} and /sys/bus/pci/rescan. */
export function pciBusSysfsInit(bus: PciBus): void {
  const sysfs = bus.kernel.sysfs;
  for (const dir of ["devices", "drivers", "slots"]) sysfs.mkdirs(`/sys/bus/pci/${dir}`);
  sysfs.add("/sys/bus/pci/rescan", { kind: "attr", store: (data) => rescanStore(bus, data) });
}

/** @see rescan_store(): any non-zero number rescans every bus. */
function* rescanStore(bus: PciBus, data: string): Task<SysResult<number>> {
  yield step("rescan_store", [bus]);
  const val = kstrtoul(data);
  if (val === null) return fail("EINVAL");
  if (val !== 0) yield* bus.rescan();
  return ok(byteCount(data));
}

/** A PCI device's directory, its `subsystem` link and its link in /sys/bus/pci/devices. */
export function pciCreateBusLinks(bus: PciBus, dev: Device): void {
  const sysfs = bus.kernel.sysfs;
  sysfs.mkdirs(dev.sysfsPath);
  sysfs.add(`/sys/bus/pci/devices/${dev.name}`, { kind: "link", target: dev.sysfsPath });
  sysfs.add(`${dev.sysfsPath}/subsystem`, { kind: "link", target: "/sys/bus/pci" });
}

/**
 * The files device_add() makes for a PCI device before its `add` uevent. A bridge (a root
 * port) has no reset files: the model resets only endpoints.
 */
export function pciCreateDevFiles(bus: PciBus, pdev: PciDev): void {
  const sysfs = bus.kernel.sysfs;
  const dir = pdev.sysfsPath;
  pciCreateBusLinks(bus, pdev);
  for (const key of ["vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision"] as const) {
    sysfs.add(`${dir}/${key}`, { kind: "attr", show: () => pciConfigText(pdev.hardware, key) });
  }
  sysfs.add(`${dir}/enable`, { kind: "attr", owner: pdev, show: () => `${pdev.enableCnt}\n`, store: (data) => withDevice(pdev, enableStore(pdev, data)) });
  if (!isBridge(pdev)) {
    sysfs.add(`${dir}/reset_method`, { kind: "attr", show: () => "flr bus\n" });
    sysfs.add(`${dir}/reset`, { kind: "attr", store: (data) => withDevice(pdev, resetStore(pdev, data)) });
  }
  sysfs.add(`${dir}/remove`, { kind: "attr", store: (data) => withDevice(pdev, removeStore(bus, pdev, data)) });
}

/**
 * Holds a device reference across a store, taken before the store's first step (the model's
 * stand-in for kernfs's active reference on the attribute).
 */
function* withDevice<T>(pdev: PciDev, body: Task<T>): Task<T> {
  yield step("kernfs_get_active", [], [pdev]);
  getDevice(pdev);
  try {
    return yield* body;
  } finally {
    yield step("kernfs_put_active", [], [pdev]);
    putDevice(pdev);
  }
}

/** @see enable_store(): EBUSY while a driver is bound; "0" on a disabled device is EIO. */
function* enableStore(pdev: PciDev, data: string): Task<SysResult<number>> {
  yield step("enable_store", [pdev]);
  const val = kstrtoul(data);
  if (val === null) return fail("EINVAL");
  yield* mutexLock(pdev.lock);
  let err: 0 | ErrnoName = 0;
  try {
    if (pdev.driver !== null) err = "EBUSY";
    else if (val !== 0) err = yield* pciEnableDevice(pdev);
    else if (pdev.enableCnt > 0) yield* pciDisableDevice(pdev);
    else err = "EIO";
  } finally {
    yield* mutexUnlock(pdev.lock);
  }
  return storeResult(err, data);
}

/** @see reset_store(): only "1"; the result of pci_reset_function(). */
function* resetStore(pdev: PciDev, data: string): Task<SysResult<number>> {
  yield step("reset_store", [pdev]);
  if (kstrtoul(data) !== 1) return fail("EINVAL");
  return storeResult(yield* pciResetFunction(pdev), data);
}

/** Devices whose `remove` file has removed itself: only the first writer removes the device. */
const removeFileGone = new WeakSet<PciDev>();

/**
 * @see remove_store(): a non-zero number removes the device (the write returns when it is
 * gone); the count is returned either way.
 */
function* removeStore(bus: PciBus, pdev: PciDev, data: string): Task<SysResult<number>> {
  yield step("remove_store", [pdev], [bus.kernel.sysfs]);
  const val = kstrtoul(data);
  if (val === null) return fail("EINVAL");
  // device_remove_file_self(): fails for a second writer or once the device is gone.
  if (val !== 0 && pdev.added && !removeFileGone.has(pdev)) {
    removeFileGone.add(pdev);
    bus.kernel.sysfs.remove(`${pdev.sysfsPath}/remove`);
    yield* bus.removeDevice(pdev);
  }
  return ok(byteCount(data));
}

/** Makes a driver's `bind` and `unbind` files. @see add_bind_files() */
export function pciDriverAddBindFiles(bus: PciBus, drv: PciDriver): void {
  const dir = driverSysfsDir(drv);
  bus.kernel.sysfs.add(`${dir}/bind`, { kind: "attr", store: (data) => bindStore(bus, drv, data) });
  bus.kernel.sysfs.add(`${dir}/unbind`, { kind: "attr", store: (data) => unbindStore(bus, drv, data) });
}

/** @see remove_bind_files() */
export function pciDriverRemoveBindFiles(bus: PciBus, drv: PciDriver): void {
  const dir = driverSysfsDir(drv);
  bus.kernel.sysfs.remove(`${dir}/bind`);
  bus.kernel.sysfs.remove(`${dir}/unbind`);
}

/**
 * @see bind_store(): ENODEV unless the device exists and the driver matches it; a bound
 * device gives EBUSY (since Linux 5.14, "driver core: Pull required checks into
 * driver_probe_device()"); a failed probe gives the probe's errno.
 */
function* bindStore(bus: PciBus, drv: PciDriver, data: string): Task<SysResult<number>> {
  yield lookupStep("bind_store", () => {
    const found = bus.device(sysfsStreqValue(data));
    return { reads: found === undefined ? [bus] : [bus, found], writes: [] };
  });
  const pdev = bus.device(sysfsStreqValue(data));
  if (pdev === undefined || !pciBusMatch(pdev, drv)) return fail("ENODEV");
  return yield* withDevice(pdev, (function* (): Task<SysResult<number>> {
    return storeResult(yield* deviceDriverAttach(pdev, drv), data);
  })());
}

/** @see unbind_store(): ENODEV unless the device is bound to this driver. */
function* unbindStore(bus: PciBus, drv: PciDriver, data: string): Task<SysResult<number>> {
  yield lookupStep("unbind_store", () => {
    const found = bus.device(sysfsStreqValue(data));
    return { reads: found === undefined ? [bus] : [bus, found], writes: [] };
  });
  const pdev = bus.device(sysfsStreqValue(data));
  if (pdev === undefined || pdev.driver !== drv) return fail("ENODEV");
  return yield* withDevice(pdev, (function* (): Task<SysResult<number>> {
    yield* deviceReleaseDriver(pdev); // device_driver_detach(): whatever driver is bound by then
    return ok(byteCount(data));
  })());
}
