/**
 * The modesetting ioctls of the DRM core the model knows (DRM_IOCTL_MODE_*, defined in drm.h
 * with the structs of drm_mode.h), each with the direction of each field.
 *
 * @see include/uapi/drm/drm.h, include/uapi/drm/drm_mode.h
 */
import {
  drm_mode_atomic,
  drm_mode_card_res,
  drm_mode_create_dumb,
  drm_mode_crtc,
  drm_mode_crtc_page_flip,
  drm_mode_destroy_dumb,
  drm_mode_get_connector,
  drm_mode_map_dumb,
} from "./drm_mode.js";
import {
  drm_mode_create_blob,
  drm_mode_destroy_blob,
  drm_mode_fb_cmd,
  drm_mode_fb_cmd2,
  drm_mode_get_blob,
  drm_mode_get_encoder,
  drm_mode_get_plane,
  drm_mode_get_plane_res,
  drm_mode_get_property,
  drm_mode_obj_get_properties,
  drm_mode_rmfb,
} from "./drm_mode_kms.js";
import { ioctlDef } from "./ioctl.js";

const IN = "in" as const;
const OUT = "out" as const;
const INOUT = "inout" as const;

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

export const DRM_IOCTL_MODE_GETENCODER = ioctlDef(
  "DRM_IOCTL_MODE_GETENCODER",
  "IOWR",
  0xa6,
  drm_mode_get_encoder,
  {
    encoder_id: IN,
    encoder_type: OUT,
    crtc_id: OUT,
    possible_crtcs: OUT,
    possible_clones: OUT,
  },
  20,
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
    encoders_ptr: OUT,
    modes_ptr: OUT,
    props_ptr: OUT,
    prop_values_ptr: OUT,
    count_modes: INOUT,
    count_props: INOUT,
    count_encoders: INOUT,
    encoder_id: OUT,
    connector_id: INOUT,
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

export const DRM_IOCTL_MODE_GETPROPERTY = ioctlDef(
  "DRM_IOCTL_MODE_GETPROPERTY",
  "IOWR",
  0xaa,
  drm_mode_get_property,
  {
    values_ptr: OUT,
    enum_blob_ptr: OUT,
    prop_id: IN,
    flags: OUT,
    name: OUT,
    count_values: INOUT,
    count_enum_blobs: INOUT,
  },
  64,
);

export const DRM_IOCTL_MODE_GETPROPBLOB = ioctlDef(
  "DRM_IOCTL_MODE_GETPROPBLOB",
  "IOWR",
  0xac,
  drm_mode_get_blob,
  { blob_id: IN, length: INOUT, data: OUT },
  16,
);

export const DRM_IOCTL_MODE_ADDFB = ioctlDef(
  "DRM_IOCTL_MODE_ADDFB",
  "IOWR",
  0xae,
  drm_mode_fb_cmd,
  { fb_id: OUT, width: IN, height: IN, pitch: IN, bpp: IN, depth: IN, handle: IN },
  28,
);

export const DRM_IOCTL_MODE_RMFB = ioctlDef(
  "DRM_IOCTL_MODE_RMFB",
  "IOWR",
  0xaf,
  drm_mode_rmfb,
  { fb_id: IN },
  4,
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

export const DRM_IOCTL_MODE_GETPLANERESOURCES = ioctlDef(
  "DRM_IOCTL_MODE_GETPLANERESOURCES",
  "IOWR",
  0xb5,
  drm_mode_get_plane_res,
  { plane_id_ptr: OUT, count_planes: INOUT },
  16,
);

export const DRM_IOCTL_MODE_GETPLANE = ioctlDef(
  "DRM_IOCTL_MODE_GETPLANE",
  "IOWR",
  0xb6,
  drm_mode_get_plane,
  {
    plane_id: IN,
    crtc_id: OUT,
    fb_id: OUT,
    possible_crtcs: OUT,
    gamma_size: OUT,
    count_format_types: INOUT,
    format_type_ptr: OUT,
  },
  32,
);

export const DRM_IOCTL_MODE_ADDFB2 = ioctlDef(
  "DRM_IOCTL_MODE_ADDFB2",
  "IOWR",
  0xb8,
  drm_mode_fb_cmd2,
  {
    fb_id: OUT,
    width: IN,
    height: IN,
    pixel_format: IN,
    flags: IN,
    handles: IN,
    pitches: IN,
    offsets: IN,
    modifier: IN,
  },
  104,
);

export const DRM_IOCTL_MODE_OBJ_GETPROPERTIES = ioctlDef(
  "DRM_IOCTL_MODE_OBJ_GETPROPERTIES",
  "IOWR",
  0xb9,
  drm_mode_obj_get_properties,
  {
    props_ptr: OUT,
    prop_values_ptr: OUT,
    count_props: INOUT,
    obj_id: IN,
    obj_type: IN,
  },
  32,
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

export const DRM_IOCTL_MODE_CREATEPROPBLOB = ioctlDef(
  "DRM_IOCTL_MODE_CREATEPROPBLOB",
  "IOWR",
  0xbd,
  drm_mode_create_blob,
  { data: IN, length: IN, blob_id: OUT },
  16,
);

export const DRM_IOCTL_MODE_DESTROYPROPBLOB = ioctlDef(
  "DRM_IOCTL_MODE_DESTROYPROPBLOB",
  "IOWR",
  0xbe,
  drm_mode_destroy_blob,
  { blob_id: IN },
  4,
);
