/**
 * The structs and constants of the mode-object queries and framebuffers: encoders, planes,
 * properties and their values, framebuffers from GEM handles, the object types and property
 * flags, connector states, plane types, and the one pixel format the model's planes scan out.
 *
 * @see include/uapi/drm/drm_mode.h, include/uapi/drm/drm_fourcc.h
 */
import {
  __u32,
  __u64,
  chars,
  cstruct,
  intArray,
  userIds,
  userStructs,
  userU64s,
} from "./ioctl_struct.js";
import { drm_mode_modeinfo } from "./drm_mode.js";

export const DRM_PROP_NAME_LEN = 32;

/** Mode object types (DRM_MODE_OBJECT_*), as OBJ_GETPROPERTIES takes them. */
export const DRM_MODE_OBJECT = {
  CRTC: 0xcccccccc,
  CONNECTOR: 0xc0c0c0c0,
  ENCODER: 0xe0e0e0e0,
  MODE: 0xdededede,
  PROPERTY: 0xb0b0b0b0,
  FB: 0xfbfbfbfb,
  BLOB: 0xbbbbbbbb,
  PLANE: 0xeeeeeeee,
  ANY: 0,
} as const;

/** Property flags (DRM_MODE_PROP_*). */
export const DRM_MODE_PROP_RANGE = 1 << 1;
export const DRM_MODE_PROP_IMMUTABLE = 1 << 2;
export const DRM_MODE_PROP_ENUM = 1 << 3;
export const DRM_MODE_PROP_BLOB = 1 << 4;
export const DRM_MODE_PROP_OBJECT = 1 << 6;
export const DRM_MODE_PROP_SIGNED_RANGE = 2 << 6;
export const DRM_MODE_PROP_ATOMIC = 0x80000000;

/** enum drm_connector_status as GETCONNECTOR's `connection` reports it. */
export const DRM_MODE_CONNECTED = 1;
export const DRM_MODE_DISCONNECTED = 2;
export const DRM_MODE_UNKNOWNCONNECTION = 3;

/** DRM_MODE_ENCODER_VIRTUAL: the encoder type of a virtual display. */
export const DRM_MODE_ENCODER_VIRTUAL = 5;

/** enum drm_plane_type, the values of a plane's `type` property. */
export const DRM_PLANE_TYPE_OVERLAY = 0;
export const DRM_PLANE_TYPE_PRIMARY = 1;
export const DRM_PLANE_TYPE_CURSOR = 2;

/** fourcc_code('X', 'R', '2', '4'): 32-bit xRGB, little-endian. @see drm_fourcc.h */
export const DRM_FORMAT_XRGB8888 = 0x34325258;

/**
 * The fourcc codes legacy ADDFB's bpp/depth pairs name (fourcc_code(a, b, c, d): a | b << 8 |
 * c << 16 | d << 24). @see drm_fourcc.h, drm_mode_legacy_fb_format() in drm_fourcc.c
 */
export const DRM_FORMAT_C1 = 0x20203143;
export const DRM_FORMAT_C2 = 0x20203243;
export const DRM_FORMAT_C4 = 0x20203443;
export const DRM_FORMAT_C8 = 0x20203843;
export const DRM_FORMAT_XRGB1555 = 0x35315258;
export const DRM_FORMAT_RGB565 = 0x36314752;
export const DRM_FORMAT_RGB888 = 0x34324752;
export const DRM_FORMAT_XRGB2101010 = 0x30335258;
export const DRM_FORMAT_ARGB8888 = 0x34325241;
/** DRM_FORMAT_INVALID: what drm_mode_legacy_fb_format() returns for a pair it does not know. */
export const DRM_FORMAT_INVALID = 0;

/** DRM_MODE_FB_MODIFIERS: `modifier[]` of ADDFB2 is meant. */
export const DRM_MODE_FB_MODIFIERS = 1 << 1;

export const drm_mode_get_encoder = cstruct("drm_mode_get_encoder", {
  encoder_id: __u32,
  encoder_type: __u32,
  crtc_id: __u32,
  possible_crtcs: __u32,
  possible_clones: __u32,
});

export const drm_mode_get_plane_res = cstruct("drm_mode_get_plane_res", {
  plane_id_ptr: userIds("count_planes"),
  count_planes: __u32,
});

export const drm_mode_get_plane = cstruct("drm_mode_get_plane", {
  plane_id: __u32,
  crtc_id: __u32,
  fb_id: __u32,
  possible_crtcs: __u32,
  gamma_size: __u32,
  count_format_types: __u32,
  format_type_ptr: userIds("count_format_types"),
});

export const drm_mode_obj_get_properties = cstruct("drm_mode_obj_get_properties", {
  props_ptr: userIds("count_props"),
  prop_values_ptr: userU64s("count_props"),
  count_props: __u32,
  obj_id: __u32,
  obj_type: __u32,
});

export const drm_mode_property_enum = cstruct("drm_mode_property_enum", {
  value: __u64,
  name: chars(DRM_PROP_NAME_LEN),
});

export const drm_mode_get_property = cstruct("drm_mode_get_property", {
  values_ptr: userU64s("count_values"),
  enum_blob_ptr: userStructs("count_enum_blobs", drm_mode_property_enum),
  prop_id: __u32,
  flags: __u32,
  name: chars(DRM_PROP_NAME_LEN),
  count_values: __u32,
  count_enum_blobs: __u32,
});

export const drm_mode_fb_cmd2 = cstruct("drm_mode_fb_cmd2", {
  fb_id: __u32,
  width: __u32,
  height: __u32,
  pixel_format: __u32,
  flags: __u32,
  handles: intArray(__u32, 4),
  pitches: intArray(__u32, 4),
  offsets: intArray(__u32, 4),
  modifier: intArray(__u64, 4),
});

/**
 * CREATEPROPBLOB's argument. `data` points at `length` bytes; the model's user memory there
 * holds structs drm_mode_modeinfo (the one kind of blob its properties take), 68 bytes each.
 */
export const drm_mode_create_blob = cstruct("drm_mode_create_blob", {
  data: userStructs("length", drm_mode_modeinfo),
  length: __u32,
  blob_id: __u32,
});

/**
 * GETPROPBLOB's argument: the kernel copies the blob to `data` only when `length` is the
 * blob's length, and always writes the blob's length back. The model's user memory there
 * holds structs drm_mode_modeinfo, as CREATEPROPBLOB's does.
 */
export const drm_mode_get_blob = cstruct("drm_mode_get_blob", {
  blob_id: __u32,
  length: __u32,
  data: userStructs("length", drm_mode_modeinfo),
});

/** Legacy ADDFB's argument: one plane, its format given as bits per pixel and depth. */
export const drm_mode_fb_cmd = cstruct("drm_mode_fb_cmd", {
  fb_id: __u32,
  width: __u32,
  height: __u32,
  pitch: __u32,
  bpp: __u32,
  depth: __u32,
  handle: __u32,
});

export const drm_mode_destroy_blob = cstruct("drm_mode_destroy_blob", { blob_id: __u32 });

/** RMFB's argument: a bare `unsigned int`, the framebuffer id. */
export const drm_mode_rmfb = cstruct("unsigned int", { fb_id: __u32 });
