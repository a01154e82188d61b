/**
 * pcieport, the built-in driver of PCIe ports: it binds every PCI-to-PCI bridge (class
 * 0x060400). Here its probe starts the port's hot-plug service, pciehp, and its remove stops
 * it. Not modelled: its other services (AER, PME, DPC) and the port service device it makes
 * for each one (bus pci_express, "0000:00:01.0:pcie004"), with their uevents.
 *
 * @see pcie_portdriver, pcie_portdrv_probe(), pcie_portdrv_remove() in
 *      drivers/pci/pcie/portdrv.c
 */
import { step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { PciBus } from "./pci_bus.js";
import type { PciDev } from "./pci_dev.js";
import { PCI_ANY_ID, type PciDriver } from "./pci_driver.js";
import { pciehpProbe, pciehpRemove } from "./pci_slot.js";
import { PCI_CLASS_BRIDGE_PCI, secondaryBusNumber } from "./root_port.js";

export function pciePortDriver(bus: PciBus): PciDriver {
  return {
    name: "pcieport",
    busName: "pci",
    idTable: [
      { vendor: PCI_ANY_ID, device: PCI_ANY_ID, class: PCI_CLASS_BRIDGE_PCI, classMask: 0xffffff },
    ],
    *probe(port: PciDev): Task<0 | ErrnoName> {
      yield step("pcie_portdrv_probe", [bus], [port]);
      const slot = bus.slot(secondaryBusNumber(port));
      if (slot !== undefined) yield* pciehpProbe(bus, slot, port);
      return 0;
    },
    *remove(port: PciDev): Task<void> {
      yield step("pcie_portdrv_remove", [bus], [port]);
      const slot = bus.slot(secondaryBusNumber(port));
      if (slot !== undefined) yield* pciehpRemove(bus, slot, port);
    },
  };
}
