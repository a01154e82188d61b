/**
 * What the model's display drivers share: one connector, plane, CRTC and encoder (a simple
 * display pipe), the pipe's hardware work for commits, and the parts of probe and remove
 * that the display drivers run the same way.
 *
 * The hardware: a mode register, a scanout enable and the framebuffer being scanned out, and
 * a PLL that takes PLL_LOCK_TICKS to lock on a new mode. A correct driver does all of it
 * inside drmDevEnter()/drmDevExit(), so after unplug a commit runs in software only (and
 * drm_dev_unplug() waits for a mode set already under way); `guarded: false` is the broken
 * variant that skips it, which the `hardware-after-unplug` check catches. A display plugged
 * into or pulled out of the card's output raises its interrupt, whose handler asks the
 * connector's detect (the sense register, read inside drm_dev_enter()) and reports a change.
 *
 * @see drm_simple_display_pipe_init() in drivers/gpu/drm/drm_simple_kms_helper.c
 */
import { assert, sleepTicks, step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { devmDrmDevAlloc, DrmDevice, drmAtomicHelperShutdown, drmHelperHpdIrqEvent, drmCore, drmDevRegister, drmDevUnplug, drmHardwareAccessCheck, drmmConnectorInit, drmmModeConfigInit, drmSimpleDisplayPipeInit, type ConnectorTypeName, type DrmDriver, type KmsPipeFuncs, type RemoverRef } from "../drm/mod.js";
import { freeIrq, pciHardwareResponds, pcimEnableDevice, pciRead32, pciWrite32, requestIrq, type PciDev, type PciDeviceId, type PciDriver } from "../pci/mod.js";
import { devSectionEnter, devSectionExit } from "./dev_section.js";

/** MMIO register the model's display hardware uses to enable scanout. */
export const SCANOUT_ENABLE_REG = 0x0104;
/** The mode: hdisplay << 16 | vdisplay. */
export const MODE_REG = 0x0108;
/** The framebuffer scanned out (its id; 0 for none). */
export const SCANOUT_FB_REG = 0x0110;
/**
 * The output's hot-plug sense: bit 0 set while no display is plugged in (the model's cards
 * come with one). A change raises the card's interrupt.
 */
export const HPD_STATUS_REG = 0x0120;
/** How long the pixel clock takes to lock on a new mode. */
export const PLL_LOCK_TICKS = 1_000;

/** Mode config, the connector first (its id follows the standard properties), then the pipe. */
export function displayPipeInit(dev: DrmDevice, connectorType: ConnectorTypeName, funcs: KmsPipeFuncs): 0 | ErrnoName {
  const err = drmmModeConfigInit(dev);
  if (err !== 0) return err;
  const connector = drmmConnectorInit(dev, connectorType);
  if (typeof connector === "string") return connector;
  drmSimpleDisplayPipeInit(dev, connector, funcs);
  return 0;
}

/**
 * Runs `body` (hardware work) inside drm_dev_enter() when `guarded`, skipping it once the
 * device is unplugged; `fn` names the step, which declares the device and drm_unplug_srcu.
 */
function* hardwareSection(dev: DrmDevice, fn: string, guarded: boolean, body: () => Task<void>): Task<boolean> {
  const s = step(fn, [dev], [dev.unplugSrcu]);
  yield s;
  const section = devSectionEnter(dev, guarded);
  if (section === null) return false;
  try {
    yield* body();
    yield s;
    return true;
  } finally {
    devSectionExit(dev, section);
  }
}

/** Writes the scanout register, or does nothing once the device is unplugged. */
export function* displayPipeSetScanout(dev: DrmDevice, pdev: PciDev, on: boolean): Task<boolean> {
  const fn = on ? "drm_simple_kms_crtc_enable" : "drm_simple_kms_crtc_disable";
  return yield* hardwareSection(dev, fn, true, () => pciWrite32(pdev, SCANOUT_ENABLE_REG, on ? 1 : 0));
}

/** The pipe's hardware work on `pdev`; `guarded: false` leaves out drm_dev_enter() (broken). */
export function displayPipeFuncs(pdev: PciDev, guarded: boolean): KmsPipeFuncs {
  return {
    vblank: true,
    // The card's vblank interrupt: none once it is pulled out or unpowered.
    vblankIrq: () => pciHardwareResponds(pdev.hardware),
    *enable(dev, _crtc, mode) {
      yield* hardwareSection(dev, "drm_simple_kms_crtc_enable", guarded, function* () {
        yield* pciWrite32(pdev, MODE_REG, ((mode.hdisplay << 16) | mode.vdisplay) >>> 0);
        yield sleepTicks(PLL_LOCK_TICKS, step("drm_simple_kms_crtc_enable", [dev], [dev.unplugSrcu]));
        yield* pciWrite32(pdev, SCANOUT_ENABLE_REG, 1);
      });
    },
    *disable(dev) {
      yield* hardwareSection(dev, "drm_simple_kms_crtc_disable", guarded, () => pciWrite32(pdev, SCANOUT_ENABLE_REG, 0));
    },
    *update(dev, _plane, fb) {
      yield* hardwareSection(dev, "drm_simple_kms_plane_atomic_update", guarded, () => pciWrite32(pdev, SCANOUT_FB_REG, fb?.id ?? 0));
    },
    *detect(dev, connector) {
      // Gone from the bus (all ones) reads as no display; after unplug nothing is read.
      let status = connector.status;
      yield* hardwareSection(dev, "drm_connector_helper_detect", guarded, function* () {
        status = ((yield* pciRead32(pdev, HPD_STATUS_REG)) & 1) === 0 ? "connected" : "disconnected";
      });
      return status;
    },
  };
}

/** The card's interrupt: a hot-plug on its output. @see drm_helper_hpd_irq_event() */
function* displayHpdIrq(pdev: PciDev): Task<void> {
  const dev = pdev.drvdata;
  if (!(dev instanceof DrmDevice)) return; // not bound any more
  yield* drmHelperHpdIrqEvent(dev);
}

/** Who runs each display device's remove(), by PCI function (a model cache, not kernel state). */
const removers = new WeakMap<PciDev, RemoverRef>();

/**
 * The start of a display probe that does lifetimes right: pcim_enable_device(), then the
 * container from devm_drm_dev_alloc(), kept as the PCI device's drvdata; the check of
 * hardware accesses after unplug is installed for the device.
 * @returns the drm_device, or the errno that fails the probe
 */
export function* displayProbeStart(pdev: PciDev, driver: DrmDriver, containerType: string): Task<DrmDevice | ErrnoName> {
  const err = yield* pcimEnableDevice(pdev);
  if (err !== 0) return err;
  const dev = yield* devmDrmDevAlloc(pdev, driver, containerType);
  if (typeof dev === "string") return dev;
  pdev.drvdata = dev;
  const remover: RemoverRef = { task: null };
  removers.set(pdev, remover);
  const boundTo = pdev.driver;
  // Another driver bound later is not this device's concern.
  pdev.mmioCheck = (offset, mode) => {
    const other = pdev.kernel.sim.observe(() => pdev.driver !== null && pdev.driver !== boundTo);
    if (!other) drmHardwareAccessCheck(dev, remover, pdev.name, offset, mode);
  };
  return dev;
}

/** The end of every display probe: the pipe, drm_dev_register(), then scanout on. */
export function* displayProbeFinish(dev: DrmDevice, pdev: PciDev, guarded = true): Task<0 | ErrnoName> {
  yield step("drm_simple_display_pipe_init", [], [dev, drmCore(dev.kernel)]);
  const err = displayPipeInit(dev, "Virtual", displayPipeFuncs(pdev, guarded));
  if (err !== 0) return err;
  yield step("request_irq", [], [pdev]);
  requestIrq(pdev, dev.driver.name, displayHpdIrq);
  const rerr = yield* drmDevRegister(dev);
  if (rerr !== 0) return rerr;
  yield* displayPipeSetScanout(dev, pdev, true);
  return 0;
}

/**
 * The start of every display remove(): drm_dev_unplug(), then drm_atomic_helper_shutdown()
 * (every CRTC off: the hardware part skipped once unplugged, the events still waiting sent),
 * then the scanout off, skipped too.
 */
export function* displayRemoveStart(pdev: PciDev): Task<DrmDevice> {
  const dev = pdev.drvdata;
  if (!(dev instanceof DrmDevice)) assert(false, `Cannot remove ${pdev.name}: its drvdata is not the drm_device probe made`);
  const remover = removers.get(pdev);
  if (remover !== undefined) remover.task = pdev.kernel.sim.current;
  yield* drmDevUnplug(dev);
  yield* drmAtomicHelperShutdown(dev);
  yield* displayPipeSetScanout(dev, pdev, false);
  yield step("free_irq", [], [pdev]);
  freeIrq(pdev);
  return dev;
}

/** A PCI driver object whose probe and remove take the PciDev. */
export function displayPciDriver(name: string, idTable: readonly PciDeviceId[], probe: (pdev: PciDev) => Task<0 | ErrnoName>, remove: (pdev: PciDev) => Task<void>): PciDriver {
  return { name, busName: "pci", idTable, probe, remove };
}
