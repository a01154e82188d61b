/**
 * Dumb buffers: CREATE_DUMB checks the geometry for 32-bit overflow and hands the creation to
 * the driver's dumb_create (ENOSYS for a driver without one); MAP_DUMB gives a buffer its fake
 * mmap offset; DESTROY_DUMB drops a handle. The flags field is not looked at (the uapi asks
 * for zero, but neither the core nor the GEM helpers check it).
 *
 * What a buffer is made of is the driver's dumb_create's choice (gem_vram.ts, gem_shmem.ts,
 * gem_dma.ts, or the driver's own).
 *
 * @see drm_mode_create_dumb(), drm_mode_mmap_dumb_ioctl(), drm_mode_destroy_dumb_ioctl() in
 *      drivers/gpu/drm/drm_dumb_buffers.c; drm_gem_dumb_map_offset() in drm_gem.c
 */
import { PAGE_SIZE } from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import {
  fail,
  ok,
  type DRM_IOCTL_MODE_CREATE_DUMB,
  type DRM_IOCTL_MODE_DESTROY_DUMB,
  type DRM_IOCTL_MODE_MAP_DUMB,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmFile } from "./file.js";
import type { IoctlFootprint } from "./ioctl_desc.js";
import { drmGemCreateMmapOffset, drmGemHandleDelete } from "./gem.js";

const U32_MAX = 0xffffffff;

export type DumbCreateArgs = IoctlIn<typeof DRM_IOCTL_MODE_CREATE_DUMB>;
export type DumbCreateResult = SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_CREATE_DUMB>>;

/** The product of two u32 values as the kernel's u32 arithmetic gives it: the low 32 bits. */
export function mulU32(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}

/** PAGE_ALIGN() of a u32 size, wrapping to 0 as the kernel's u32 arithmetic does. */
function pageAlignU32(size: number): number {
  return (Math.ceil(size / PAGE_SIZE) * PAGE_SIZE) % 2 ** 32;
}

/** @see drm_mode_create_dumb(), drm_mode_create_dumb_ioctl() */
export function* drmModeCreateDumbIoctl(
  file: DrmFile,
  arg: DumbCreateArgs,
): Task<DumbCreateResult> {
  const create = file.dev.driver.dumbCreate;
  if (create === undefined) return fail("ENOSYS");
  const { width, height, bpp } = arg;
  if (width === 0 || height === 0 || bpp === 0) return fail("EINVAL");
  // The overflow checks of a 32-bit size: bytes per pixel, the stride, then the whole size.
  if (bpp > U32_MAX - 8) return fail("EINVAL");
  const cpp = Math.ceil(bpp / 8);
  if (cpp > Math.floor(U32_MAX / width)) return fail("EINVAL");
  // The products are u32 as in C: without the checks above they would wrap.
  const stride = mulU32(cpp, width);
  if (height > Math.floor(U32_MAX / stride)) return fail("EINVAL");
  if (pageAlignU32(mulU32(height, stride)) === 0) return fail("EINVAL");
  return yield* create(file, arg);
}

/** MAP_DUMB writes the object the handle names and the device's offset space. */
export function drmModeMmapDumbTouches(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_MAP_DUMB>,
): IoctlFootprint {
  const obj = file.handles.get(arg.handle);
  return { reads: [], writes: obj === undefined ? [] : [file.dev, obj] };
}

/** @see drm_mode_mmap_dumb_ioctl(), drm_gem_dumb_map_offset() */
export function drmModeMmapDumbIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_MAP_DUMB>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_MAP_DUMB>> {
  if (file.dev.driver.dumbCreate === undefined) return fail("ENOSYS");
  const obj = file.handles.get(arg.handle);
  if (obj === undefined) return fail("ENOENT");
  // An object imported from another device is mapped through its dma-buf, not here.
  if (obj.importAttach !== null) return fail("EINVAL");
  const offset = drmGemCreateMmapOffset(obj);
  return offset < 0n ? fail("ENOSPC") : ok({ offset });
}

/** @see drm_mode_destroy_dumb_ioctl() */
export function* drmModeDestroyDumbIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_DESTROY_DUMB>,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_DESTROY_DUMB>>> {
  if (file.dev.driver.dumbCreate === undefined) return fail("ENOSYS");
  const r = yield* drmGemHandleDelete(file, arg.handle);
  return r.ok ? ok({}) : fail(r.errno);
}
