/**
 * amdgpu: a model of Linux's AMD amdgpu driver where hangs and unrecoverable errors are
 * concerned (kernel-contract.md 11.3, R89), on vtest's engines, GPU schedulers and uapi (its
 * ioctls are vtest's: the model has none of amdgpu's own). Its policy (amdgpu_reset.ts): a
 * hang is recovered by a ring reset, else by a whole-GPU recovery, each followed by
 * `WEDGED=none` naming the guilty program; an unrecoverable error halts the device (it is
 * unplugged, no wedged event).
 *
 * Its debugfs knobs, under /sys/kernel/debug/dri/<primary minor>/ (model knobs: Linux's
 * amdgpu reaches these cases through hardware errors and RAS error injection):
 *
 * - `fail_ring_reset/probability`, `fail_ring_reset/times`: a fault attribute (fault_attr.ts)
 *   that makes ring resets fail, so that a hang takes the whole-GPU recovery;
 * - `inject_fatal_error`: a write is a fatal (uncorrectable) hardware error: the device halts.
 *
 * @see drivers/gpu/drm/amd/amdgpu/amdgpu_drv.c (amdgpu_pci_remove()), amdgpu_debugfs.c
 */
import { lookupStep, step, type Task } from "../kernel/mod.js";
import { ok, type ErrnoName } from "../uapi/mod.js";
import type { DrmDevice, DrmDriver } from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { amdgpuDeviceHalt, amdgpuJobTimedout, amdgpuOf, newAmdgpuState } from "./amdgpu_reset.js";
import { displayPciDriver } from "./display_pipe.js";
import { driDebugfsDir } from "./dri_debugfs.js";
import { faultAttrAdd } from "./fault_attr.js";
import { vtestDrmDriver, vtestProbe, vtestRemove } from "./vtest.js";
import type { EngineTimedout } from "./vtest_sched.js";

/** An AMD Navi 31 (Radeon RX 7900 XTX) function. */
export const AMDGPU_PCI_ID = { vendor: 0x1002, device: 0x744c } as const;

export const amdgpuDrmDriver: DrmDriver = {
  ...vtestDrmDriver,
  name: "amdgpu",
  desc: "AMD GPU (model)",
};

/** The knobs, made at probe once the device is registered. The caller's step writes sysfs. */
function amdgpuDebugfsInit(dev: DrmDevice): void {
  const sysfs = dev.kernel.sysfs;
  const dir = amdgpuOf(dev).debugfs;
  faultAttrAdd(sysfs, `${dir}/fail_ring_reset`, dev, amdgpuOf(dev).failRingReset);
  sysfs.add(`${dir}/inject_fatal_error`, {
    kind: "attr",
    owner: dev,
    *store(text) {
      yield* amdgpuDeviceHalt(dev);
      return ok(text.length);
    },
  });
}

/**
 * probe() of amdgpu, or of a broken sibling with its own timeout handler.
 * @see amdgpu_pci_probe()
 */
export function* amdgpuProbe(pdev: PciDev, timedout: EngineTimedout = amdgpuJobTimedout): Task<0 | ErrnoName> {
  // amdgpu_device is the drm_device's container: its state exists before the nodes do.
  const init = (dev: DrmDevice): void => void (dev.driverData = newAmdgpuState(driDebugfsDir(dev)));
  const err = yield* vtestProbe(pdev, amdgpuDrmDriver, timedout, "amdgpu_device", init);
  if (err !== 0) return err;
  yield step("amdgpu_pci_probe", [pdev]);
  const dev = pdev.drvdata as DrmDevice;
  yield lookupStep("amdgpu_pci_probe", () => ({
    reads: dev.primary === null ? [] : [dev.primary],
    writes: [dev, pdev, dev.kernel.sysfs],
  }));
  amdgpuDebugfsInit(dev);
  return 0;
}

/**
 * remove(): vtest's teardown, unless a halt did it already; then the debugfs files.
 * @see amdgpu_pci_remove()
 */
export function* amdgpuRemove(pdev: PciDev): Task<void> {
  const dev = pdev.drvdata as DrmDevice;
  yield step("amdgpu_pci_remove", [pdev, dev]);
  if (!amdgpuOf(dev).halted) yield* vtestRemove(pdev);
  yield step("amdgpu_pci_remove", [], [dev, dev.kernel.sysfs]);
  dev.kernel.sysfs.remove(amdgpuOf(dev).debugfs);
}

export const amdgpuPciDriver =
  displayPciDriver("amdgpu", [AMDGPU_PCI_ID], (pdev) => amdgpuProbe(pdev), amdgpuRemove);
