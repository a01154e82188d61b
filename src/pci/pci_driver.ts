/**
 * struct pci_driver: a driver-core driver on the "pci" bus, matched by vendor and device ID.
 *
 * probe() and remove() get the PciDev (the driver core passes the struct device it embeds).
 * The optional reset hooks run under the device lock around a function-level reset, and the
 * shutdown hook at reboot.
 *
 * @see struct pci_driver, struct pci_error_handlers in include/linux/pci.h;
 *      pci_match_device(), pci_match_one_device() in drivers/pci/pci-driver.c and pci.h
 */
import type { DeviceDriver } from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { PciDev, PciHardware } from "./pci_dev.js";

/** Matches any vendor or device ID in an id table entry. */
export const PCI_ANY_ID = 0xffffffff;

/** One entry of a driver's id table. @see struct pci_device_id */
export interface PciDeviceId {
  readonly vendor: number;
  readonly device: number;
  /** With `classMask`: the class code bits the card must have. @default any class */
  readonly class?: number;
  readonly classMask?: number;
}

export interface PciDriver extends DeviceDriver {
  readonly busName: "pci";
  /** Tried in order; the first matching entry wins. */
  readonly idTable: readonly PciDeviceId[];
  /** Runs with the device lock held; an errno fails the bind (devres taken so far is released). */
  probe(pdev: PciDev): Task<0 | ErrnoName>;
  /** Runs with the device lock held; devres is released after it returns. */
  remove(pdev: PciDev): Task<void>;
  /** Called before a function-level reset, device lock held. @see reset_prepare */
  resetPrepare?(pdev: PciDev): Task<void>;
  /** Called after a function-level reset, device lock held. @see reset_done */
  resetDone?(pdev: PciDev): Task<void>;
  /** Called at reboot or power-off, device lock held: quiesce the hardware. @see shutdown */
  shutdown?(pdev: PciDev): Task<void>;
}

/**
 * The id table entry that matches the card, or null.
 * @see pci_match_one_device() in drivers/pci/pci.h
 */
export function pciMatchId(idTable: readonly PciDeviceId[], hw: PciHardware): PciDeviceId | null {
  for (const id of idTable) {
    const vendorOk = id.vendor === PCI_ANY_ID || id.vendor === hw.vendor;
    const deviceOk = id.device === PCI_ANY_ID || id.device === hw.device;
    const classOk = ((hw.classCode ^ (id.class ?? 0)) & (id.classMask ?? 0)) === 0;
    if (vendorOk && deviceOk && classOk) return id;
  }
  return null;
}

/**
 * Whether `drv` may bind `pdev`: the device has been added to the bus (match_driver) and the
 * id table matches its card.
 * @see pci_bus_match() in drivers/pci/pci-driver.c
 */
export function pciBusMatch(pdev: PciDev, drv: PciDriver): boolean {
  return pdev.matchDriver && pciMatchId(drv.idTable, pdev.hardware) !== null;
}
