/**
 * Properties at the ioctl boundary: what GETPROPERTY says of each standard property (its
 * flags, range bounds, object type, enum entries, each array only when the caller's count
 * holds it), the values OBJ_GETPROPERTIES reads off a lit pipe's CRTC, plane and connector,
 * which ids name objects without properties (EINVAL) or nothing (ENOENT), and EOPNOTSUPP
 * on a device without modesetting.
 *
 * @see drm_mode_create_standard_properties() in drm_mode_config.c, drm_mode_getproperty_ioctl()
 *      in drm_property.c, drm_mode_obj_get_properties_ioctl() in drm_mode_object.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_OBJECT,
  DRM_MODE_PROP_ATOMIC,
  DRM_MODE_PROP_BLOB,
  DRM_MODE_PROP_ENUM,
  DRM_MODE_PROP_IMMUTABLE,
  DRM_MODE_PROP_OBJECT,
  DRM_MODE_PROP_RANGE,
  DRM_MODE_PROP_SIGNED_RANGE,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, modeBlob, pipeIds, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";

const U32_MAX = 0xffffffffn;
const S32_MAX = 0x7fffffffn;
const U64_MAX = 0xffffffffffffffffn;
/** A negative s64 as the u64 the ioctl carries. */
const s64 = (n: bigint): bigint => BigInt.asUintN(64, n);

interface Expected {
  readonly flags: number;
  readonly values: readonly bigint[];
  readonly enums?: readonly string[];
}

const blob = (flags: number): Expected => ({ flags: DRM_MODE_PROP_BLOB | flags, values: [] });
const range = (flags: number, hi: bigint): Expected => ({ flags: DRM_MODE_PROP_RANGE | flags, values: [0n, hi] });
const signed = (lo: bigint, hi: bigint): Expected =>
  ({ flags: DRM_MODE_PROP_SIGNED_RANGE | DRM_MODE_PROP_ATOMIC, values: [s64(lo), hi] });
const object = (type: number): Expected =>
  ({ flags: DRM_MODE_PROP_OBJECT | DRM_MODE_PROP_ATOMIC, values: [BigInt(type)] });
const enums = (flags: number, names: readonly string[]): Expected =>
  ({ flags: DRM_MODE_PROP_ENUM | flags, values: names.map((_, i) => BigInt(i)), enums: names });
const A = DRM_MODE_PROP_ATOMIC;
const I = DRM_MODE_PROP_IMMUTABLE;

/** What Linux 6.12's drm_mode_create_standard_properties() (and its color, VRR) makes. */
const STANDARD: Readonly<Record<string, Expected>> = {
  EDID: blob(I),
  DPMS: enums(0, ["On", "Standby", "Suspend", "Off"]),
  PATH: blob(I),
  TILE: blob(I),
  "link-status": enums(0, ["Good", "Bad"]),
  "non-desktop": range(I, 1n),
  HDR_OUTPUT_METADATA: blob(0),
  type: enums(I, ["Overlay", "Primary", "Cursor"]),
  SRC_X: range(A, U32_MAX),
  SRC_Y: range(A, U32_MAX),
  SRC_W: range(A, U32_MAX),
  SRC_H: range(A, U32_MAX),
  CRTC_X: signed(-(S32_MAX + 1n), S32_MAX),
  CRTC_Y: signed(-(S32_MAX + 1n), S32_MAX),
  CRTC_W: range(A, S32_MAX),
  CRTC_H: range(A, S32_MAX),
  FB_ID: object(DRM_MODE_OBJECT.FB),
  IN_FENCE_FD: signed(-1n, S32_MAX),
  OUT_FENCE_PTR: range(A, U64_MAX),
  CRTC_ID: object(DRM_MODE_OBJECT.CRTC),
  FB_DAMAGE_CLIPS: blob(A),
  ACTIVE: range(A, 1n),
  MODE_ID: blob(A),
  VRR_ENABLED: range(0, 1n),
  DEGAMMA_LUT: blob(0),
  DEGAMMA_LUT_SIZE: range(I, U32_MAX),
  CTM: blob(0),
  GAMMA_LUT: blob(0),
  GAMMA_LUT_SIZE: range(I, U32_MAX),
  IN_FORMATS: blob(I),
  SIZE_HINTS: blob(I),
};

