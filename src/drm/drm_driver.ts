/**
 * What a DRM driver tells the core about itself (struct drm_driver): identity, features, and
 * the callbacks the core calls.
 *
 * @see include/drm/drm_drv.h
 */
import type { Task } from "../kernel/mod.js";
import type { DrmDevice } from "./device.js";
import type { DrmFile } from "./file.js";

export const DRIVER_GEM = 1 << 0;
export const DRIVER_MODESET = 1 << 1;
export const DRIVER_RENDER = 1 << 3;
export const DRIVER_ATOMIC = 1 << 4;
export const DRIVER_COMPUTE_ACCEL = 1 << 7;

export interface DrmDriver {
  readonly name: string;
  readonly desc: string;
  readonly date: string;
  readonly major: number;
  readonly minor: number;
  readonly patchlevel: number;
  readonly features: number;
  /** Deprecated release hook, run first at the final put. @see drm_driver.release */
  readonly release?: (dev: DrmDevice) => Task<void>;
  readonly postclose?: (dev: DrmDevice, file: DrmFile) => Task<void>;
}

export function drmCoreCheckFeature(dev: { readonly driver: DrmDriver }, feature: number): boolean {
  return (dev.driver.features & feature) !== 0;
}
