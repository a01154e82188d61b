/**
 * A display pipeline as a simple display driver builds it: one primary plane, the CRTC that
 * scans it out (with its vblank), one encoder, and the connector routed through it, with
 * the driver's operations on its hardware.
 *
 * @see drm_simple_display_pipe_init() in drivers/gpu/drm/drm_simple_kms_helper.c
 */
import { DRM_MODE_ENCODER_VIRTUAL } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { modeConfigOf, type DrmConnector, type KmsPipeFuncs } from "./kms.js";
import { drmCrtcInitWithPlanes, drmEncoderInitType, drmPrimaryPlaneInit, type DrmCrtc } from "./kms_objects.js";
import { kmsVblankNew } from "./kms_vblank.js";

/** Plane, CRTC and encoder for `connector`, driven by `funcs`; returns the CRTC. */
export function drmSimpleDisplayPipeInit(
  dev: DrmDevice,
  connector: DrmConnector,
  funcs: KmsPipeFuncs,
): DrmCrtc {
  const mc = modeConfigOf(dev);
  const index = mc.crtcs.length;
  const plane = drmPrimaryPlaneInit(dev, index);
  const crtc = drmCrtcInitWithPlanes(dev, plane, kmsVblankNew(dev, `crtc-${index}`));
  const encoder = drmEncoderInitType(dev, DRM_MODE_ENCODER_VIRTUAL, 1 << index);
  connector.encoderIds.push(encoder.id);
  mc.funcs = funcs;
  return crtc;
}
