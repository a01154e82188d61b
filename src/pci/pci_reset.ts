/**
 * Function-level reset of a PCI device. It runs under the device lock and the upstream
 * bridge's lock, tells the bound driver before and after (reset_prepare/reset_done), and sends
 * no uevent. The card's registers hold their power-on values afterwards: what the driver
 * programmed is gone.
 *
 * Guarantees: the driver's hooks run with the device lock held, reset_done even on failure.
 * Not guaranteed: that the driver's state matches the card afterwards (that is the driver's job).
 *
 * @see pci_reset_function(), pci_dev_save_and_disable(), pci_dev_restore() in drivers/pci/pci.c
 */
import { mutexLock, mutexUnlock, step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { pciHardwarePowerOnState, pciHardwareResponds, type PciDev } from "./pci_dev.js";
import type { PciDriver } from "./pci_driver.js";

/** Returns 0, or ENOTTY when the card does not answer (pulled out or unpowered). */
export function* pciResetFunction(pdev: PciDev): Task<0 | ErrnoName> {
  // pci_upstream_bridge(): the root port; a device on the root bus has none.
  const bridge = pdev.parent !== null && pdev.parent.subsystem === "pci" ? pdev.parent : null;
  if (bridge !== null) yield* mutexLock(bridge.lock);
  try {
    yield* mutexLock(pdev.lock);
    try {
      return yield* resetLocked(pdev);
    } finally {
      yield* mutexUnlock(pdev.lock);
    }
  } finally {
    if (bridge !== null) yield* mutexUnlock(bridge.lock);
  }
}

function* resetLocked(pdev: PciDev): Task<0 | ErrnoName> {
  const sim = pdev.kernel.sim;
  yield step("pci_dev_save_and_disable", [pdev], [pdev]);
  // Only PCI drivers bind PCI devices, so the bound driver is a PciDriver.
  const drv = pdev.driver as PciDriver | null;
  if (drv?.resetPrepare !== undefined) yield* sim.frame(`${drv.name} reset_prepare`, drv.resetPrepare(pdev));
  yield step("pcie_flr", [pdev], [pdev]);
  const hw = pdev.hardware;
  const responds = pciHardwareResponds(hw);
  if (responds) {
    hw.resetCount++;
    pciHardwarePowerOnState(hw);
  }
  yield step("pci_dev_restore", [pdev], [pdev]);
  if (drv?.resetDone !== undefined) yield* sim.frame(`${drv.name} reset_done`, drv.resetDone(pdev));
  return responds ? 0 : "ENOTTY";
}
