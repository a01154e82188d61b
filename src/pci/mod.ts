/**
 * The PCI bus: cards in slots, PCI devices and drivers, enumeration and removal, pciehp
 * hot-plug slots, function-level reset, and the PCI files in sysfs.
 */
export { PciBus, type PciBusOptions } from "./pci_bus.js";
export {
  PciDev,
  pciDisableDevice,
  pciEnableDevice,
  PciHardware,
  pciHardwarePowerOnState,
  pciHardwareResponds,
  pcimEnableDevice,
  pciRead32,
  pciUevent,
  pciWrite32,
  toPciDev,
  type PciHardwareInit,
  freeIrq,
  pciRaiseIrq,
  requestIrq,
  type PciIrq,
} from "./pci_dev.js";
export { PCI_ANY_ID, pciBusMatch, pciMatchId, type PciDeviceId, type PciDriver } from "./pci_driver.js";
export { pciResetFunction } from "./pci_reset.js";
export { PciSlot, type PciehpState } from "./pci_slot.js";
export { parseBdf, type PciAddress } from "./_parse.js";
