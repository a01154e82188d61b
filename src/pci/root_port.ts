/**
 * PCIe root ports: the PCI-to-PCI bridges on the root bus that lead to the hot-plug slots.
 * A root port "0000:00:NN.0" is a pci_dev like a card: writing its `remove` takes it away with
 * everything behind it, and a rescan finds it again. Behind it are its secondary bus NN (a
 * pci_bus class device, /sys/class/pci_bus/0000:NN) and the devices on that bus.
 *
 * Ports that firmware made (at boot, or a world's extra slots) exist before anyone listens:
 * they and their buses are added without uevents. Not modelled: the pcieport driver and its
 * port service devices (pci_express bus). pciehp starts when the port device is added to the
 * bus and stops when it is stopped, so a port has no driver and sends no bind or unbind.
 *
 * @see pci_scan_bridge(), pci_add_new_bus() in drivers/pci/probe.c; pci_remove_bus() in
 *      drivers/pci/remove.c; QEMU's hw/pci-bridge/gen_pcie_root_port.c (the recording's ports)
 */
import { assert, step, type Task } from "../kernel/mod.js";
import { Device, deviceAdd, deviceDel, putDevice } from "../base/mod.js";
import { hex } from "./_parse.js";
import { PciHardware, type PciDev } from "./pci_dev.js";

/** The class code of a PCI-to-PCI bridge. @see PCI_CLASS_BRIDGE_PCI in include/linux/pci_ids.h */
export const PCI_CLASS_BRIDGE_PCI = 0x060400;

/** QEMU's pcie-root-port: 1b36:000c, without subsystem IDs (it has no SSVID capability). */
export function rootPortHardware(): PciHardware {
  return new PciHardware({
    vendor: 0x1b36,
    device: 0x000c,
    subsystemVendor: 0,
    subsystemDevice: 0,
    classCode: PCI_CLASS_BRIDGE_PCI,
    vramBytes: 0,
    mmioBytes: 4096,
  });
}

/** The address of the root port in front of hot-plug slot (and bus) `n`. */
export function rootPortBdf(n: number): string {
  return `0000:00:${hex(n, 2)}.0`;
}

/** Whether a class code is a PCI-to-PCI bridge's (0x0604xx). */
export function isBridgeClass(classCode: number): boolean {
  return classCode >> 8 === PCI_CLASS_BRIDGE_PCI >> 8;
}

/** Whether a PCI device is a PCI-to-PCI bridge. */
export function isBridge(pdev: PciDev): boolean {
  return isBridgeClass(pdev.hardware.classCode);
}

/** The number of the bus behind a root port: its device number (0000:00:NN.0 leads to bus NN). */
export function secondaryBusNumber(port: PciDev): number {
  const rootPort = isBridge(port) && port.address.bus === 0;
  assert(rootPort, `Cannot find the bus behind ${port.name}: not a root port`);
  return port.address.device;
}

/** The pci_bus class device of bus `n` behind `bridge` ("0000:NN"), not yet added. */
export function pciBusDevice(bridge: PciDev, n: number): Device {
  const name = `0000:${hex(n, 2)}`;
  return new Device(bridge.kernel, { name, parent: bridge, subsystem: "pci_bus", classDir: "pci_bus" });
}

/** Where the class directory links to a pci_bus device. */
export function pciBusClassLink(bus: Device): string {
  return `/sys/class/pci_bus/${bus.name}`;
}

/**
 * The secondary bus of `bridge` comes into being: device_register() of its pci_bus device,
 * with its `add` uevent. @see pci_add_new_bus(), pci_alloc_child_bus()
 */
export function* pciAddNewBus(bridge: PciDev): Task<void> {
  yield step("pci_add_new_bus", [], [bridge]);
  assert(bridge.subordinate === null, `Cannot add the bus behind ${bridge.name}: it has one`);
  const bus = pciBusDevice(bridge, secondaryBusNumber(bridge));
  bridge.subordinate = bus;
  yield* deviceAdd(bus, pciBusClassLink(bus));
}

/**
 * The secondary bus of `bridge` goes (its devices are gone already): device_unregister() of its
 * pci_bus device, with its `remove` uevent. @see pci_remove_bus()
 */
export function* pciRemoveBus(bridge: PciDev): Task<void> {
  yield step("pci_remove_bus", [], [bridge]);
  const bus = bridge.subordinate;
  assert(bus !== null, `Cannot remove the bus behind ${bridge.name}: it has none`);
  bridge.subordinate = null;
  yield* deviceDel(bus, pciBusClassLink(bus));
  putDevice(bus); // device_unregister(): the reference of device_register()
}
