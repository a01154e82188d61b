/**
 * The queries of single mode objects: a connector (its encoders, modes and properties, each
 * array by the count/pointer two-call protocol), an encoder, a CRTC (its mode and the
 * framebuffer its primary plane shows), the list of planes, and a plane (its formats).
 *
 * A lessee finds only the connectors, CRTCs and planes it leases (ENOENT for the others) and
 * sees only its own CRTCs in CRTC masks and routes (drm_lease.ts).
 *
 * After unplug under the uapi-doc profile (the `kmsAfterUnplug` variant), a connector reads
 * disconnected, as the uAPI document asks (D4, R64); mainline never gets here (ENODEV).
 *
 * @see drm_mode_getconnector() in drm_connector.c, drm_mode_getencoder() in drm_encoder.c,
 *      drm_mode_getcrtc() in drm_crtc.c, drm_mode_getplane_res(), drm_mode_getplane() in
 *      drm_plane.c
 */
import {
  DRM_MODE_CONNECTED,
  DRM_MODE_DISCONNECTED,
  DRM_MODE_UNKNOWNCONNECTION,
  DRM_PLANE_TYPE_OVERLAY,
  fail,
  ok,
  type DRM_IOCTL_MODE_GETCONNECTOR,
  type DRM_IOCTL_MODE_GETCRTC,
  type DRM_IOCTL_MODE_GETENCODER,
  type DRM_IOCTL_MODE_GETPLANE,
  type DRM_IOCTL_MODE_GETPLANERESOURCES,
  type IoctlIn,
  type IoctlOutOf,
  type StructValue,
  type SysResult,
} from "../uapi/mod.js";
import { drmDevIsUnplugged } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import { drmLeaseFilterCrtcs, drmLeaseHeld } from "./drm_lease.js";
import type { DrmFile } from "./file.js";
import { CONNECTOR_TYPES, modeConfigOf, type DrmConnector, type ModeConfig } from "./kms.js";
import { crtcStateMode, MODE_NONE } from "./kms_objects.js";
import { objectProperties } from "./kms_property.js";
import { crtcById } from "./kms_state.js";
import { kmsFakesAfterUnplug } from "./kms_unplug.js";

const CONNECTION = { connected: DRM_MODE_CONNECTED, disconnected: DRM_MODE_DISCONNECTED, unknown: DRM_MODE_UNKNOWNCONNECTION } as const;

/** The encoder a connector is routed through now (0: none). */
function currentEncoder(mc: ModeConfig, c: DrmConnector): number {
  if (c.crtcId === 0) return 0;
  const crtc = crtcById(mc, c.crtcId);
  const e = mc.encoders.find((x) => c.encoderIds.includes(x.id) && crtc !== undefined && (x.possibleCrtcs & (1 << crtc.index)) !== 0);
  return e?.id ?? 0;
}

/** @see drm_mode_getconnector() */
export function drmModeGetconnector(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GETCONNECTOR>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETCONNECTOR>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  if (arg.pad !== 0) return fail("EINVAL");
  const mc = modeConfigOf(dev);
  const c = mc.connectors.find((x) => x.id === arg.connector_id);
  if (c === undefined || !drmLeaseHeld(file, c.id)) return fail("ENOENT");
  // count_modes 0 from the master asks for a probe (drm_helper_probe_single_connector_modes()):
  // the model's displays find the same mode again, so the list stands.
  const gone = kmsFakesAfterUnplug(dev) && drmDevIsUnplugged(dev);
  const props = objectProperties(dev, file, { kind: "connector", obj: c });
  const n = Math.min(props.ids.length, arg.count_props);
  const modes: readonly StructValue[] = [...c.modes]; // a copy: a hot-plug changes the list
  return ok({
    // Copies: the caller reads them after the step (copy_to_user), outside its footprint.
    encoders_ptr: arg.count_encoders >= c.encoderIds.length ? [...c.encoderIds] : [],
    modes_ptr: arg.count_modes >= modes.length ? [...modes] : [],
    props_ptr: props.ids.slice(0, n),
    prop_values_ptr: props.values.slice(0, n),
    count_modes: modes.length,
    count_props: props.ids.length,
    count_encoders: c.encoderIds.length,
    encoder_id: currentEncoder(mc, c),
    connector_id: c.id,
    connector_type: CONNECTOR_TYPES[c.typeName],
    connector_type_id: c.typeId,
    connection: gone ? DRM_MODE_DISCONNECTED : CONNECTION[c.status],
    mm_width: 0,
    mm_height: 0,
    subpixel: 0,
  });
}

