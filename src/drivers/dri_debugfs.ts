/**
 * A DRM device's debugfs directory, where drivers put their knobs: dri/<index of its primary
 * minor> under /sys/kernel/debug (the model mounts debugfs there, inside sysfs).
 * @see drm_debugfs_dev_register() in drivers/gpu/drm/drm_debugfs.c
 */
import type { DrmDevice } from "../drm/mod.js";

export function driDebugfsDir(dev: DrmDevice): string {
  return `/sys/kernel/debug/dri/${dev.primary?.index ?? 0}`;
}
