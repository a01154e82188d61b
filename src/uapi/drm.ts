/**
 * The DRM core uapi the model knows: the argument structs of drm.h, the core ioctls with the
 * direction of each field, and the capabilities of GET_CAP and SET_CLIENT_CAP (values of
 * __u64 fields, hence bigints).
 *
 * @see include/uapi/drm/drm.h
 */
import {
  drm_mode_atomic,
  drm_mode_card_res,
  drm_mode_create_dumb,
  drm_mode_create_lease,
  drm_mode_crtc,
  drm_mode_crtc_page_flip,
  drm_mode_destroy_dumb,
  drm_mode_get_connector,
  drm_mode_map_dumb,
} from "./drm_mode.js";
import { ioctlDef, ioctlDefNoArg } from "./ioctl.js";
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

const IN = "in" as const;
const OUT = "out" as const;
const INOUT = "inout" as const;

export const DRM_IOCTL_VERSION = ioctlDef(
  "DRM_IOCTL_VERSION",
  "IOWR",
  0x00,
  drm_version,
  {
    version_major: OUT,
    version_minor: OUT,
    version_patchlevel: OUT,
    name_len: INOUT,
    name: OUT,
    date_len: INOUT,
    date: OUT,
    desc_len: INOUT,
    desc: OUT,
  },
  64,
);
export const DRM_IOCTL_GET_UNIQUE = ioctlDef(
  "DRM_IOCTL_GET_UNIQUE",
  "IOWR",
  0x01,
  drm_unique,
  { unique_len: INOUT, unique: OUT },
  16,
);
export const DRM_IOCTL_GET_MAGIC = ioctlDef(
  "DRM_IOCTL_GET_MAGIC",
  "IOR",
  0x02,
  drm_auth,
  { magic: OUT },
  4,
);
export const DRM_IOCTL_GET_CLIENT = ioctlDef(
  "DRM_IOCTL_GET_CLIENT",
  "IOWR",
  0x05,
  drm_client,
  {
    idx: IN,
    auth: OUT,
    pid: OUT,
    uid: OUT,
    magic: OUT,
    iocs: OUT,
  },
  40,
);
export const DRM_IOCTL_SET_VERSION = ioctlDef(
  "DRM_IOCTL_SET_VERSION",
  "IOWR",
  0x07,
  drm_set_version,
  {
    drm_di_major: INOUT,
    drm_di_minor: INOUT,
    drm_dd_major: INOUT,
    drm_dd_minor: INOUT,
  },
  16,
);
export const DRM_IOCTL_GEM_CLOSE = ioctlDef(
  "DRM_IOCTL_GEM_CLOSE",
  "IOW",
  0x09,
  drm_gem_close,
  { handle: IN, pad: IN },
  8,
);
export const DRM_IOCTL_GET_CAP = ioctlDef(
  "DRM_IOCTL_GET_CAP",
  "IOWR",
  0x0c,
  drm_get_cap,
  { capability: IN, value: OUT },
  16,
);
export const DRM_IOCTL_SET_CLIENT_CAP = ioctlDef(
  "DRM_IOCTL_SET_CLIENT_CAP",
  "IOW",
  0x0d,
  drm_set_client_cap,
  { capability: IN, value: IN },
  16,
);
export const DRM_IOCTL_AUTH_MAGIC = ioctlDef(
  "DRM_IOCTL_AUTH_MAGIC",
  "IOW",
  0x11,
  drm_auth,
  { magic: IN },
  4,
);
export const DRM_IOCTL_SET_MASTER = ioctlDefNoArg("DRM_IOCTL_SET_MASTER", 0x1e);
export const DRM_IOCTL_DROP_MASTER = ioctlDefNoArg("DRM_IOCTL_DROP_MASTER", 0x1f);
export const DRM_IOCTL_PRIME_HANDLE_TO_FD = ioctlDef(
  "DRM_IOCTL_PRIME_HANDLE_TO_FD",
  "IOWR",
  0x2d,
  drm_prime_handle,
  { handle: IN, flags: IN, fd: OUT },
  12,
);
export const DRM_IOCTL_PRIME_FD_TO_HANDLE = ioctlDef(
  "DRM_IOCTL_PRIME_FD_TO_HANDLE",
  "IOWR",
  0x2e,
  drm_prime_handle,
  { handle: OUT, flags: IN, fd: IN },
  12,
);
export const DRM_IOCTL_MODE_GETRESOURCES = ioctlDef(
  "DRM_IOCTL_MODE_GETRESOURCES",
  "IOWR",
  0xa0,
  drm_mode_card_res,
  {
    fb_id_ptr: OUT,
    crtc_id_ptr: OUT,
    connector_id_ptr: OUT,
    encoder_id_ptr: OUT,
    count_fbs: INOUT,
    count_crtcs: INOUT,
    count_connectors: INOUT,
    count_encoders: INOUT,
    min_width: OUT,
    max_width: OUT,
    min_height: OUT,
    max_height: OUT,
  },
  64,
);
export const DRM_IOCTL_MODE_GETCRTC = ioctlDef(
  "DRM_IOCTL_MODE_GETCRTC",
  "IOWR",
  0xa1,
  drm_mode_crtc,
  {
    set_connectors_ptr: IN,
    count_connectors: IN,
    crtc_id: IN,
    fb_id: OUT,
    x: OUT,
    y: OUT,
    gamma_size: OUT,
    mode_valid: OUT,
    mode: OUT,
  },
  104,
);
export const DRM_IOCTL_MODE_SETCRTC = ioctlDef(
  "DRM_IOCTL_MODE_SETCRTC",
  "IOWR",
  0xa2,
  drm_mode_crtc,
  {
    set_connectors_ptr: IN,
    count_connectors: IN,
    crtc_id: IN,
    fb_id: IN,
    x: IN,
    y: IN,
    gamma_size: IN,
    mode_valid: IN,
    mode: IN,
  },
  104,
);
export const DRM_IOCTL_MODE_GETCONNECTOR = ioctlDef(
  "DRM_IOCTL_MODE_GETCONNECTOR",
  "IOWR",
  0xa7,
  drm_mode_get_connector,
  {
    encoders_ptr: IN,
    modes_ptr: IN,
    props_ptr: IN,
    prop_values_ptr: IN,
    count_modes: INOUT,
    count_props: INOUT,
    count_encoders: INOUT,
    encoder_id: OUT,
    connector_id: IN,
    connector_type: OUT,
    connector_type_id: OUT,
    connection: OUT,
    mm_width: OUT,
    mm_height: OUT,
    subpixel: OUT,
    pad: IN,
  },
  80,
);
export const DRM_IOCTL_MODE_PAGE_FLIP = ioctlDef(
  "DRM_IOCTL_MODE_PAGE_FLIP",
  "IOWR",
  0xb0,
  drm_mode_crtc_page_flip,
  {
    crtc_id: IN,
    fb_id: IN,
    flags: IN,
    reserved: IN,
    user_data: IN,
  },
  24,
);
export const DRM_IOCTL_MODE_CREATE_DUMB = ioctlDef(
  "DRM_IOCTL_MODE_CREATE_DUMB",
  "IOWR",
  0xb2,
  drm_mode_create_dumb,
  {
    height: IN,
    width: IN,
    bpp: IN,
    flags: IN,
    handle: OUT,
    pitch: OUT,
    size: OUT,
  },
  32,
);
export const DRM_IOCTL_MODE_MAP_DUMB = ioctlDef(
  "DRM_IOCTL_MODE_MAP_DUMB",
  "IOWR",
  0xb3,
  drm_mode_map_dumb,
  { handle: IN, pad: IN, offset: OUT },
  16,
);
export const DRM_IOCTL_MODE_DESTROY_DUMB = ioctlDef(
  "DRM_IOCTL_MODE_DESTROY_DUMB",
  "IOWR",
  0xb4,
  drm_mode_destroy_dumb,
  { handle: IN },
  4,
);
export const DRM_IOCTL_MODE_ATOMIC = ioctlDef(
  "DRM_IOCTL_MODE_ATOMIC",
  "IOWR",
  0xbc,
  drm_mode_atomic,
  {
    flags: IN,
    count_objs: IN,
    objs_ptr: IN,
    count_props_ptr: IN,
    props_ptr: IN,
    prop_values_ptr: IN,
    reserved: IN,
    user_data: IN,
  },
  56,
);
export const DRM_IOCTL_SYNCOBJ_CREATE = ioctlDef(
  "DRM_IOCTL_SYNCOBJ_CREATE",
  "IOWR",
  0xbf,
  drm_syncobj_create,
  { handle: OUT, flags: IN },
  8,
);
export const DRM_IOCTL_SYNCOBJ_DESTROY = ioctlDef(
  "DRM_IOCTL_SYNCOBJ_DESTROY",
  "IOWR",
  0xc0,
  drm_syncobj_destroy,
  { handle: IN, pad: IN },
  8,
);
export const DRM_IOCTL_MODE_CREATE_LEASE = ioctlDef(
  "DRM_IOCTL_MODE_CREATE_LEASE",
  "IOWR",
  0xc6,
  drm_mode_create_lease,
  {
    object_ids: IN,
    object_count: IN,
    flags: IN,
    lessee_id: OUT,
    fd: OUT,
  },
  24,
);

/** The core ioctls the model knows, by number. */
export const DRM_CORE_IOCTLS = [
  DRM_IOCTL_VERSION,
  DRM_IOCTL_GET_UNIQUE,
  DRM_IOCTL_GET_MAGIC,
  DRM_IOCTL_GET_CLIENT,
  DRM_IOCTL_SET_VERSION,
  DRM_IOCTL_GEM_CLOSE,
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_IOCTL_AUTH_MAGIC,
  DRM_IOCTL_SET_MASTER,
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DRM_IOCTL_PRIME_FD_TO_HANDLE,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_DESTROY,
  DRM_IOCTL_MODE_CREATE_LEASE,
] as const;

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
