/**
 * virtio-pci, the PCI transport of virtio devices: the PCI driver "virtio-pci" binds every
 * Red Hat/Qumranet (1af4) function, registers a virtio device for it (virtio<N>, below the PCI
 * device) and binds the virtio driver it came loaded with; its remove unregisters that device
 * (whose driver's remove runs then). The virtio device id of a modern function is its PCI
 * device id minus 0x1040 (virtio-gpu-pci, 1af4:1050, is a GPU, 16); the vendor is its PCI
 * subsystem vendor. Legacy and transitional functions (0x1000..0x103f) are not modelled:
 * probe fails with ENODEV, as for ids past 0x107f.
 *
 * Registers: the model's card has the virtio configuration in its MMIO, at offsets of its own
 * (QEMU spreads the capabilities over BAR 4): the device's feature bits at
 * VIRTIO_PCI_DEVICE_FEATURE, the device status at VIRTIO_PCI_DEVICE_STATUS, and the
 * device-specific configuration from VIRTIO_PCI_DEVICE_CFG.
 *
 * @see drivers/virtio/virtio_pci_common.c (virtio_pci_probe(), virtio_pci_remove()),
 *      virtio_pci_modern_dev.c (vp_modern_probe())
 */
import { assert, step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import {
  PCI_ANY_ID,
  pciRead32,
  pciWrite32,
  pcimEnableDevice,
  toPciDev,
  type PciDev,
  type PciDriver,
} from "../pci/mod.js";
import {
  registerVirtioDevice,
  unregisterVirtioDevice,
  VirtioDevice,
  type VirtioConfigOps,
  type VirtioDriver,
} from "./virtio.js";

/** PCI_VENDOR_ID_REDHAT_QUMRANET */
export const VIRTIO_PCI_VENDOR = 0x1af4;
/** The first PCI device id of a modern (virtio 1.0) function: 0x1040 + the virtio id. */
export const VIRTIO_PCI_MODERN_DEVICE_BASE = 0x1040;
const VIRTIO_PCI_DEVICE_LAST = 0x107f;

/** The device's feature bits 0..31 (device_feature of the common configuration). */
export const VIRTIO_PCI_DEVICE_FEATURE = 0x004;
/** The device status; 0 resets the device. */
export const VIRTIO_PCI_DEVICE_STATUS = 0x014;
/** Where the device-specific configuration starts. */
export const VIRTIO_PCI_DEVICE_CFG = 0x100;

/** The transport's config operations: MMIO of the PCI function below the virtio device. */
const vpModernConfigOps: VirtioConfigOps = {
  read32: (vdev, offset) => pciRead32(pciDevOf(vdev), VIRTIO_PCI_DEVICE_CFG + offset),
  getFeatures: (vdev) => pciRead32(pciDevOf(vdev), VIRTIO_PCI_DEVICE_FEATURE),
  reset: (vdev) => pciWrite32(pciDevOf(vdev), VIRTIO_PCI_DEVICE_STATUS, 0),
};

function pciDevOf(vdev: VirtioDevice): PciDev {
  assert(vdev.parent !== null, `Cannot reach the registers of ${vdev.name}: it has no transport`);
  return toPciDev(vdev.parent);
}

/**
 * The virtio-pci driver, loaded with the virtio drivers that bind the devices it registers.
 * @see virtio_pci_driver
 */
export function virtioPciDriver(drivers: readonly VirtioDriver[]): PciDriver {
  return {
    name: "virtio-pci",
    busName: "pci",
    idTable: [{ vendor: VIRTIO_PCI_VENDOR, device: PCI_ANY_ID }],
    probe: (pdev) => virtioPciProbe(pdev, drivers),
    remove: virtioPciRemove,
  };
}

/** @see virtio_pci_probe(), virtio_pci_modern_probe() */
function* virtioPciProbe(pdev: PciDev, drivers: readonly VirtioDriver[]): Task<0 | ErrnoName> {
  yield step("virtio_pci_probe", [pdev]);
  const hw = pdev.hardware;
  const modern = hw.device >= VIRTIO_PCI_MODERN_DEVICE_BASE && hw.device <= VIRTIO_PCI_DEVICE_LAST;
  if (!modern) return "ENODEV";
  const err = yield* pcimEnableDevice(pdev);
  if (err !== 0) return err;
  const id = { device: hw.device - VIRTIO_PCI_MODERN_DEVICE_BASE, vendor: hw.subsystemVendor };
  const vdev = yield* registerVirtioDevice(pdev, id, vpModernConfigOps, drivers);
  yield step("virtio_pci_probe", [], [pdev]);
  pdev.drvdata = vdev;
  return 0;
}

/** @see virtio_pci_remove() */
function* virtioPciRemove(pdev: PciDev): Task<void> {
  yield step("virtio_pci_remove", [pdev]);
  const vdev = pdev.drvdata;
  const made = vdev instanceof VirtioDevice;
  if (!made) assert(false, `Cannot remove ${pdev.name}: its drvdata is not probe's virtio device`);
  yield* unregisterVirtioDevice(vdev);
}
