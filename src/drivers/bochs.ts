/**
 * A model of the bochs driver (drivers/gpu/drm/tiny/bochs.c) as Linux 6.12 runs it on QEMU's
 * bochs-display: PCI driver "bochs-drm" for 1234:1111, one Virtual connector, TTM-backed dumb
 * buffers, the probe messages, and remove() = drm_dev_unplug() then display shutdown.
 * The fbdev emulation is not modelled (its uevents and its buffer are absent).
 */
import { step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { drmGemFops, drmGemVramDriverDumbCreate, DRIVER_ATOMIC, DRIVER_GEM, DRIVER_MODESET, type DrmDriver } from "../drm/mod.js";
import { pciRead32, type PciDev } from "../pci/mod.js";
import { displayPciDriver, displayProbeFinish, displayProbeStart, displayRemoveStart } from "./display_pipe.js";

export const BOCHS_PCI_ID = { vendor: 0x1234, device: 0x1111 } as const;
/** VBE_DISPI_INDEX_ID register and the id QEMU's bochs-display reports. */
export const VBE_DISPI_ID_REG = 0x0500;
export const VBE_DISPI_ID5 = 0xb0c5;

export const bochsDrmDriver: DrmDriver = {
  name: "bochs-drm",
  desc: "bochs dispi vga interface (qemu stdvga)",
  date: "0",
  major: 1,
  minor: 0,
  patchlevel: 0,
  dumbCreate: drmGemVramDriverDumbCreate,
  fops: drmGemFops,
  features: DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC,
};

export const bochsPciDriver = displayPciDriver("bochs-drm", [BOCHS_PCI_ID], bochsPciProbe, bochsPciRemove);

function* bochsPciProbe(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("bochs_pci_probe", [pdev]);
  const dev = yield* displayProbeStart(pdev, bochsDrmDriver, "bochs_device");
  if (typeof dev === "string") return dev;
  const id = yield* pciRead32(pdev, VBE_DISPI_ID_REG);
  if (id === 0xffffffff) return "ENODEV";
  const sim = pdev.kernel.sim;
  sim.printk(6, `[drm] Found bochs VGA, ID 0x${(id & 0xffff).toString(16)}.`);
  sim.printk(6, `[drm] Framebuffer size ${Math.floor(pdev.hardware.vramBytes / 1024)} kB`);
  return yield* displayProbeFinish(dev, pdev);
}

function* bochsPciRemove(pdev: PciDev): Task<void> {
  yield step("bochs_pci_remove", [pdev]);
  yield* displayRemoveStart(pdev);
}
