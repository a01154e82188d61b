/**
 * A display output driven through atomic modesetting, as libdrm's atomic users do (weston's
 * and wlroots' DRM backends, kmscube's atomic path): the client cap DRM_CLIENT_CAP_ATOMIC
 * (refused with EOPNOTSUPP by a driver without DRIVER_ATOMIC: the caller falls back to the
 * legacy uapi), the property ids of each object read by name (drmModeObjectGetProperties(),
 * drmModeGetProperty()), the CRTC's primary plane (drmModeGetPlaneResources(),
 * drmModeGetPlane() and its `type` property), the mode as a property blob, and commits with
 * DRM_IOCTL_MODE_ATOMIC: the first with ALLOW_MODESET, every one non-blocking and asking for
 * a flip-complete event (NONBLOCK | PAGE_FLIP_EVENT), whose event is read back as a legacy
 * flip's is.
 */
import {
  DRM_CLIENT_CAP,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_OBJECT,
  DRM_MODE_PAGE_FLIP_EVENT,
  DRM_PLANE_TYPE_PRIMARY,
  type Call,
  type Fd,
  type Syscalls,
} from "../uapi/mod.js";
import { failed, type KmsPipe, type KmsResult } from "./kms_result.js";

/** A property of an object: its id and its value now. */
interface Prop {
  readonly id: number;
  readonly value: bigint;
}

/** The ids of the properties an atomic commit of one output sets. */
export interface AtomicIds {
  readonly planeId: number;
  readonly connector: { readonly CRTC_ID: number };
  readonly crtc: { readonly ACTIVE: number; readonly MODE_ID: number };
  readonly plane: Readonly<Record<(typeof PLANE_PROPS)[number], number>>;
}

const PLANE_PROPS = [
  "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H",
] as const;

/** Asks for atomic modesetting on `fd`; false when the driver (or the kernel) refuses it. */
export function* enableAtomic(sys: Syscalls, fd: Fd): Call<boolean> {
  const cap = { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC, value: 1n };
  const r = yield* sys.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, cap);
  return r.ok;
}

/** The properties of object `objId` by name, as drmModeObjectGetProperties() and drmModeGetProperty() read them. */
function* propsByName(sys: Syscalls, fd: Fd, objId: number, objType: number): Call<KmsResult<Map<string, Prop>>> {
  const name = DRM_IOCTL_MODE_OBJ_GETPROPERTIES.name;
  const first = yield* sys.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: objId, obj_type: objType });
  if (!first.ok) return failed(name, first.errno);
  const args = { obj_id: objId, obj_type: objType, count_props: first.value.count_props };
  const all = yield* sys.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, args);
  if (!all.ok) return failed(name, all.errno);
  const props = new Map<string, Prop>();
  for (const [i, id] of all.value.props_ptr.entries()) {
    const p = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: id });
    if (!p.ok) return failed(DRM_IOCTL_MODE_GETPROPERTY.name, p.errno);
    props.set(p.value.name, { id, value: all.value.prop_values_ptr[i] ?? 0n });
  }
  return { ok: true, value: props };
}

/** The ids of `names` in `props`; null when one is missing. */
function idsOf<K extends string>(props: Map<string, Prop>, names: readonly K[]): Record<K, number> | null {
  const ids = {} as Record<K, number>;
  for (const n of names) {
    const p = props.get(n);
    if (p === undefined) return null;
    ids[n] = p.id;
  }
  return ids;
}

/** The primary plane that can show CRTC number `crtcIndex`, with its properties; null for none. */
function* primaryPlane(
  sys: Syscalls, fd: Fd, crtcIndex: number,
): Call<KmsResult<{ id: number; props: Map<string, Prop> } | null>> {
  const name = DRM_IOCTL_MODE_GETPLANERESOURCES.name;
  const count = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES, {});
  if (!count.ok) return failed(name, count.errno);
  const res = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES, { count_planes: count.value.count_planes });
  if (!res.ok) return failed(name, res.errno);
  for (const id of res.value.plane_id_ptr) {
    const plane = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: id });
    if (!plane.ok) return failed(DRM_IOCTL_MODE_GETPLANE.name, plane.errno);
    if ((plane.value.possible_crtcs & (1 << crtcIndex)) === 0) continue;
    const props = yield* propsByName(sys, fd, id, DRM_MODE_OBJECT.PLANE);
    if (!props.ok) return props;
    if (props.value.get("type")?.value === BigInt(DRM_PLANE_TYPE_PRIMARY)) return { ok: true, value: { id, props: props.value } };
  }
  return { ok: true, value: null };
}

