/**
 * The atomic modesetting ioctl, as far as the model's KMS goes: every check of the request
 * that comes before the objects are looked at, and the commit of a request without objects.
 * A request naming objects makes the kernel read them through objs_ptr, a user pointer the
 * model does not follow: EFAULT, as Linux answers for the null pointer of a zeroed struct.
 *
 * @see drm_mode_atomic_ioctl() in drivers/gpu/drm/drm_atomic_uapi.c
 */
import {
  DRM_MODE_ATOMIC_FLAGS,
  DRM_MODE_ATOMIC_TEST_ONLY,
  DRM_MODE_PAGE_FLIP_ASYNC,
  DRM_MODE_PAGE_FLIP_EVENT,
  fail,
  ok,
  type DRM_IOCTL_MODE_ATOMIC,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import { DRIVER_ATOMIC, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";

/** @see drm_mode_atomic_ioctl() */
export function drmModeAtomicIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_ATOMIC>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_ATOMIC>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_ATOMIC)) return fail("EOPNOTSUPP");
  if (!file.atomic) return fail("EINVAL"); // the client did not set DRM_CLIENT_CAP_ATOMIC
  const flags = arg.flags;
  if ((flags & ~DRM_MODE_ATOMIC_FLAGS) !== 0) return fail("EINVAL");
  if (arg.reserved !== 0n) return fail("EINVAL");
  // No modelled device sets mode_config.async_page_flip.
  if ((flags & DRM_MODE_PAGE_FLIP_ASYNC) !== 0) return fail("EINVAL");
  // A test-only commit cannot ask for an event.
  if ((flags & DRM_MODE_ATOMIC_TEST_ONLY) !== 0 && (flags & DRM_MODE_PAGE_FLIP_EVENT) !== 0)
    return fail("EINVAL");
  if (arg.count_objs !== 0) return fail("EFAULT");
  return ok({});
}
