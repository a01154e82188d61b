/**
 * The model's drivers: correct ones and deliberately broken ones (negative controls).
 */
import type { PciDriver } from "../pci/mod.js";
import { bochsPciDriver } from "./bochs.js";
import { vdispPciDriver } from "./vdisp.js";
import { vdispDevmPciDriver } from "./vdisp_devm.js";

export { BOCHS_PCI_ID, bochsDrmDriver, bochsPciDriver, VBE_DISPI_ID5, VBE_DISPI_ID_REG } from "./bochs.js";
export { displayPipeInit, displayPipeSetScanout, SCANOUT_ENABLE_REG } from "./display_pipe.js";
export { VDISP_PCI_ID, vdispDrmDriver, vdispPciDriver } from "./vdisp.js";
export { vdispDevmDrmDriver, vdispDevmPciDriver } from "./vdisp_devm.js";

const VDISP_HW = { vendor: 0x1b36, device: 0x00f0, subsystemVendor: 0x1af4, subsystemDevice: 0x1100, classCode: 0x038000 } as const;

export interface DriverInfo {
  readonly driver: PciDriver;
  /** The PCI ids of the hardware the driver binds to (what a world puts in the slot). */
  readonly hardware: { readonly vendor: number; readonly device: number; readonly subsystemVendor: number; readonly subsystemDevice: number; readonly classCode: number };
  readonly correct: boolean;
  readonly summary: string;
}

/** Every built-in driver by its PCI driver name. */
export const DRIVERS: ReadonlyMap<string, DriverInfo> = new Map([
  ["vdisp", { driver: vdispPciDriver, hardware: { ...VDISP_HW }, correct: true, summary: "simple display driver that does unplug right" }],
  ["vdisp-devm", { driver: vdispDevmPciDriver, hardware: { ...VDISP_HW }, correct: false, summary: "broken: drm_device container allocated with devm_kzalloc" }],
  ["bochs-drm", { driver: bochsPciDriver, hardware: { vendor: 0x1234, device: 0x1111, subsystemVendor: 0x1af4, subsystemDevice: 0x1100, classCode: 0x038000 }, correct: true, summary: "model of Linux's bochs driver (QEMU bochs-display)" }],
]);