describe("DRM_IOCTL_MODE_GETPROPERTY", () => {
  test("each standard property: its name, flags, values and enum entries, with counts that hold them", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const names = Object.keys(STANDARD);
    assert.equal(names.length, 31);
    for (const name of names) {
      const want = STANDARD[name]!;
      const wantEnums = (want.enums ?? []).map((n, i) => ({ value: BigInt(i), name: n }));
      const got = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.prop(name), count_values: 4, count_enum_blobs: 4 });
      assert.deepEqual(got, {
        ok: true,
        value: {
          values_ptr: want.values,
          enum_blob_ptr: wantEnums,
          flags: want.flags >>> 0,
          name,
          count_values: want.values.length,
          count_enum_blobs: wantEnums.length,
        },
      }, name);
    }
    assert.equal(m.finishClean(dev), 0);
  });

  test("an array is written whole or not at all: a count short by one copies nothing but says the count", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const dpms = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.prop("DPMS"), count_values: 3, count_enum_blobs: 3 });
    assert.ok(dpms.ok, answer(dpms));
    assert.deepEqual(
      [dpms.value.values_ptr, dpms.value.enum_blob_ptr, dpms.value.count_values, dpms.value.count_enum_blobs],
      [[], [], 4, 4],
    );
    const enumsOnly = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.prop("link-status"), count_values: 1, count_enum_blobs: 2 });
    assert.ok(enumsOnly.ok, answer(enumsOnly));
    assert.deepEqual(enumsOnly.value.values_ptr, [], "the values did not fit");
    assert.deepEqual(enumsOnly.value.enum_blob_ptr, [{ value: 0n, name: "Good" }, { value: 1n, name: "Bad" }]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: 9999 })), "ENOENT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: 0 })), "ENOENT");
    assert.equal(m.finishClean(dev), 0);
  });
});

/** Object `id`'s properties as (name, value) pairs, as `fd` sees them. */
function propsOf(m: DrmMachine, fd: Fd, ids: PipeIds, id: number, type: number): [string, bigint][] {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: id, obj_type: type, count_props: 16 });
  assert.ok(r.ok, answer(r));
  const byId = new Map(Object.keys(STANDARD).map((n) => [ids.prop(n), n]));
  return r.value.props_ptr.map((p, i) => [byId.get(p) ?? `#${p}`, r.value.prop_values_ptr[i]!]);
}

/**
 * Lights the pipe with framebuffer `fb` (bigger than the mode) shown from (16, 8), VRR on:
 * the plane covers the 1024x768 CRTC, as the simple pipe requires.
 */
function lightFromOffset(m: DrmMachine, fd: Fd, ids: PipeIds, mode: number, fb: number): string {
  const p = (n: string) => ids.prop(n);
  const req = atomicRequest([
    [ids.connector, [[p("CRTC_ID"), BigInt(ids.crtc)]]],
    [ids.crtc, [[p("ACTIVE"), 1n], [p("MODE_ID"), BigInt(mode)], [p("VRR_ENABLED"), 1n]]],
    [ids.plane, [
      [p("FB_ID"), BigInt(fb)], [p("CRTC_ID"), BigInt(ids.crtc)],
      [p("SRC_X"), 16n << 16n], [p("SRC_Y"), 8n << 16n], [p("SRC_W"), 1024n << 16n], [p("SRC_H"), 768n << 16n],
      [p("CRTC_X"), 0n], [p("CRTC_Y"), 0n], [p("CRTC_W"), 1024n], [p("CRTC_H"), 768n],
    ]],
  ]);
  return answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...req }));
}

