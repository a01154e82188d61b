/**
 * KMS once the device is unplugged, per profile (the `kmsAfterUnplug` variant). Mainline's
 * ioctl gate refuses every KMS ioctl with ENODEV, TEST_ONLY commits included (R40, R41).
 * The uAPI document's choice (D3, D4) lets them through to their handlers, which fake
 * success: queries answer with connectors disconnected (R64), and commits, legacy or atomic,
 * change nothing but send at once every event they ask for (R42), so that a compositor
 * waiting for one goes on.
 *
 * @see Documentation/gpu/drm-uapi.rst, "Device Hot-Unplug"; docs/requirements.md#r62
 */
import { variant } from "../base/mod.js";
import {
  DRM_EVENT_FLIP_COMPLETE,
  DRM_IOCTL_BASE,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_SETCRTC,
  iocNr,
  iocType,
} from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import type { DrmFile } from "./file.js";
import type { DrmCrtc } from "./kms_objects.js";
import { drmCrtcVblankCount, drmSendVblankEvent } from "./kms_vblank.js";

/** The KMS ioctls (by number) whose handlers answer after unplug when the profile fakes. */
const KMS_IOCTL_NRS: ReadonlySet<number> = new Set(
  [
    DRM_IOCTL_MODE_GETRESOURCES,
    DRM_IOCTL_MODE_GETCRTC,
    DRM_IOCTL_MODE_SETCRTC,
    DRM_IOCTL_MODE_GETENCODER,
    DRM_IOCTL_MODE_GETCONNECTOR,
    DRM_IOCTL_MODE_GETPROPERTY,
    DRM_IOCTL_MODE_RMFB,
    DRM_IOCTL_MODE_PAGE_FLIP,
    DRM_IOCTL_MODE_GETPLANERESOURCES,
    DRM_IOCTL_MODE_GETPLANE,
    DRM_IOCTL_MODE_ADDFB2,
    DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
    DRM_IOCTL_MODE_ATOMIC,
    DRM_IOCTL_MODE_CREATEPROPBLOB,
    DRM_IOCTL_MODE_DESTROYPROPBLOB,
  ].map((d) => d.nr),
);

/**
 * Whether ioctl `cmd` on the unplugged `dev` goes on to its handler (a KMS ioctl under a
 * profile that fakes) instead of failing at the unplug gate.
 */
export function kmsIoctlPassesUnplug(dev: DrmDevice, cmd: number): boolean {
  return iocType(cmd) === DRM_IOCTL_BASE && KMS_IOCTL_NRS.has(iocNr(cmd)) && kmsFakesAfterUnplug(dev);
}

/** Whether KMS ioctls fake success after unplug (uapi-doc) rather than fail (mainline). */
export function kmsFakesAfterUnplug(dev: DrmDevice): boolean {
  return variant(dev.kernel.profile, "kmsAfterUnplug") === "fake";
}

/**
 * A faked commit's events: one flip-complete per CRTC, sent now with the CRTC's vblank count,
 * as if the flip had completed. The caller's step writes the file.
 */
export function kmsFakeFlipEvents(file: DrmFile, crtcs: readonly DrmCrtc[], userData: bigint): void {
  const dev = file.dev;
  for (const crtc of crtcs) {
    const event = { file, type: DRM_EVENT_FLIP_COMPLETE, userData, crtcId: crtc.id };
    drmSendVblankEvent(dev, event, drmCrtcVblankCount(dev, crtc.vblank));
  }
}
