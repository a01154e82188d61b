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
  drm_mode_create_lease,
  drm_mode_crtc,
  drm_mode_crtc_page_flip,
  drm_mode_destroy_dumb,
  drm_mode_get_connector,
  drm_mode_map_dumb,
} from "./drm_mode.js";
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
