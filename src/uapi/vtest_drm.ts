/**
 * The uapi of the model's test driver `vtest` (src/drivers/vtest.ts), written the way a
 * driver's include/uapi/drm/<driver>_drm.h is: its private ioctl numbers start at
 * DRM_COMMAND_BASE and its argument structs are plain __u32/__u64 fields.
 *
 * DRM_IOCTL_VTEST_HOLD_ENTER holds drm_dev_enter() on the file's device for `duration_ns`
 * nanoseconds, then drm_dev_exit(): a reader that drm_dev_unplug() of any DRM device must
 * wait for (R11, R96), for scenarios that assert that order.
 *
 * @see include/uapi/drm/vgem_drm.h for a real test driver's uapi of this shape
 */
import { DRM_COMMAND_BASE, ioctlDef } from "./ioctl.js";
import { __u64, cstruct } from "./ioctl_struct.js";

export const DRM_VTEST_HOLD_ENTER = 0x00;

export const drm_vtest_hold_enter = cstruct("drm_vtest_hold_enter", {
  /** How long to stay inside drm_dev_enter(), in nanoseconds. */
  duration_ns: __u64,
});

export const DRM_IOCTL_VTEST_HOLD_ENTER = ioctlDef(
  "DRM_IOCTL_VTEST_HOLD_ENTER",
  "IOW",
  DRM_COMMAND_BASE + DRM_VTEST_HOLD_ENTER,
  drm_vtest_hold_enter,
  { duration_ns: "in" },
  8,
);

/** Every ioctl of the vtest uapi. */
export const VTEST_IOCTLS = [DRM_IOCTL_VTEST_HOLD_ENTER] as const;
