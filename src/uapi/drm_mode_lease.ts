/**
 * DRM leases: the four ioctls a master uses to hand some of its display objects (connectors,
 * CRTCs, planes) to another master, the lessee, as a new file, to list and query leases, and
 * to take them back. Each struct as drm_mode.h declares it; the numbers are drm.h's (0xC6 to
 * 0xC9).
 *
 * @see include/uapi/drm/drm_mode.h (struct drm_mode_create_lease, drm_mode_list_lessees,
 *      drm_mode_get_lease, drm_mode_revoke_lease), include/uapi/drm/drm.h
 */
import { __u32, cstruct, userIds } from "./ioctl_struct.js";
import { ioctlDef } from "./ioctl.js";

const IN = "in" as const;
const OUT = "out" as const;
const INOUT = "inout" as const;

/**
 * `object_ids` points at `object_count` __u32 object ids; `flags` are the new fd's
 * (O_CLOEXEC, O_NONBLOCK).
 */
export const drm_mode_create_lease = cstruct("drm_mode_create_lease", {
  object_ids: userIds("object_count"),
  object_count: __u32,
  flags: __u32,
  lessee_id: __u32,
  fd: __u32,
});

export const drm_mode_list_lessees = cstruct("drm_mode_list_lessees", {
  count_lessees: __u32,
  pad: __u32,
  lessees_ptr: userIds("count_lessees"),
});

export const drm_mode_get_lease = cstruct("drm_mode_get_lease", {
  count_objects: __u32,
  pad: __u32,
  objects_ptr: userIds("count_objects"),
});

export const drm_mode_revoke_lease = cstruct("drm_mode_revoke_lease", { lessee_id: __u32 });

export const DRM_IOCTL_MODE_CREATE_LEASE = ioctlDef(
  "DRM_IOCTL_MODE_CREATE_LEASE",
  "IOWR",
  0xc6,
  drm_mode_create_lease,
  { object_ids: IN, object_count: IN, flags: IN, lessee_id: OUT, fd: OUT },
  24,
);

export const DRM_IOCTL_MODE_LIST_LESSEES = ioctlDef(
  "DRM_IOCTL_MODE_LIST_LESSEES",
  "IOWR",
  0xc7,
  drm_mode_list_lessees,
  { count_lessees: INOUT, pad: IN, lessees_ptr: OUT },
  16,
);

export const DRM_IOCTL_MODE_GET_LEASE = ioctlDef(
  "DRM_IOCTL_MODE_GET_LEASE",
  "IOWR",
  0xc8,
  drm_mode_get_lease,
  { count_objects: INOUT, pad: IN, objects_ptr: OUT },
  16,
);

export const DRM_IOCTL_MODE_REVOKE_LEASE = ioctlDef(
  "DRM_IOCTL_MODE_REVOKE_LEASE",
  "IOWR",
  0xc9,
  drm_mode_revoke_lease,
  { lessee_id: IN },
  4,
);
