/**
 * The modesetting structs of the uapi the model's ioctls take, field by field as the header
 * declares them, and the flags of the atomic ioctl.
 *
 * @see include/uapi/drm/drm_mode.h
 */
import { __u16, __u32, __u64, chars, cstruct, nested, userIds, userStructs, userU64s } from "./ioctl_struct.js";

export const DRM_DISPLAY_MODE_LEN = 32;

export const DRM_MODE_PAGE_FLIP_EVENT = 0x01;
export const DRM_MODE_PAGE_FLIP_ASYNC = 0x02;
export const DRM_MODE_ATOMIC_TEST_ONLY = 0x0100;
export const DRM_MODE_ATOMIC_NONBLOCK = 0x0200;
export const DRM_MODE_ATOMIC_ALLOW_MODESET = 0x0400;
/** Every flag DRM_IOCTL_MODE_ATOMIC accepts. */
export const DRM_MODE_ATOMIC_FLAGS =
  DRM_MODE_PAGE_FLIP_EVENT |
  DRM_MODE_PAGE_FLIP_ASYNC |
  DRM_MODE_ATOMIC_TEST_ONLY |
  DRM_MODE_ATOMIC_NONBLOCK |
  DRM_MODE_ATOMIC_ALLOW_MODESET;

export const drm_mode_modeinfo = cstruct("drm_mode_modeinfo", {
  clock: __u32,
  hdisplay: __u16,
  hsync_start: __u16,
  hsync_end: __u16,
  htotal: __u16,
  hskew: __u16,
  vdisplay: __u16,
  vsync_start: __u16,
  vsync_end: __u16,
  vtotal: __u16,
  vscan: __u16,
  vrefresh: __u32,
  flags: __u32,
  type: __u32,
  name: chars(DRM_DISPLAY_MODE_LEN),
});

export const drm_mode_card_res = cstruct("drm_mode_card_res", {
  fb_id_ptr: userIds("count_fbs"),
  crtc_id_ptr: userIds("count_crtcs"),
  connector_id_ptr: userIds("count_connectors"),
  encoder_id_ptr: userIds("count_encoders"),
  count_fbs: __u32,
  count_crtcs: __u32,
  count_connectors: __u32,
  count_encoders: __u32,
  min_width: __u32,
  max_width: __u32,
  min_height: __u32,
  max_height: __u32,
});

export const drm_mode_crtc = cstruct("drm_mode_crtc", {
  set_connectors_ptr: userIds("count_connectors"),
  count_connectors: __u32,
  crtc_id: __u32,
  fb_id: __u32,
  x: __u32,
  y: __u32,
  gamma_size: __u32,
  mode_valid: __u32,
  mode: nested(drm_mode_modeinfo),
});

export const drm_mode_get_connector = cstruct("drm_mode_get_connector", {
  encoders_ptr: userIds("count_encoders"),
  modes_ptr: userStructs("count_modes", drm_mode_modeinfo),
  props_ptr: userIds("count_props"),
  prop_values_ptr: userU64s("count_props"),
  count_modes: __u32,
  count_props: __u32,
  count_encoders: __u32,
  encoder_id: __u32,
  connector_id: __u32,
  connector_type: __u32,
  connector_type_id: __u32,
  connection: __u32,
  mm_width: __u32,
  mm_height: __u32,
  subpixel: __u32,
  pad: __u32,
});

export const drm_mode_crtc_page_flip = cstruct("drm_mode_crtc_page_flip", {
  crtc_id: __u32,
  fb_id: __u32,
  flags: __u32,
  reserved: __u32,
  user_data: __u64,
});

export const drm_mode_create_dumb = cstruct("drm_mode_create_dumb", {
  height: __u32,
  width: __u32,
  bpp: __u32,
  flags: __u32,
  handle: __u32,
  pitch: __u32,
  size: __u64,
});

export const drm_mode_map_dumb = cstruct("drm_mode_map_dumb", {
  handle: __u32,
  pad: __u32,
  offset: __u64,
});

export const drm_mode_destroy_dumb = cstruct("drm_mode_destroy_dumb", {
  handle: __u32,
});

export const drm_mode_atomic = cstruct("drm_mode_atomic", {
  flags: __u32,
  count_objs: __u32,
  /** `count_objs` object ids. */
  objs_ptr: userIds("count_objs"),
  /** `count_objs` counts: how many properties each object sets. */
  count_props_ptr: userIds("count_objs"),
  /** The property ids, object after object (as many as the counts add up to). */
  props_ptr: userIds("count_props_ptr"),
  /** The value of each property in `props_ptr`. */
  prop_values_ptr: userU64s("count_props_ptr"),
  reserved: __u64,
  user_data: __u64,
});
