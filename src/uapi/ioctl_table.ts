/**
 * Every ioctl whose uapi the model knows (the DRM core's and its drivers'), found by name and
 * by number, as a program that includes the headers knows them. A scenario names an ioctl once,
 * when it is loaded; from then on the definition itself is passed along.
 */
import { DMA_BUF_IOCTLS } from "./dma_buf.js";
import { DRM_CORE_IOCTLS } from "./drm_ioctls.js";
import { I915_IOCTLS } from "./i915_drm.js";
import type { AnyIoctlDef } from "./ioctl.js";
import { SYNC_FILE_IOCTLS } from "./sync_file.js";
import { VIRTGPU_IOCTLS } from "./virtgpu_drm.js";
import { VTEST_IOCTLS } from "./vtest_drm.js";

/** The core ioctls, then each driver's, in number order within each. */
export const DRM_IOCTLS: readonly AnyIoctlDef[] = [
  ...DRM_CORE_IOCTLS,
  ...VTEST_IOCTLS,
  ...VIRTGPU_IOCTLS,
  ...I915_IOCTLS,
];

/** Every ioctl a program can name: the DRM ones, then those of other files (sync_file, dma-buf). */
export const KNOWN_IOCTLS: readonly AnyIoctlDef[] = [
  ...DRM_IOCTLS,
  ...SYNC_FILE_IOCTLS,
  ...DMA_BUF_IOCTLS,
];

const byName = new Map<string, AnyIoctlDef>(KNOWN_IOCTLS.map((d) => [d.name, d]));
const byCmd = new Map<number, AnyIoctlDef>();
for (const d of KNOWN_IOCTLS) if (!byCmd.has(d.cmd)) byCmd.set(d.cmd, d);

export function ioctlByName(name: string): AnyIoctlDef | undefined {
  return byName.get(name);
}

/**
 * The ioctl whose number is `cmd` exactly (direction, size, type and nr). Driver-private
 * numbers repeat across drivers, as in Linux: for such a number this is the first driver's
 * (in DRM_IOCTLS order); a bare number means only its bytes to the driver that gets it.
 */
export function ioctlByCmd(cmd: number): AnyIoctlDef | undefined {
  return byCmd.get(cmd >>> 0);
}

/** The names a scenario may use (every ioctl the model knows). */
export const DRM_IOCTL_NAMES: readonly string[] = KNOWN_IOCTLS.map((d) => d.name);
