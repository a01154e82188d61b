/**
 * What a DRM driver tells the core about itself (struct drm_driver): identity, features, and
 * the callbacks the core calls.
 *
 * @see include/drm/drm_drv.h
 */
import type { DmaBufAttachment, FileOps, SgTable } from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import type { DumbCreateArgs, DumbCreateResult } from "./dumb_buffers.js";
import type { DrmFile } from "./file.js";
import type { GemObject } from "./gem.js";
import type { AnyDrmIoctlDesc } from "./ioctl_desc.js";

export const DRIVER_GEM = 1 << 0;
export const DRIVER_MODESET = 1 << 1;
export const DRIVER_RENDER = 1 << 3;
export const DRIVER_ATOMIC = 1 << 4;
export const DRIVER_SYNCOBJ = 1 << 5;
export const DRIVER_SYNCOBJ_TIMELINE = 1 << 6;
export const DRIVER_COMPUTE_ACCEL = 1 << 7;
export const DRIVER_CURSOR_HOTSPOT = 1 << 9;

export interface DrmDriver {
  readonly name: string;
  readonly desc: string;
  readonly date: string;
  readonly major: number;
  readonly minor: number;
  readonly patchlevel: number;
  readonly features: number;
  /**
   * The file operations of the device's nodes, set on every file at open (drm_stub_open()
   * replaces the char device's with these). A GEM driver uses drmGemFops, whose mmap is
   * drm_gem_mmap(). @see drm_driver.fops, DEFINE_DRM_GEM_FOPS()
   */
  readonly fops: FileOps;
  /** Deprecated release hook, run first at the final put. @see drm_driver.release */
  readonly release?: (dev: DrmDevice) => Task<void>;
  readonly postclose?: (dev: DrmDevice, file: DrmFile) => Task<void>;
  /**
   * Creates a dumb buffer (CREATE_DUMB, after the core's geometry checks); a driver without it
   * has no dumb buffers (ENOSYS, and DRM_CAP_DUMB_BUFFER is 0). @see drm_driver.dumb_create
   */
  readonly dumbCreate?: (file: DrmFile, args: DumbCreateArgs) => Task<DumbCreateResult>;
  /**
   * The driver's own ioctls, indexed by number minus DRM_COMMAND_BASE (build it with
   * drmDriverIoctlTable()); drm_ioctl() dispatches numbers in DRM_COMMAND_BASE..END here, and
   * fails a number past the table's end, or a hole in it, with EINVAL.
   * @see drm_driver.ioctls, drm_driver.num_ioctls
   */
  readonly ioctls?: readonly (AnyDrmIoctlDesc | undefined)[];
  /**
   * Makes a GEM object of another device's buffer, from the pages it shares: a driver
   * without it cannot import other devices' dma-bufs (EINVAL), only its own.
   * @see drm_driver.gem_prime_import_sg_table
   */
  readonly gemPrimeImportSgTable?: (
    dev: DrmDevice,
    attach: DmaBufAttachment,
    sgt: SgTable,
  ) => Task<GemObject | ErrnoName>;
}

export function drmCoreCheckFeature(dev: { readonly driver: DrmDriver }, feature: number): boolean {
  return (dev.driver.features & feature) !== 0;
}
