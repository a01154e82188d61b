/**
 * Property blobs made by userspace: CREATEPROPBLOB copies `length` bytes from the caller
 * into a blob the file owns (a mode, for MODE_ID), DESTROYPROPBLOB lets go of it (the CRTC
 * state that uses it keeps it), and close lets go of every blob the file still owns.
 *
 * GETPROPBLOB reads any blob of the device by id (kernel-made ones too: a legacy SETCRTC's
 * mode), whoever made it.
 *
 * @see drm_mode_getblob_ioctl(), drm_mode_createblob_ioctl(), drm_mode_destroyblob_ioctl(),
 *      drm_property_destroy_user_blobs() in drivers/gpu/drm/drm_property.c
 */
import {
  fail,
  ok,
  type DRM_IOCTL_MODE_CREATEPROPBLOB,
  type DRM_IOCTL_MODE_DESTROYPROPBLOB,
  type DRM_IOCTL_MODE_GETPROPBLOB,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import type { IoctlFootprint } from "./ioctl_desc.js";
import { modeConfigOf } from "./kms.js";
import { DrmModeBlob, drmModeBlobsGc, MODEINFO_BYTES, type ModeInfo } from "./kms_objects.js";

/** The most a blob may hold (drm_property_create_blob()'s bound, less the struct). */
const BLOB_BYTES_MAX = 0x7fffffff - 64;

/** Both blob ioctls write the device's blob list. */
export function blobTouches(file: DrmFile): IoctlFootprint {
  return { reads: [], writes: [file.dev] };
}

/** @see drm_mode_createblob_ioctl() */
export function drmModeCreateblobIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_CREATEPROPBLOB>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_CREATEPROPBLOB>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  if (arg.length === 0 || arg.length > BLOB_BYTES_MAX) return fail("EINVAL");
  // The caller's memory holds its structs, MODEINFO_BYTES each: a shorter one faults.
  if (arg.data.length * MODEINFO_BYTES < arg.length) return fail("EFAULT");
  const mc = modeConfigOf(file.dev);
  const mode = arg.length === MODEINFO_BYTES ? (arg.data[0] as ModeInfo) : null;
  const data = arg.data.slice(0, Math.ceil(arg.length / MODEINFO_BYTES)) as ModeInfo[];
  const blob = new DrmModeBlob(mc.allocObjectId(), mode, arg.length, file, data);
  mc.blobs.set(blob.id, blob);
  return ok({ blob_id: blob.id });
}

/**
 * The blob's bytes, copied only when the caller's `length` is the blob's; its length always.
 * No blob by that id is ENOENT. @see drm_mode_getblob_ioctl()
 */
export function drmModeGetblobIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GETPROPBLOB>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETPROPBLOB>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const blob = modeConfigOf(file.dev).blobs.get(arg.blob_id);
  if (blob === undefined) return fail("ENOENT");
  return ok({ length: blob.length, data: arg.length === blob.length ? blob.data : [] });
}

/** GETPROPBLOB reads the device's blob list. */
export function getblobTouches(file: DrmFile): IoctlFootprint {
  return { reads: [file.dev], writes: [] };
}

/** @see drm_mode_destroyblob_ioctl() */
export function drmModeDestroyblobIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_DESTROYPROPBLOB>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_DESTROYPROPBLOB>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const mc = modeConfigOf(file.dev);
  const blob = mc.blobs.get(arg.blob_id);
  if (blob === undefined) return fail("ENOENT");
  if (blob.file !== file) return fail("EPERM");
  blob.file = null;
  drmModeBlobsGc(mc);
  return ok({});
}

/** At close: the file's blobs are let go of. The caller's step writes the device. */
export function drmPropertyDestroyUserBlobs(file: DrmFile): void {
  const mc = modeConfigOf(file.dev);
  for (const b of mc.blobs.values()) if (b.file === file) b.file = null;
  drmModeBlobsGc(mc);
}
