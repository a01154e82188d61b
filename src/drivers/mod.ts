/**
 * The model's drivers: correct ones and deliberately broken ones (negative controls).
 */
import type { PciDriver, PciHardwareInit } from "../pci/mod.js";
import { BOCHS_PCI_ID, bochsPciDriver, VBE_DISPI_ID5, VBE_DISPI_ID_REG } from "./bochs.js";
import { VDISP_PCI_ID, vdispPciDriver } from "./vdisp.js";
import { vdispDevmPciDriver } from "./vdisp_devm.js";
import { vdispDmaPciDriver } from "./vdisp_dma.js";
import { vdispNoenterPciDriver } from "./vdisp_noenter.js";
import { virtioGpuPciDriver } from "./virtio_gpu.js";
import { VIRTIO_GPU_CONFIG_NUM_CAPSETS, VIRTIO_GPU_CONFIG_NUM_SCANOUTS, VIRTIO_GPU_F_EDID } from "./virtio_gpu_kms.js";
import { VIRTIO_PCI_DEVICE_CFG, VIRTIO_PCI_DEVICE_FEATURE, VIRTIO_PCI_VENDOR } from "./virtio_pci.js";
import { vdispWaitclosePciDriver } from "./vdisp_waitclose.js";
import { VTEST_PCI_ID, vtestPciDriver } from "./vtest.js";
import { vtestNosignalPciDriver } from "./vtest_nosignal.js";
import { AMDGPU_PCI_ID, amdgpuPciDriver } from "./amdgpu.js";
import { amdgpuTdrNoenterPciDriver } from "./amdgpu_tdr_noenter.js";
import { I915_PCI_ID, i915PciDriver } from "./i915.js";
import { vtestDrainPciDriver } from "./vtest_drain.js";
import { XE_PCI_ID, xePciDriver } from "./xe.js";
import { xeEarlyWedgePciDriver } from "./xe_early_wedge.js";

export { BOCHS_PCI_ID, bochsDrmDriver, bochsPciDriver, VBE_DISPI_ID5, VBE_DISPI_ID_REG } from "./bochs.js";
export { displayPciDriver, displayPipeFuncs, displayPipeInit, displayPipeSetScanout, displayProbeFinish, displayProbeStart, displayRemoveStart, HPD_STATUS_REG, MODE_REG, PLL_LOCK_TICKS, SCANOUT_ENABLE_REG, SCANOUT_FB_REG } from "./display_pipe.js";
export { VDISP_PCI_ID, vdispDrmDriver, vdispPciDriver } from "./vdisp.js";
export { vdispDevmDrmDriver, vdispDevmPciDriver } from "./vdisp_devm.js";
export { vdispDmaDrmDriver, vdispDmaPciDriver } from "./vdisp_dma.js";
export { vdispNoenterDrmDriver, vdispNoenterPciDriver } from "./vdisp_noenter.js";
export { VirtioDevice, VIRTIO_ID_GPU } from "./virtio.js";
export { virtioGpuDrmDriver, virtioGpuPciDriver } from "./virtio_gpu.js";
export { vdispWaitcloseDrmDriver, vdispWaitclosePciDriver } from "./vdisp_waitclose.js";
export { VTEST_HOLD_NS_MAX, VTEST_PCI_ID, vtestDrmDriver, vtestPciDriver } from "./vtest.js";
export { vtestNosignalDrmDriver, vtestNosignalPciDriver } from "./vtest_nosignal.js";
export { AMDGPU_PCI_ID, amdgpuDrmDriver, amdgpuPciDriver } from "./amdgpu.js";
export { amdgpuTdrNoenterPciDriver } from "./amdgpu_tdr_noenter.js";
export { I915_PCI_ID, i915DrmDriver, i915PciDriver } from "./i915.js";
export { intelGtIsWedged } from "./i915_reset.js";
export { vtestDrainDrmDriver, vtestDrainPciDriver } from "./vtest_drain.js";
export { XE_PCI_ID, xeDrmDriver, xePciDriver } from "./xe.js";
export { xeEarlyWedgeDrmDriver, xeEarlyWedgePciDriver } from "./xe_early_wedge.js";
export { xeDeviceWedged, type XeWedgedMode } from "./xe_wedge.js";

/** The card a driver binds to: its PCI ids, and the registers its probe reads. */
export interface CardSpec extends Omit<PciHardwareInit, "vramBytes" | "mmioBytes"> {
  readonly mmio: readonly (readonly [offsetBytes: number, value: number])[];
}

export interface DriverInfo {
  readonly driver: PciDriver;
  readonly card: CardSpec;
  readonly correct: boolean;
  readonly summary: string;
}

