/**
 * The uapi of virtio-gpu (the model of Linux's drivers/gpu/drm/virtio), as far as the model
 * handles it: the first five of its private ioctls, with their numbers and argument structs
 * as include/uapi/drm/virtgpu_drm.h declares them. All are DRM_RENDER_ALLOW.
 *
 * - DRM_IOCTL_VIRTGPU_MAP gives the fake mmap offset of a buffer (as MODE_MAP_DUMB does);
 * - DRM_IOCTL_VIRTGPU_EXECBUFFER submits a 3D command stream (ENOSYS without virgl 3D, which
 *   the model's device does not offer);
 * - DRM_IOCTL_VIRTGPU_GETPARAM answers one VIRTGPU_PARAM_*; in C `value` is a pointer to the
 *   int the kernel writes, in the model the field holds that int (as for other user pointers);
 * - DRM_IOCTL_VIRTGPU_RESOURCE_CREATE makes a host resource with a shmem-backed buffer and a
 *   handle for it;
 * - DRM_IOCTL_VIRTGPU_RESOURCE_INFO gives a buffer's size and resource id.
 *
 * Driver-private numbers are per driver: DRM_IOCTL_VIRTGPU_MAP has the same number as vtest's
 * DRM_IOCTL_VTEST_JOB (_IOWR('d', 0x41) on 16 bytes), as ioctls of different Linux drivers do.
 *
 * @see include/uapi/drm/virtgpu_drm.h
 */
import { DRM_COMMAND_BASE, ioctlDef } from "./ioctl.js";
import { __s32, __u32, __u64, cstruct } from "./ioctl_struct.js";

export const DRM_VIRTGPU_MAP = 0x01;
export const DRM_VIRTGPU_EXECBUFFER = 0x02;
export const DRM_VIRTGPU_GETPARAM = 0x03;
export const DRM_VIRTGPU_RESOURCE_CREATE = 0x04;
export const DRM_VIRTGPU_RESOURCE_INFO = 0x05;

/** GETPARAM's `param` values. */
export const VIRTGPU_PARAM = {
  VIRTGPU_PARAM_3D_FEATURES: 1,
  VIRTGPU_PARAM_CAPSET_QUERY_FIX: 2,
  VIRTGPU_PARAM_RESOURCE_BLOB: 3,
  VIRTGPU_PARAM_HOST_VISIBLE: 4,
  VIRTGPU_PARAM_CROSS_DEVICE: 5,
  VIRTGPU_PARAM_CONTEXT_INIT: 6,
  VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs: 7,
  VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME: 8,
} as const;

export const drm_virtgpu_map = cstruct("drm_virtgpu_map", {
  /** The fake offset to give mmap(2). */
  offset: __u64,
  handle: __u32,
  pad: __u32,
});

export const DRM_IOCTL_VIRTGPU_MAP = ioctlDef(
  "DRM_IOCTL_VIRTGPU_MAP",
  "IOWR",
  DRM_COMMAND_BASE + DRM_VIRTGPU_MAP,
  drm_virtgpu_map,
  { offset: "out", handle: "in", pad: "in" },
);

export const drm_virtgpu_execbuffer = cstruct("drm_virtgpu_execbuffer", {
  flags: __u32,
  size: __u32,
  /** void __user * to the command stream. */
  command: __u64,
  /** __u32 __user * to the buffer handles. */
  bo_handles: __u64,
  num_bo_handles: __u32,
  /** In/out fence fd (VIRTGPU_EXECBUF_FENCE_FD_IN/OUT). */
  fence_fd: __s32,
  ring_idx: __u32,
  syncobj_stride: __u32,
  num_in_syncobjs: __u32,
  num_out_syncobjs: __u32,
  in_syncobjs: __u64,
  out_syncobjs: __u64,
});

export const DRM_IOCTL_VIRTGPU_EXECBUFFER = ioctlDef(
  "DRM_IOCTL_VIRTGPU_EXECBUFFER",
  "IOWR",
  DRM_COMMAND_BASE + DRM_VIRTGPU_EXECBUFFER,
  drm_virtgpu_execbuffer,
  {
    flags: "in",
    size: "in",
    command: "in",
    bo_handles: "in",
    num_bo_handles: "in",
    fence_fd: "inout",
    ring_idx: "in",
    syncobj_stride: "in",
    num_in_syncobjs: "in",
    num_out_syncobjs: "in",
    in_syncobjs: "in",
    out_syncobjs: "in",
  },
);

export const drm_virtgpu_getparam = cstruct("drm_virtgpu_getparam", {
  /** A VIRTGPU_PARAM_* value. */
  param: __u64,
  /** What the kernel writes through the pointer (an int). */
  value: __u64,
});

export const DRM_IOCTL_VIRTGPU_GETPARAM = ioctlDef(
  "DRM_IOCTL_VIRTGPU_GETPARAM",
  "IOWR",
  DRM_COMMAND_BASE + DRM_VIRTGPU_GETPARAM,
  drm_virtgpu_getparam,
  { param: "in", value: "out" },
);

export const drm_virtgpu_resource_create = cstruct("drm_virtgpu_resource_create", {
  /** The pipe texture target; without virgl only 2 (PIPE_TEXTURE_2D). */
  target: __u32,
  format: __u32,
  bind: __u32,
  width: __u32,
  height: __u32,
  depth: __u32,
  array_size: __u32,
  last_level: __u32,
  nr_samples: __u32,
  flags: __u32,
  /** The new buffer's handle. */
  bo_handle: __u32,
  /** The host resource id, from 1. */
  res_handle: __u32,
  /** The buffer's size in bytes (rounded up to pages; 0 is one page). */
  size: __u32,
  stride: __u32,
});

export const DRM_IOCTL_VIRTGPU_RESOURCE_CREATE = ioctlDef(
  "DRM_IOCTL_VIRTGPU_RESOURCE_CREATE",
  "IOWR",
  DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_CREATE,
  drm_virtgpu_resource_create,
  {
    target: "in",
    format: "in",
    bind: "in",
    width: "in",
    height: "in",
    depth: "in",
    array_size: "in",
    last_level: "in",
    nr_samples: "in",
    flags: "in",
    bo_handle: "out",
    res_handle: "out",
    size: "in",
    stride: "in",
  },
);

export const drm_virtgpu_resource_info = cstruct("drm_virtgpu_resource_info", {
  bo_handle: __u32,
  res_handle: __u32,
  size: __u32,
  /** Written for blob resources only (the model has none): it comes back as given. */
  blob_mem: __u32,
});

export const DRM_IOCTL_VIRTGPU_RESOURCE_INFO = ioctlDef(
  "DRM_IOCTL_VIRTGPU_RESOURCE_INFO",
  "IOWR",
  DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_INFO,
  drm_virtgpu_resource_info,
  { bo_handle: "in", res_handle: "out", size: "out", blob_mem: "inout" },
);

/** Every ioctl of the virtio-gpu uapi the model knows. */
export const VIRTGPU_IOCTLS = [
  DRM_IOCTL_VIRTGPU_MAP,
  DRM_IOCTL_VIRTGPU_EXECBUFFER,
  DRM_IOCTL_VIRTGPU_GETPARAM,
  DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
  DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
] as const;