/** @see drm_mode_getencoder() */
export function drmModeGetencoder(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GETENCODER>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETENCODER>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const mc = modeConfigOf(file.dev);
  const index = mc.encoders.findIndex((e) => e.id === arg.encoder_id);
  const e = mc.encoders[index];
  if (e === undefined) return fail("ENOENT");
  const routed = mc.connectors.find((c) => c.crtcId !== 0 && currentEncoder(mc, c) === e.id);
  const crtcId = routed?.crtcId ?? 0;
  return ok({
    encoder_type: e.type,
    crtc_id: crtcId !== 0 && drmLeaseHeld(file, crtcId) ? crtcId : 0,
    possible_crtcs: drmLeaseFilterCrtcs(file, e.possibleCrtcs),
    // drm_mode_config_validate(): an encoder that names no clone can clone itself.
    possible_clones: 1 << index,
  });
}

/** @see drm_mode_getcrtc() */
export function drmModeGetcrtc(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GETCRTC>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETCRTC>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const mc = modeConfigOf(file.dev);
  const crtc = crtcById(mc, arg.crtc_id);
  if (crtc === undefined || !drmLeaseHeld(file, crtc.id)) return fail("ENOENT");
  const plane = mc.planes.find((p) => p.id === crtc.primaryId);
  const ps = plane?.state;
  const mode = crtc.state.enable ? crtcStateMode(mc, crtc.state) : null;
  return ok({
    fb_id: ps?.crtcId === crtc.id ? ps.fbId : 0,
    x: ps?.crtcId === crtc.id ? ps.srcX >>> 16 : 0,
    y: ps?.crtcId === crtc.id ? ps.srcY >>> 16 : 0,
    gamma_size: 0,
    mode_valid: mode === null ? 0 : 1,
    mode: mode ?? MODE_NONE,
  });
}

/**
 * The planes the file may see (the primary and cursor planes only with
 * DRM_CLIENT_CAP_UNIVERSAL_PLANES), as far as its array holds them. @see drm_mode_getplane_res()
 */
export function drmModeGetplaneRes(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GETPLANERESOURCES>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETPLANERESOURCES>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const mc = modeConfigOf(file.dev);
  const ids = mc.planes
    .filter((p) => (p.type === DRM_PLANE_TYPE_OVERLAY || file.universalPlanes) && drmLeaseHeld(file, p.id))
    .map((p) => p.id);
  return ok({ plane_id_ptr: ids.slice(0, arg.count_planes), count_planes: ids.length });
}

/** @see drm_mode_getplane() */
export function drmModeGetplane(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GETPLANE>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETPLANE>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const p = modeConfigOf(file.dev).planes.find((x) => x.id === arg.plane_id);
  if (p === undefined || !drmLeaseHeld(file, p.id)) return fail("ENOENT");
  const crtcId = p.state.crtcId;
  return ok({
    crtc_id: crtcId !== 0 && drmLeaseHeld(file, crtcId) ? crtcId : 0,
    fb_id: p.state.fbId,
    possible_crtcs: drmLeaseFilterCrtcs(file, p.possibleCrtcs),
    gamma_size: 0,
    count_format_types: p.formats.length,
    format_type_ptr: arg.count_format_types >= p.formats.length ? p.formats : [],
  });
}
