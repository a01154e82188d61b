/**
 * The part of i915's uapi the model's i915 driver (src/drivers/i915.ts) has: the context and
 * throttle ioctls, with the numbers and argument structs of include/uapi/drm/i915_drm.h. Its
 * job submission is vtest's DRM_IOCTL_VTEST_SUBMIT, standing in for
 * DRM_IOCTL_I915_GEM_EXECBUFFER2 (whose buffer lists and relocations the model does not have).
 *
 * - DRM_IOCTL_I915_GEM_THROTTLE (no argument) waits for the file's older requests;
 * - DRM_IOCTL_I915_GEM_CONTEXT_CREATE returns a new context id in `ctx_id`;
 * - DRM_IOCTL_I915_GEM_CONTEXT_DESTROY destroys the context `ctx_id` of the file.
 *
 * @see include/uapi/drm/i915_drm.h
 */
import { DRM_COMMAND_BASE, ioctlDef, ioctlDefNoArg } from "./ioctl.js";
import { __u32, cstruct } from "./ioctl_struct.js";

export const DRM_I915_GEM_THROTTLE = 0x18;
export const DRM_I915_GEM_CONTEXT_CREATE = 0x2d;
export const DRM_I915_GEM_CONTEXT_DESTROY = 0x2e;

export const DRM_IOCTL_I915_GEM_THROTTLE = ioctlDefNoArg(
  "DRM_IOCTL_I915_GEM_THROTTLE",
  DRM_COMMAND_BASE + DRM_I915_GEM_THROTTLE,
);

export const drm_i915_gem_context_create = cstruct("drm_i915_gem_context_create", {
  /** The new context's id (output). */
  ctx_id: __u32,
  pad: __u32,
});

export const DRM_IOCTL_I915_GEM_CONTEXT_CREATE = ioctlDef(
  "DRM_IOCTL_I915_GEM_CONTEXT_CREATE",
  "IOWR",
  DRM_COMMAND_BASE + DRM_I915_GEM_CONTEXT_CREATE,
  drm_i915_gem_context_create,
  { ctx_id: "out", pad: "in" },
);

export const drm_i915_gem_context_destroy = cstruct("drm_i915_gem_context_destroy", {
  ctx_id: __u32,
  pad: __u32,
});

export const DRM_IOCTL_I915_GEM_CONTEXT_DESTROY = ioctlDef(
  "DRM_IOCTL_I915_GEM_CONTEXT_DESTROY",
  "IOW",
  DRM_COMMAND_BASE + DRM_I915_GEM_CONTEXT_DESTROY,
  drm_i915_gem_context_destroy,
  { ctx_id: "in", pad: "in" },
);

/** Every ioctl of the i915 uapi the model has, in number order. */
export const I915_IOCTLS = [
  DRM_IOCTL_I915_GEM_THROTTLE,
  DRM_IOCTL_I915_GEM_CONTEXT_CREATE,
  DRM_IOCTL_I915_GEM_CONTEXT_DESTROY,
] as const;
