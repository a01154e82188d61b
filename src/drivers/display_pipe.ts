/**
 * What the model's display drivers share: one connector, plane, CRTC and encoder, and a
 * scanout enable/disable that touches the hardware only inside drmDevEnter()/drmDevExit().
 *
 * @see drm_simple_display_pipe_init() in drivers/gpu/drm/drm_simple_kms_helper.c
 */
import type { Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { drmCrtcInit, drmDevEnter, drmDevExit, drmEncoderInit, drmmConnectorInit, drmmModeConfigInit, drmPlaneInit, type ConnectorTypeName, type DrmDevice } from "../drm/mod.js";
import { pciWrite32, type PciDev } from "../pci/mod.js";

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
  const token = drmDevEnter(dev);
  if (token === null) return false;
  try {
    yield* pciWrite32(pdev, SCANOUT_ENABLE_REG, on ? 1 : 0);
    return true;
  } finally {
    drmDevExit(dev, token);
  }
}
