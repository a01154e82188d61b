/**
 * Properties: what each standard property is (its type flags, range, enum values or object
 * type), which properties each kind of mode object carries with its current value, and the
 * ioctls that read them (GETPROPERTY, OBJ_GETPROPERTIES). Properties flagged
 * DRM_MODE_PROP_ATOMIC are seen only by clients that set DRM_CLIENT_CAP_ATOMIC.
 *
 * @see drm_property.c (drm_mode_getproperty_ioctl()), drm_mode_object.c
 *      (drm_mode_obj_get_properties_ioctl(), drm_mode_object_get_properties()),
 *      drm_mode_config.c (drm_mode_create_standard_properties())
 */
import {
  DRM_MODE_OBJECT,
  DRM_MODE_PROP_ATOMIC as ATOMIC,
  DRM_MODE_PROP_BLOB as BLOB,
  DRM_MODE_PROP_ENUM as ENUM,
  DRM_MODE_PROP_IMMUTABLE as IMMUTABLE,
  DRM_MODE_PROP_OBJECT as OBJECT,
  DRM_MODE_PROP_RANGE as RANGE,
  DRM_MODE_PROP_SIGNED_RANGE as SIGNED_RANGE,
  fail,
  ok,
  u64Of,
  type DRM_IOCTL_MODE_GETPROPERTY,
  type DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import { drmModeObjectVisible } from "./drm_lease.js";
import type { DrmFile } from "./file.js";
import { modeConfigOf, type DrmConnector, type ModeConfig } from "./kms.js";
import type { DrmCrtc, DrmPlane } from "./kms_objects.js";
import { crtcById } from "./kms_state.js";

/** What a property is: its flags, its values (range bounds, object type) and its enum entries. */
export interface PropertyDef {
  readonly flags: number;
  readonly values: readonly bigint[];
  readonly enums?: readonly (readonly [bigint, string])[];
}

const U32_MAX = 0xffffffffn;
const S64 = (n: bigint): bigint => BigInt.asUintN(64, n);
const range = (flags: number, lo: bigint, hi: bigint): PropertyDef => ({ flags: flags | RANGE, values: [lo, hi] });
const signed = (lo: bigint, hi: bigint): PropertyDef => ({ flags: SIGNED_RANGE | ATOMIC, values: [S64(lo), S64(hi)] });
const blob = (flags: number): PropertyDef => ({ flags: flags | BLOB, values: [] });
const object = (type: number): PropertyDef => ({ flags: OBJECT | ATOMIC, values: [u64Of(0) + BigInt(type)] });
const enumOf = (flags: number, names: readonly string[]): PropertyDef => ({
  flags: flags | ENUM,
  values: names.map((_, i) => u64Of(i)),
  enums: names.map((n, i) => [u64Of(i), n] as const),
});

/** The standard properties, by name. */
export const PROPERTY_DEFS: ReadonlyMap<string, PropertyDef> = new Map<string, PropertyDef>([
  ["EDID", blob(IMMUTABLE)],
  ["DPMS", enumOf(0, ["On", "Standby", "Suspend", "Off"])],
  ["PATH", blob(IMMUTABLE)],
  ["TILE", blob(IMMUTABLE)],
  ["link-status", enumOf(0, ["Good", "Bad"])],
  ["non-desktop", range(IMMUTABLE, 0n, 1n)],
  ["HDR_OUTPUT_METADATA", blob(0)],
  ["type", enumOf(IMMUTABLE, ["Overlay", "Primary", "Cursor"])],
  ["SRC_X", range(ATOMIC, 0n, U32_MAX)],
  ["SRC_Y", range(ATOMIC, 0n, U32_MAX)],
  ["SRC_W", range(ATOMIC, 0n, U32_MAX)],
  ["SRC_H", range(ATOMIC, 0n, U32_MAX)],
  ["CRTC_X", signed(-(2n ** 31n), 2n ** 31n - 1n)],
  ["CRTC_Y", signed(-(2n ** 31n), 2n ** 31n - 1n)],
  ["CRTC_W", range(ATOMIC, 0n, 2n ** 31n - 1n)],
  ["CRTC_H", range(ATOMIC, 0n, 2n ** 31n - 1n)],
  ["FB_ID", object(DRM_MODE_OBJECT.FB)],
  ["IN_FENCE_FD", signed(-1n, 2n ** 31n - 1n)],
  ["OUT_FENCE_PTR", range(ATOMIC, 0n, 2n ** 64n - 1n)],
  ["CRTC_ID", object(DRM_MODE_OBJECT.CRTC)],
  ["FB_DAMAGE_CLIPS", blob(ATOMIC)],
  ["ACTIVE", range(ATOMIC, 0n, 1n)],
  ["MODE_ID", blob(ATOMIC)],
  ["VRR_ENABLED", range(0, 0n, 1n)],
  ["DEGAMMA_LUT", blob(0)],
  ["DEGAMMA_LUT_SIZE", range(IMMUTABLE, 0n, U32_MAX)],
  ["CTM", blob(0)],
  ["GAMMA_LUT", blob(0)],
  ["GAMMA_LUT_SIZE", range(IMMUTABLE, 0n, U32_MAX)],
  ["IN_FORMATS", blob(IMMUTABLE)],
  ["SIZE_HINTS", blob(IMMUTABLE)],
]);

/** A mode object that carries properties. */
export type PropObject =
  | { readonly kind: "crtc"; readonly obj: DrmCrtc }
  | { readonly kind: "plane"; readonly obj: DrmPlane }
  | { readonly kind: "connector"; readonly obj: DrmConnector };

const OBJECT_TYPE = { crtc: DRM_MODE_OBJECT.CRTC, plane: DRM_MODE_OBJECT.PLANE, connector: DRM_MODE_OBJECT.CONNECTOR } as const;

/** The object with id `id` if it carries properties (and is of `type`, unless ANY). @see drm_mode_object_find() */
export function propObjectById(mc: ModeConfig, id: number, type: number = DRM_MODE_OBJECT.ANY): PropObject | null {
  const found: PropObject | null =
    ((c) => (c === undefined ? null : { kind: "crtc" as const, obj: c }))(mc.crtcs.find((c) => c.id === id)) ??
    ((p) => (p === undefined ? null : { kind: "plane" as const, obj: p }))(mc.planes.find((p) => p.id === id)) ??
    ((c) => (c === undefined ? null : { kind: "connector" as const, obj: c }))(mc.connectors.find((c) => c.id === id));
  if (found === null) return null;
  return type === DRM_MODE_OBJECT.ANY || type === OBJECT_TYPE[found.kind] ? found : null;
}

/** The DRM_MODE_OBJECT_* type of object `id` (of any kind), or null when there is none. */
export function modeObjectType(mc: ModeConfig, id: number): number | null {
  const o = propObjectById(mc, id);
  if (o !== null) return OBJECT_TYPE[o.kind];
  if (mc.encoders.some((e) => e.id === id)) return DRM_MODE_OBJECT.ENCODER;
  if (mc.fbs.some((f) => f.id === id)) return DRM_MODE_OBJECT.FB;
  if (mc.blobs.has(id)) return DRM_MODE_OBJECT.BLOB;
  return [...mc.properties.values()].includes(id) ? DRM_MODE_OBJECT.PROPERTY : null;
}

/** The properties of a CRTC, a plane and a connector, in the order Linux attaches them. */
const ATTACHED: Readonly<Record<PropObject["kind"], readonly string[]>> = {
  crtc: ["ACTIVE", "MODE_ID", "OUT_FENCE_PTR", "VRR_ENABLED"],
  plane: ["type", "FB_ID", "IN_FENCE_FD", "CRTC_ID", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H", "SRC_X", "SRC_Y", "SRC_W", "SRC_H"],
  connector: ["EDID", "DPMS", "link-status", "non-desktop", "TILE", "CRTC_ID"],
};

/** The names of the properties `o` carries. */
export function attachedProperties(o: PropObject): readonly string[] {
  return ATTACHED[o.kind];
}

function crtcValue(c: DrmCrtc, name: string): bigint {
  const s = c.state;
  if (name === "ACTIVE") return s.active ? 1n : 0n;
  if (name === "MODE_ID") return u64Of(s.modeBlobId);
  if (name === "VRR_ENABLED") return s.vrrEnabled ? 1n : 0n;
  return 0n;
}

const PLANE_FIELDS: Readonly<Record<string, keyof DrmPlane["state"]>> = {
  FB_ID: "fbId", CRTC_ID: "crtcId", CRTC_X: "crtcX", CRTC_Y: "crtcY", CRTC_W: "crtcW", CRTC_H: "crtcH",
  SRC_X: "srcX", SRC_Y: "srcY", SRC_W: "srcW", SRC_H: "srcH",
};

/** The plane state field each writable plane property sets. */
export function planeField(name: string): keyof DrmPlane["state"] | undefined {
  return PLANE_FIELDS[name];
}

function planeValue(p: DrmPlane, name: string): bigint {
  if (name === "type") return u64Of(p.type);
  if (name === "IN_FENCE_FD") return S64(-1n);
  const field = PLANE_FIELDS[name];
  return field === undefined ? 0n : S64(BigInt(p.state[field]));
}

function connectorValue(mc: ModeConfig, c: DrmConnector, name: string): bigint {
  if (name === "CRTC_ID") return u64Of(c.crtcId);
  if (name === "DPMS") return crtcById(mc, c.crtcId)?.state.active === true ? 0n : 3n;
  return 0n;
}

/** The current value of property `name` of `o`. */
export function propertyValue(mc: ModeConfig, o: PropObject, name: string): bigint {
  switch (o.kind) {
    case "crtc":
      return crtcValue(o.obj, name);
    case "plane":
      return planeValue(o.obj, name);
    case "connector":
      return connectorValue(mc, o.obj, name);
  }
}

/** The id of property `name` on this device. */
export function propertyId(mc: ModeConfig, name: string): number {
  return mc.properties.get(name) ?? 0;
}

/** The ids and values of the properties of `o` the file may see. @see drm_mode_object_get_properties() */
export function objectProperties(dev: DrmDevice, file: DrmFile, o: PropObject): { ids: number[]; values: bigint[] } {
  const mc = modeConfigOf(dev);
  const names = attachedProperties(o).filter((n) => file.atomic || ((PROPERTY_DEFS.get(n)?.flags ?? 0) & ATOMIC) === 0);
  return { ids: names.map((n) => propertyId(mc, n)), values: names.map((n) => propertyValue(mc, o, n)) };
}

/** @see drm_mode_obj_get_properties_ioctl() */
export function drmModeObjGetPropertiesIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_OBJ_GETPROPERTIES>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_OBJ_GETPROPERTIES>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const mc = modeConfigOf(dev);
  const type = modeObjectType(mc, arg.obj_id);
  if (type === null || (arg.obj_type !== DRM_MODE_OBJECT.ANY && arg.obj_type !== type)) return fail("ENOENT");
  if (!drmModeObjectVisible(file, type, arg.obj_id)) return fail("ENOENT"); // not leased
  const o = propObjectById(mc, arg.obj_id);
  if (o === null) return fail("EINVAL"); // an object without properties
  const { ids, values } = objectProperties(dev, file, o);
  // The arrays are filled as far as the caller's count reaches.
  const n = Math.min(ids.length, arg.count_props);
  return ok({ props_ptr: ids.slice(0, n), prop_values_ptr: values.slice(0, n), count_props: ids.length });
}

/** @see drm_mode_getproperty_ioctl() */
export function drmModeGetpropertyIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GETPROPERTY>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETPROPERTY>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const mc = modeConfigOf(dev);
  const name = [...mc.properties].find(([, id]) => id === arg.prop_id)?.[0];
  const def = name === undefined ? undefined : PROPERTY_DEFS.get(name);
  if (name === undefined || def === undefined) return fail("ENOENT");
  const enums = def.enums ?? [];
  // Each array is written whole or not at all: only when the caller's count holds it.
  const values = arg.count_values >= def.values.length ? def.values : [];
  const enumBlobs = arg.count_enum_blobs >= enums.length ? enums.map(([value, n]) => ({ value, name: n })) : [];
  return ok({
    values_ptr: values,
    enum_blob_ptr: enumBlobs,
    flags: def.flags >>> 0,
    name,
    count_values: def.values.length,
    count_enum_blobs: enums.length,
  });
}
