/**
 * KMS once the device is unplugged, per profile (the `kmsAfterUnplug` variant). Mainline's
 * ioctl gate refuses every KMS ioctl with ENODEV, TEST_ONLY commits included (R40, R41).
 * Which ioctls are KMS ones is said once, by the `kms` mark of their table entries
 * (drmKmsIoctlDef() in ioctl_desc.ts), which the gate (drmIoctlUnplugGate()) reads.
 * The uAPI document's choice (D3, D4) lets them through to their handlers, which fake
 * success: queries answer with connectors disconnected (R64), and commits, legacy or atomic,
 * change nothing but send at once every event they ask for (R42), so that a compositor
 * waiting for one goes on.
 *
 * @see Documentation/gpu/drm-uapi.rst, "Device Hot-Unplug"; docs/requirements.md#r62
 */
import { variant } from "../base/mod.js";
import { DRM_EVENT_FLIP_COMPLETE } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import type { DrmFile } from "./file.js";
import type { DrmCrtc, PendingVblankEvent } from "./kms_objects.js";
import { drmCrtcVblankCount, drmSendVblankEvent } from "./kms_vblank.js";

/** Whether KMS ioctls fake success after unplug (uapi-doc) rather than fail (mainline). */
export function kmsFakesAfterUnplug(dev: DrmDevice): boolean {
  return variant(dev.kernel.profile, "kmsAfterUnplug") === "fake";
}

/**
 * A faked commit's events: one flip-complete per CRTC, sent now with the CRTC's vblank count,
 * as if the flip had completed. The caller's step writes the file.
 */
export function kmsFakeFlipEvents(file: DrmFile, crtcs: readonly DrmCrtc[], userData: bigint): void {
  const events = crtcs.map((crtc) => [crtc, { file, type: DRM_EVENT_FLIP_COMPLETE, userData, crtcId: crtc.id }] as const);
  kmsFakeCommitEvents(file.dev, events);
}

/**
 * A faked commit's own events (a flip-complete to a file, an out-fence, or both), each sent
 * now with its CRTC's vblank count. The caller's step writes their files and fences.
 */
export function kmsFakeCommitEvents(dev: DrmDevice, events: Iterable<readonly [DrmCrtc, PendingVblankEvent]>): void {
  for (const [crtc, event] of events) {
    dev.sim.traceDisplay(dev.mem, "flip", crtc.id, "faked: the device is unplugged, nothing changes");
    drmSendVblankEvent(dev, event, drmCrtcVblankCount(dev, crtc.vblank));
  }
}