const VDISP_CARD: CardSpec = { ...VDISP_PCI_ID, subsystemVendor: 0x1af4, subsystemDevice: 0x1100, classCode: 0x038000, mmio: [] };
/** An Intel Battlemage function (display controller class, as xe's discrete cards report). */
const XE_CARD: CardSpec = { ...XE_PCI_ID, subsystemVendor: 0x8086, subsystemDevice: 0x1100, classCode: 0x030000, mmio: [] };
/** An Intel Tiger Lake GT2 function (integrated: VGA-compatible display controller). */
const I915_CARD: CardSpec = { ...I915_PCI_ID, subsystemVendor: 0x8086, subsystemDevice: 0x3000, classCode: 0x030000, mmio: [] };
/** An AMD Navi 31 function (a discrete card: VGA-compatible display controller). */
const AMDGPU_CARD: CardSpec = { ...AMDGPU_PCI_ID, subsystemVendor: 0x1002, subsystemDevice: 0x0e3b, classCode: 0x030000, mmio: [] };
const VTEST_CARD: CardSpec = { ...VTEST_PCI_ID, subsystemVendor: 0x1af4, subsystemDevice: 0x1100, classCode: 0x038000, mmio: [] };
/** QEMU's bochs-display, with the ids Linux 6.12 reported for it. */
const BOCHS_CARD: CardSpec = { ...BOCHS_PCI_ID, subsystemVendor: 0x1af4, subsystemDevice: 0x1100, classCode: 0x038000, mmio: [[VBE_DISPI_ID_REG, VBE_DISPI_ID5]] };

/**
 * QEMU's virtio-gpu-pci (1af4:1050, display controller "other"), with what its virtio
 * configuration reports by default: the EDID feature, one scanout, no capability sets.
 */
const VIRTIO_GPU_CARD: CardSpec = {
  vendor: VIRTIO_PCI_VENDOR,
  device: 0x1050,
  subsystemVendor: 0x1af4,
  subsystemDevice: 0x1100,
  classCode: 0x038000,
  mmio: [
    [VIRTIO_PCI_DEVICE_FEATURE, 1 << VIRTIO_GPU_F_EDID],
    [VIRTIO_PCI_DEVICE_CFG + VIRTIO_GPU_CONFIG_NUM_SCANOUTS, 1],
    [VIRTIO_PCI_DEVICE_CFG + VIRTIO_GPU_CONFIG_NUM_CAPSETS, 0],
  ],
};

/**
 * Every built-in driver by name: the PCI driver's name, but for virtio-gpu, whose PCI driver
 * is its transport's, virtio-pci (loaded with virtio_gpu).
 */
export const DRIVERS: ReadonlyMap<string, DriverInfo> = new Map([
  ["vdisp", { driver: vdispPciDriver, card: VDISP_CARD, correct: true, summary: "simple display driver that does unplug right" }],
  ["vdisp-devm", { driver: vdispDevmPciDriver, card: VDISP_CARD, correct: false, summary: "broken: drm_device container allocated with devm_kzalloc" }],
  ["vdisp-dma", {
    driver: vdispDmaPciDriver, card: VDISP_CARD, correct: false,
    summary: "broken: vdisp with DMA-helper buffers, whose mappings get SIGBUS after unplug (D7)",
  }],
  ["vdisp-noenter", {
    driver: vdispNoenterPciDriver, card: VDISP_CARD, correct: false,
    summary: "broken: commits program the display without drm_dev_enter (hardware touched after unplug)",
  }],
  ["vdisp-waitclose", { driver: vdispWaitclosePciDriver, card: VDISP_CARD, correct: false, summary: "broken: remove() waits for every file to close (hangs while a program holds one)" }],
  ["bochs-drm", { driver: bochsPciDriver, card: BOCHS_CARD, correct: true, summary: "model of Linux's bochs driver (QEMU bochs-display)" }],
  ["vtest", { driver: vtestPciDriver, card: VTEST_CARD, correct: true, summary: "DRM test device (like vgem): render node, no display, DRM_IOCTL_VTEST_HOLD_ENTER" }],
  ["vtest-nosignal", { driver: vtestNosignalPciDriver, card: VTEST_CARD, correct: false, summary: "broken: remove() leaves the fences of running VTEST_JOB jobs unsignalled" }],
  ["vtest-drain", {
    driver: vtestDrainPciDriver, card: VTEST_CARD, correct: false,
    summary: "broken: remove() waits without a time limit for its rings' fences before signalling them (an unbind with a hung job blocks)",
  }],
  ["xe", {
    driver: xePciDriver, card: XE_CARD, correct: true,
    summary: "model of Linux's xe where wedging is concerned (wedged_mode, WEDGED uevent, survivability mode), on vtest's engines",
  }],
  ["xe-early-wedge", {
    driver: xeEarlyWedgePciDriver, card: XE_CARD, correct: false,
    summary: "broken: xe that sends its WEDGED uevent before stopping its schedulers and signalling its fences (R79)",
  }],
  ["i915", {
    driver: i915PciDriver, card: I915_CARD, correct: true,
    summary: "model of Linux's i915 where a hung GPU is concerned (resets, wedging with EIO, i915_wedged), on vtest's engines",
  }],
  ["amdgpu", {
    driver: amdgpuPciDriver, card: AMDGPU_CARD, correct: true,
    summary: "model of Linux's amdgpu where hangs are concerned (ring reset, GPU recovery, WEDGED=none with PID/TASK, halt), on vtest's engines",
  }],
  ["amdgpu-tdr-noenter", {
    driver: amdgpuTdrNoenterPciDriver, card: AMDGPU_CARD, correct: false,
    summary: "broken: amdgpu whose job-timeout handler skips drm_dev_enter (a hang during removal is reset on hardware that is gone)",
  }],
  ["virtio-gpu", {
    driver: virtioGpuPciDriver, card: VIRTIO_GPU_CARD, correct: true,
    summary: "model of Linux's virtio-gpu on virtio-pci (QEMU virtio-gpu-pci): render node, shmem buffers",
  }],
]);