describe("DRM_IOCTL_MODE_OBJ_GETPROPERTIES", () => {
  test("an off pipe: CRTC, plane and connector values, the connector's DPMS Off; legacy clients see no atomic ones", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const legacy = m.open("/dev/dri/card0");
    const fd = atomicClient(m);
    const { CRTC, PLANE, CONNECTOR } = DRM_MODE_OBJECT;
    assert.deepEqual(propsOf(m, fd, ids, ids.crtc, CRTC), [["ACTIVE", 0n], ["MODE_ID", 0n], ["OUT_FENCE_PTR", 0n], ["VRR_ENABLED", 0n]]);
    assert.deepEqual(propsOf(m, fd, ids, ids.plane, PLANE), [
      ["type", 1n], ["FB_ID", 0n], ["IN_FENCE_FD", U64_MAX], ["CRTC_ID", 0n], ["CRTC_X", 0n], ["CRTC_Y", 0n],
      ["CRTC_W", 0n], ["CRTC_H", 0n], ["SRC_X", 0n], ["SRC_Y", 0n], ["SRC_W", 0n], ["SRC_H", 0n],
    ]);
    assert.deepEqual(propsOf(m, fd, ids, ids.connector, CONNECTOR), [
      ["EDID", 0n], ["DPMS", 3n], ["link-status", 0n], ["non-desktop", 0n], ["TILE", 0n], ["CRTC_ID", 0n],
    ]);
    assert.deepEqual(propsOf(m, legacy, ids, ids.plane, PLANE), [["type", 1n]], "a primary plane");
    assert.deepEqual(propsOf(m, legacy, ids, ids.connector, CONNECTOR), [
      ["EDID", 0n], ["DPMS", 3n], ["link-status", 0n], ["non-desktop", 0n], ["TILE", 0n],
    ]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a lit pipe: ACTIVE, MODE_ID, VRR_ENABLED; the plane's FB, CRTC and rectangles; the connector's CRTC, DPMS On", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const mode = modeBlob(m, fd);
    const fb = addFb(m, fd, 1100, 800);
    assert.equal(lightFromOffset(m, fd, ids, mode, fb), "ok");
    const { CRTC, PLANE, CONNECTOR } = DRM_MODE_OBJECT;
    const crtc = BigInt(ids.crtc);
    assert.deepEqual(propsOf(m, fd, ids, ids.crtc, CRTC), [
      ["ACTIVE", 1n], ["MODE_ID", BigInt(mode)], ["OUT_FENCE_PTR", 0n], ["VRR_ENABLED", 1n],
    ]);
    assert.deepEqual(propsOf(m, fd, ids, ids.plane, PLANE), [
      ["type", 1n], ["FB_ID", BigInt(fb)], ["IN_FENCE_FD", U64_MAX], ["CRTC_ID", crtc], ["CRTC_X", 0n], ["CRTC_Y", 0n],
      ["CRTC_W", 1024n], ["CRTC_H", 768n], ["SRC_X", 16n << 16n], ["SRC_Y", 8n << 16n], ["SRC_W", 1024n << 16n],
      ["SRC_H", 768n << 16n],
    ]);
    assert.deepEqual(propsOf(m, fd, ids, ids.connector, CONNECTOR), [
      ["EDID", 0n], ["DPMS", 0n], ["link-status", 0n], ["non-desktop", 0n], ["TILE", 0n], ["CRTC_ID", crtc],
    ]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("framebuffers, blobs, encoders and properties have no properties (EINVAL); another type asked is ENOENT", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const fb = addFb(m, fd);
    const blobId = modeBlob(m, fd);
    const get = (obj_id: number, obj_type: number) => answer(m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id, obj_type }));
    const { ANY, FB, BLOB, ENCODER, PROPERTY, CRTC } = DRM_MODE_OBJECT;
    const ask = (id: number, type: number) => [get(id, ANY), get(id, type), get(id, CRTC)];
    assert.deepEqual(ask(fb, FB), ["EINVAL", "EINVAL", "ENOENT"], "a framebuffer");
    assert.deepEqual(ask(blobId, BLOB), ["EINVAL", "EINVAL", "ENOENT"], "a blob");
    assert.deepEqual(ask(ids.encoder, ENCODER), ["EINVAL", "EINVAL", "ENOENT"], "an encoder");
    assert.deepEqual(ask(ids.prop("ACTIVE"), PROPERTY), ["EINVAL", "EINVAL", "ENOENT"], "a property");
    assert.equal(get(ids.crtc, FB), "ENOENT", "a CRTC asked for as a framebuffer");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("a device without modesetting", () => {
  test("GETPROPERTY and OBJ_GETPROPERTIES are EOPNOTSUPP", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: 1 })), "EOPNOTSUPP");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: 1 })), "EOPNOTSUPP");
    assert.equal(m.finishClean(dev), 0);
  });
});
