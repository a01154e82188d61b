/**
 * The syncobj uapi of drm.h: the argument structs and flags of the binary syncobj ioctls
 * beyond CREATE and DESTROY (which are with the other core ioctls in drm_ioctls.ts). A
 * syncobj handle names a container of one dma_fence in a DRM file; these ioctls move it to
 * and from file descriptors, wait for it, reset it and signal it.
 *
 * `handles` of WAIT, RESET and SIGNAL is a user pointer to `count_handles` __u32 handles
 * (the model takes the list itself). `timeout_nsec` of WAIT is an absolute CLOCK_MONOTONIC
 * time in nanoseconds; 0 only polls.
 *
 * @see include/uapi/drm/drm.h
 */
import { ioctlDef } from "./ioctl.js";
import { __s32, __s64, __u32, __u64, cstruct, userIds } from "./ioctl_struct.js";

/** SYNCOBJ_CREATE: the new syncobj holds a signalled fence. */
export const DRM_SYNCOBJ_CREATE_SIGNALED = 1 << 0;
/** SYNCOBJ_FD_TO_HANDLE: `fd` is a sync_file whose fence goes into the syncobj `handle`. */
export const DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE = 1 << 0;
/** SYNCOBJ_HANDLE_TO_FD: export the syncobj's current fence as a new sync_file. */
export const DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE = 1 << 0;
/** SYNCOBJ_WAIT: wait for every fence, not the first one. */
export const DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL = 1 << 0;
/** SYNCOBJ_WAIT: a syncobj without a fence is waited on until one is put in it. */
export const DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT = 1 << 1;
/** SYNCOBJ_WAIT: `deadline_nsec` is a hint for the fences' providers. */
export const DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE = 1 << 3;

export const drm_syncobj_handle = cstruct("drm_syncobj_handle", {
  handle: __u32,
  flags: __u32,
  fd: __s32,
  pad: __u32,
});

export const drm_syncobj_wait = cstruct("drm_syncobj_wait", {
  handles: userIds("count_handles"),
  /** Absolute CLOCK_MONOTONIC time, in nanoseconds. */
  timeout_nsec: __s64,
  count_handles: __u32,
  flags: __u32,
  /** With WAIT_ALL unset: the index of the first signalled fence. */
  first_signaled: __u32,
  pad: __u32,
  deadline_nsec: __u64,
});

export const drm_syncobj_array = cstruct("drm_syncobj_array", {
  handles: userIds("count_handles"),
  count_handles: __u32,
  pad: __u32,
});

const IN = "in" as const;
const OUT = "out" as const;
const INOUT = "inout" as const;

export const DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD = ioctlDef(
  "DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD",
  "IOWR",
  0xc1,
  drm_syncobj_handle,
  { handle: IN, flags: IN, fd: OUT, pad: IN },
  16,
);
export const DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE = ioctlDef(
  "DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE",
  "IOWR",
  0xc2,
  drm_syncobj_handle,
  // With IMPORT_SYNC_FILE the handle is an input (the syncobj the fence goes into).
  { handle: INOUT, flags: IN, fd: IN, pad: IN },
  16,
);
export const DRM_IOCTL_SYNCOBJ_WAIT = ioctlDef(
  "DRM_IOCTL_SYNCOBJ_WAIT",
  "IOWR",
  0xc3,
  drm_syncobj_wait,
  {
    handles: IN,
    timeout_nsec: IN,
    count_handles: IN,
    flags: IN,
    first_signaled: OUT,
    pad: IN,
    deadline_nsec: IN,
  },
  40,
);
export const DRM_IOCTL_SYNCOBJ_RESET = ioctlDef(
  "DRM_IOCTL_SYNCOBJ_RESET",
  "IOWR",
  0xc4,
  drm_syncobj_array,
  { handles: IN, count_handles: IN, pad: IN },
  16,
);
export const DRM_IOCTL_SYNCOBJ_SIGNAL = ioctlDef(
  "DRM_IOCTL_SYNCOBJ_SIGNAL",
  "IOWR",
  0xc5,
  drm_syncobj_array,
  { handles: IN, count_handles: IN, pad: IN },
  16,
);
