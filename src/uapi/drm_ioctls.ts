/**
 * The DRM core ioctls the model knows: DRM_IOCTL_* as drm.h defines them, each with its
 * argument struct and the direction of each field (what the kernel reads, what it writes).
 *
 * @see include/uapi/drm/drm.h
 */
import {
  drm_auth,
  drm_client,
  drm_gem_close,
  drm_get_cap,
  drm_prime_handle,
  drm_set_client_cap,
  drm_set_version,
  drm_syncobj_create,
  drm_syncobj_destroy,
  drm_unique,
  drm_version,
} from "./drm.js";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_MODE_ADDFB,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_SETCRTC,
} from "./drm_mode_ioctls.js";
import {
  DRM_IOCTL_MODE_CREATE_LEASE,
  DRM_IOCTL_MODE_GET_LEASE,
  DRM_IOCTL_MODE_LIST_LESSEES,
  DRM_IOCTL_MODE_REVOKE_LEASE,
} from "./drm_mode_lease.js";
import {
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_RESET,
  DRM_IOCTL_SYNCOBJ_SIGNAL,
  DRM_IOCTL_SYNCOBJ_WAIT,
} from "./drm_syncobj.js";
import { ioctlDef, ioctlDefNoArg } from "./ioctl.js";

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
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_IOCTL_MODE_ADDFB,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_DESTROY,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_IOCTL_SYNCOBJ_RESET,
  DRM_IOCTL_SYNCOBJ_SIGNAL,
  DRM_IOCTL_MODE_CREATE_LEASE,
  DRM_IOCTL_MODE_LIST_LESSEES,
  DRM_IOCTL_MODE_GET_LEASE,
  DRM_IOCTL_MODE_REVOKE_LEASE,
] as const;