/** The ids an atomic commit of `pipe` needs; null when the card lacks one of them. */
export function* atomicIds(sys: Syscalls, fd: Fd, pipe: KmsPipe): Call<KmsResult<AtomicIds | null>> {
  const plane = yield* primaryPlane(sys, fd, pipe.crtcIndex);
  if (!plane.ok || plane.value === null) return plane.ok ? { ok: true, value: null } : plane;
  const conn = yield* propsByName(sys, fd, pipe.connectorId, DRM_MODE_OBJECT.CONNECTOR);
  if (!conn.ok) return conn;
  const crtc = yield* propsByName(sys, fd, pipe.crtcId, DRM_MODE_OBJECT.CRTC);
  if (!crtc.ok) return crtc;
  const ids = {
    connector: idsOf(conn.value, ["CRTC_ID"] as const),
    crtc: idsOf(crtc.value, ["ACTIVE", "MODE_ID"] as const),
    plane: idsOf(plane.value.props, PLANE_PROPS),
  };
  if (ids.connector === null || ids.crtc === null || ids.plane === null) return { ok: true, value: null };
  return { ok: true, value: { planeId: plane.value.id, connector: ids.connector, crtc: ids.crtc, plane: ids.plane } };
}

/** One commit's objects with their (property, value) pairs, in the four arrays of the ioctl. */
type ObjProps = readonly (readonly [number, readonly (readonly [number, bigint])[]])[];

function* commit(sys: Syscalls, fd: Fd, flags: number, userData: bigint, objs: ObjProps): Call<KmsResult<0>> {
  const r = yield* sys.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, {
    flags, user_data: userData, count_objs: objs.length,
    objs_ptr: objs.map(([id]) => id),
    count_props_ptr: objs.map(([, props]) => props.length),
    props_ptr: objs.flatMap(([, props]) => props.map(([p]) => p)),
    prop_values_ptr: objs.flatMap(([, props]) => props.map(([, v]) => v)),
  });
  return r.ok ? { ok: true, value: 0 } : failed(DRM_IOCTL_MODE_ATOMIC.name, r.errno);
}

const FLIP = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;

/**
 * Lights `pipe` showing framebuffer `fbId`: its mode as a blob, then a non-blocking commit
 * with ALLOW_MODESET that routes the connector to the CRTC, turns the CRTC on, and puts the
 * framebuffer on the whole of the primary plane; its flip-complete event carries `userData`.
 */
export function* atomicModeset(
  sys: Syscalls, fd: Fd, pipe: KmsPipe, ids: AtomicIds, fbId: number, userData: bigint,
): Call<KmsResult<0>> {
  const blob = yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [pipe.mode], length: 68 });
  if (!blob.ok) return failed(DRM_IOCTL_MODE_CREATEPROPBLOB.name, blob.errno);
  const [w, h] = [BigInt(Number(pipe.mode.hdisplay)), BigInt(Number(pipe.mode.vdisplay))];
  const p = ids.plane;
  return yield* commit(sys, fd, FLIP | DRM_MODE_ATOMIC_ALLOW_MODESET, userData, [
    [pipe.connectorId, [[ids.connector.CRTC_ID, BigInt(pipe.crtcId)]]],
    [pipe.crtcId, [[ids.crtc.ACTIVE, 1n], [ids.crtc.MODE_ID, BigInt(blob.value.blob_id)]]],
    [ids.planeId, [
      [p.FB_ID, BigInt(fbId)], [p.CRTC_ID, BigInt(pipe.crtcId)],
      [p.SRC_X, 0n], [p.SRC_Y, 0n], [p.SRC_W, w << 16n], [p.SRC_H, h << 16n],
      [p.CRTC_X, 0n], [p.CRTC_Y, 0n], [p.CRTC_W, w], [p.CRTC_H, h],
    ]],
  ]);
}

/** A non-blocking page flip of the primary plane to `fbId`, with its event carrying `userData`. */
export function* atomicFlip(sys: Syscalls, fd: Fd, ids: AtomicIds, fbId: number, userData: bigint): Call<KmsResult<0>> {
  return yield* commit(sys, fd, FLIP, userData, [[ids.planeId, [[ids.plane.FB_ID, BigInt(fbId)]]]]);
}
