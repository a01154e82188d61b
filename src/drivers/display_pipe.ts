/**
 * What the model's display drivers share: one connector, plane, CRTC and encoder, a scanout
 * enable/disable that touches the hardware only inside drmDevEnter()/drmDevExit(), and the
 * parts of probe and remove that the display drivers run the same way.
 *
 * @see drm_simple_display_pipe_init() in drivers/gpu/drm/drm_simple_kms_helper.c
 */
import { assert, step, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { devmDrmDevAlloc, DrmDevice, drmCore, drmCrtcInit, drmDevEnter, drmDevExit, drmDevRegister, drmDevUnplug, drmEncoderInit, drmmConnectorInit, drmmModeConfigInit, drmPlaneInit, type ConnectorTypeName, type DrmDriver } from "../drm/mod.js";
import { pcimEnableDevice, pciWrite32, type PciDev, type PciDeviceId, type PciDriver } from "../pci/mod.js";

/** MMIO register the model's display hardware uses to enable scanout. */
export const SCANOUT_ENABLE_REG = 0x0104;

/** Mode config, the connector first (its id follows the standard properties), then the pipe. */
export function displayPipeInit(dev: DrmDevice, connectorType: ConnectorTypeName): 0 | ErrnoName {
  const err = drmmModeConfigInit(dev);
  if (err !== 0) return err;
  const connector = drmmConnectorInit(dev, connectorType);
  if (typeof connector === "string") return connector;
  drmPlaneInit(dev);
  drmCrtcInit(dev);
  drmEncoderInit(dev);
  return 0;
}

/** Writes the scanout register, or does nothing once the device is unplugged. */
export function* displayPipeSetScanout(dev: DrmDevice, pdev: PciDev, on: boolean): Task<boolean> {
  const crtc = step(on ? "drm_simple_kms_crtc_enable" : "drm_simple_kms_crtc_disable", [dev], [dev.unplugSrcu]);
  yield crtc;
  const token = drmDevEnter(dev);
  if (token === null) return false;
  try {
    yield* pciWrite32(pdev, SCANOUT_ENABLE_REG, on ? 1 : 0);
    yield crtc;
    return true;
  } finally {
    drmDevExit(dev, token);
  }
}

/**
 * The start of a display probe that does lifetimes right: pcim_enable_device(), then the
 * container from devm_drm_dev_alloc(), kept as the PCI device's drvdata.
 * @returns the drm_device, or the errno that fails the probe
 */
export function* displayProbeStart(pdev: PciDev, driver: DrmDriver, containerType: string): Task<DrmDevice | ErrnoName> {
  const err = yield* pcimEnableDevice(pdev);
  if (err !== 0) return err;
  const dev = yield* devmDrmDevAlloc(pdev, driver, containerType);
  if (typeof dev === "string") return dev;
  pdev.drvdata = dev;
  return dev;
}

/** The end of every display probe: the pipe, drm_dev_register(), then scanout on. */
export function* displayProbeFinish(dev: DrmDevice, pdev: PciDev): Task<0 | ErrnoName> {
  yield step("drm_simple_display_pipe_init", [], [dev, drmCore(dev.kernel)]);
  const err = displayPipeInit(dev, "Virtual");
  if (err !== 0) return err;
  const rerr = yield* drmDevRegister(dev);
  if (rerr !== 0) return rerr;
  yield* displayPipeSetScanout(dev, pdev, true);
  return 0;
}

/**
 * The start of every display remove(): drm_dev_unplug(), then the display shutdown, which is
 * skipped for the hardware once unplugged (like drm_atomic_helper_shutdown()).
 */
export function* displayRemoveStart(pdev: PciDev): Task<DrmDevice> {
  const dev = pdev.drvdata;
  if (!(dev instanceof DrmDevice)) assert(false, `Cannot remove ${pdev.name}: its drvdata is not the drm_device probe made`);
  yield* drmDevUnplug(dev);
  yield* displayPipeSetScanout(dev, pdev, false);
  return dev;
}

/** A PCI driver object whose probe and remove take the PciDev. */
export function displayPciDriver(name: string, idTable: readonly PciDeviceId[], probe: (pdev: PciDev) => Task<0 | ErrnoName>, remove: (pdev: PciDev) => Task<void>): PciDriver {
  return { name, busName: "pci", idTable, probe, remove };
}
