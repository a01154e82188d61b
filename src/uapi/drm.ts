/**
 * The DRM core uapi the model knows: the argument structs of drm.h (field by field, as the
 * header declares them) and the capabilities of GET_CAP and SET_CLIENT_CAP (values of __u64
 * fields, hence bigints). The core ioctls themselves are in drm_ioctls.ts.
 *
 * @see include/uapi/drm/drm.h
 */
import {
  __kernel_size_t,
  __s32,
  __u32,
  __u64,
  c_int,
  c_uint,
  c_ulong,
  cstruct,
  userString,
} from "./ioctl_struct.js";
import { O_CLOEXEC, O_RDWR } from "./syscalls.js";

export const drm_version = cstruct("drm_version", {
  version_major: c_int,
  version_minor: c_int,
  version_patchlevel: c_int,
  name_len: __kernel_size_t,
  name: userString("name_len"),
  date_len: __kernel_size_t,
  date: userString("date_len"),
  desc_len: __kernel_size_t,
  desc: userString("desc_len"),
});

export const drm_unique = cstruct("drm_unique", {
  unique_len: __kernel_size_t,
  unique: userString("unique_len"),
});

/** drm_magic_t is an unsigned int. */
export const drm_auth = cstruct("drm_auth", { magic: c_uint });

export const drm_client = cstruct("drm_client", {
  idx: c_int,
  auth: c_int,
  pid: c_ulong,
  uid: c_ulong,
  magic: c_ulong,
  iocs: c_ulong,
});

export const drm_set_version = cstruct("drm_set_version", {
  drm_di_major: c_int,
  drm_di_minor: c_int,
  drm_dd_major: c_int,
  drm_dd_minor: c_int,
});

export const drm_gem_close = cstruct("drm_gem_close", { handle: __u32, pad: __u32 });
export const drm_get_cap = cstruct("drm_get_cap", { capability: __u64, value: __u64 });
export const drm_set_client_cap = cstruct("drm_set_client_cap", {
  capability: __u64,
  value: __u64,
});
export const drm_prime_handle = cstruct("drm_prime_handle", {
  handle: __u32,
  flags: __u32,
  fd: __s32,
});
export const drm_syncobj_create = cstruct("drm_syncobj_create", { handle: __u32, flags: __u32 });
export const drm_syncobj_destroy = cstruct("drm_syncobj_destroy", { handle: __u32, pad: __u32 });

/** GET_CAP capabilities (values of drm_get_cap.capability). */
export const DRM_CAP = {
  DRM_CAP_DUMB_BUFFER: 0x1n,
  DRM_CAP_VBLANK_HIGH_CRTC: 0x2n,
  DRM_CAP_DUMB_PREFERRED_DEPTH: 0x3n,
  DRM_CAP_DUMB_PREFER_SHADOW: 0x4n,
  DRM_CAP_PRIME: 0x5n,
  DRM_CAP_TIMESTAMP_MONOTONIC: 0x6n,
  DRM_CAP_ASYNC_PAGE_FLIP: 0x7n,
  DRM_CAP_CURSOR_WIDTH: 0x8n,
  DRM_CAP_CURSOR_HEIGHT: 0x9n,
  DRM_CAP_ADDFB2_MODIFIERS: 0x10n,
  DRM_CAP_PAGE_FLIP_TARGET: 0x11n,
  DRM_CAP_CRTC_IN_VBLANK_EVENT: 0x12n,
  DRM_CAP_SYNCOBJ: 0x13n,
  DRM_CAP_SYNCOBJ_TIMELINE: 0x14n,
  DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP: 0x15n,
} as const;

/** PRIME_HANDLE_TO_FD flags: the new fd is close-on-exec (O_CLOEXEC). */
export const DRM_CLOEXEC = O_CLOEXEC;
/** PRIME_HANDLE_TO_FD flags: the dma-buf file is open for writing too (O_RDWR). */
export const DRM_RDWR = O_RDWR;

/** The bits of the DRM_CAP_PRIME value. */
export const DRM_PRIME_CAP_IMPORT = 0x1n;
export const DRM_PRIME_CAP_EXPORT = 0x2n;

/** SET_CLIENT_CAP capabilities (values of drm_set_client_cap.capability). */
export const DRM_CLIENT_CAP = {
  DRM_CLIENT_CAP_STEREO_3D: 1n,
  DRM_CLIENT_CAP_UNIVERSAL_PLANES: 2n,
  DRM_CLIENT_CAP_ATOMIC: 3n,
  DRM_CLIENT_CAP_ASPECT_RATIO: 4n,
  DRM_CLIENT_CAP_WRITEBACK_CONNECTORS: 5n,
  DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT: 6n,
} as const;

/** The DRM interface version SET_VERSION reports (DRM_IF_MAJOR, DRM_IF_MINOR). */
export const DRM_IF_MAJOR = 1;
export const DRM_IF_MINOR = 4;

/** The char major of DRM nodes. */
export const DRM_MAJOR = 226;
