/**
 * The atomic ioctl's property values at the errno boundary: each plane property's range (the
 * signed CRTC_X and CRTC_Y, the 32-bit SRC_*, the S32 CRTC_W and CRTC_H), FB_ID and MODE_ID
 * naming nothing, ACTIVE and VRR_ENABLED as booleans (their values read back after a commit),
 * the connector's link-status and its legacy-only DPMS, and the caller's arrays shorter than
 * their counts (EFAULT).
 *
 * @see drm_atomic_plane_set_property(), drm_atomic_crtc_set_property(),
 *      drm_atomic_connector_set_property(), drm_mode_atomic_ioctl() in
 *      drivers/gpu/drm/drm_atomic_uapi.c; drm_property_change_valid_get() in drm_property.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_TEST_ONLY,
  type Fd,
} from "../uapi/mod.js";
import {
  addFb,
  atomicClient,
  atomicRequest,
  modeBlob,
  modesetRequest,
  pipeIds,
  type PipeIds,
} from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";
import { MODE_1024X768_60 } from "./kms_objects.js";

const U64 = 2n ** 64n;
const S32_MAX = 2n ** 31n - 1n;

type Request = Parameters<typeof atomicRequest>[0];

/** A KMS device with one pipe, its master's fd (atomic cap set) and its ids. */
function setup(): { m: DrmMachine; fd: Fd; ids: PipeIds; done: () => void } {
  const m = drmMachine();
  const dev = m.kms();
  const fd = atomicClient(m);
  return { m, fd, ids: pipeIds(dev), done: () => assert.equal(m.finishClean(dev), 0) };
}

/** The answer to a request of `objs` with `flags` (test-only by default). */
function commit(m: DrmMachine, fd: Fd, objs: Request, flags = DRM_MODE_ATOMIC_TEST_ONLY): string {
  return answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags, ...atomicRequest(objs) }));
}

/** The answer to setting plane property `name` alone to each value, by value. */
function planeAnswers(
  m: DrmMachine,
  fd: Fd,
  ids: PipeIds,
  name: string,
  values: readonly bigint[],
): string[] {
  return values.map((v) => commit(m, fd, [[ids.plane, [[ids.prop(name), v]]]]));
}

/** Object `id`'s property values by property id, as OBJ_GETPROPERTIES reports them. */
function propValues(m: DrmMachine, fd: Fd, id: number): Map<number, bigint> {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: id, count_props: 32 });
  assert.ok(r.ok, answer(r));
  return new Map(r.value.props_ptr.map((p, i) => [p, r.value.prop_values_ptr[i]!]));
}

describe("drm_atomic_plane_set_property(): each value checked against its property's range", () => {
  test("CRTC_X and CRTC_Y are signed 32-bit (a u64 of -1 is -1): below S32_MIN or above S32_MAX is EINVAL", () => {
    const { m, fd, ids, done } = setup();
    const values = [U64 - 1n, U64 - 2n ** 31n, U64 - 2n ** 31n - 1n, S32_MAX, S32_MAX + 1n, 0n];
    const expected = ["ok", "ok", "EINVAL", "ok", "EINVAL", "ok"];
    assert.deepEqual(planeAnswers(m, fd, ids, "CRTC_X", values), expected);
    assert.deepEqual(planeAnswers(m, fd, ids, "CRTC_Y", values), expected);
    done();
  });

  test("CRTC_W and CRTC_H are unsigned up to S32_MAX: 2^31, and a u64 of -1, are EINVAL", () => {
    const { m, fd, ids, done } = setup();
    const values = [0n, S32_MAX, S32_MAX + 1n, S32_MAX + 2n, U64 - 1n];
    const expected = ["ok", "ok", "EINVAL", "EINVAL", "EINVAL"];
    assert.deepEqual(planeAnswers(m, fd, ids, "CRTC_W", values), expected);
    assert.deepEqual(planeAnswers(m, fd, ids, "CRTC_H", values), expected);
    done();
  });

  test("SRC_X, SRC_Y, SRC_W and SRC_H take any u32 (16.16 fixed point): 2^32 and above is EINVAL", () => {
    const { m, fd, ids, done } = setup();
    const values = [0n, S32_MAX + 1n, 0xffffffffn, 2n ** 32n, U64 - 1n];
    const expected = ["ok", "ok", "ok", "EINVAL", "EINVAL"];
    for (const name of ["SRC_X", "SRC_Y", "SRC_W", "SRC_H"])
      assert.deepEqual(planeAnswers(m, fd, ids, name, values), expected, name);
    done();
  });

  test("FB_ID 0 takes the framebuffer off; an id of no framebuffer is EINVAL", () => {
    const { m, fd, ids, done } = setup();
    const fbValues = [0n, 999n, BigInt(ids.crtc)];
    assert.deepEqual(planeAnswers(m, fd, ids, "FB_ID", fbValues), ["ok", "EINVAL", "EINVAL"]);
    const fbId = ids.prop("FB_ID");
    const twice = commit(m, fd, [[ids.plane, [[fbId, 999n], [fbId, 0n]]]]);
    assert.equal(twice, "EINVAL", "checked as set, not at the end");
    done();
  });

  test("OUT_FENCE_PTR is a CRTC's property: on a plane it is ENOENT, and nothing is written", () => {
    const { m, fd, ids, done } = setup();
    assert.equal(commit(m, fd, [[ids.plane, [[ids.prop("OUT_FENCE_PTR"), 0x1000n]]]], 0), "ENOENT");
    done();
  });
});

describe("drm_atomic_crtc_set_property()", () => {
  test("ACTIVE and VRR_ENABLED are booleans (2 is EINVAL); a commit sets each alone, as OBJ_GETPROPERTIES reads back", () => {
    const { m, fd, ids, done } = setup();
    const [active, vrr] = [ids.prop("ACTIVE"), ids.prop("VRR_ENABLED")];
    const read = () => {
      const values = propValues(m, fd, ids.crtc);
      return [values.get(active), values.get(vrr)];
    };
    assert.equal(commit(m, fd, [[ids.crtc, [[active, 2n]]]]), "EINVAL");
    assert.equal(commit(m, fd, [[ids.crtc, [[vrr, 2n]]]]), "EINVAL");
    assert.deepEqual(read(), [0n, 0n]);
    assert.equal(commit(m, fd, [[ids.crtc, [[vrr, 1n]]]], 0), "ok");
    assert.deepEqual(read(), [0n, 1n], "VRR_ENABLED on; the CRTC still off");
    assert.equal(commit(m, fd, [[ids.crtc, [[active, 0n]]]], DRM_MODE_ATOMIC_ALLOW_MODESET), "ok");
    assert.deepEqual(read(), [0n, 1n], "ACTIVE 0 keeps the CRTC off");
    assert.equal(commit(m, fd, [[ids.crtc, [[vrr, 0n]]]], 0), "ok");
    assert.deepEqual(read(), [0n, 0n]);
    done();
  });

  test("MODE_ID: 0 is no mode; an id of no blob, or of a blob that holds no mode, is EINVAL", () => {
    const { m, fd, ids, done } = setup();
    const modeId = ids.prop("MODE_ID");
    const other = m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, {
      data: [MODE_1024X768_60],
      length: 16,
    });
    assert.ok(other.ok, answer(other));
    const mode = modeBlob(m, fd);
    const test = DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET;
    const answers = [0n, 999n, BigInt(other.value.blob_id)].map((v) =>
      commit(m, fd, [[ids.crtc, [[modeId, v]]]], test),
    );
    assert.deepEqual(answers, ["ok", "EINVAL", "EINVAL"]);
    const twice = commit(m, fd, [[ids.crtc, [[modeId, 999n], [modeId, 0n]]]], test);
    assert.equal(twice, "EINVAL", "checked as set");
    const lightUp = { flags: test, ...modesetRequest(ids, mode, addFb(m, fd)) };
    const lit = answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, lightUp));
    assert.equal(lit, "ok", "a mode blob, the pipe complete");
    const values = lightUp.prop_values_ptr;
    const at = (name: string) => lightUp.props_ptr.indexOf(ids.prop(name));
    const bads = [["MODE_ID", 999n], ["MODE_ID", BigInt(other.value.blob_id)], ["FB_ID", 999n]] as const;
    for (const [name, bad] of bads) {
      const arg = { ...lightUp, prop_values_ptr: values.map((v, i) => (i === at(name) ? bad : v)) };
      const r = answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, arg));
      assert.equal(r, "EINVAL", `${name} ${bad} in a complete request`);
    }
    assert.equal(commit(m, fd, [[ids.crtc, [[modeId, 0n]]]], DRM_MODE_ATOMIC_ALLOW_MODESET), "ok");
    const after = propValues(m, fd, ids.crtc).get(modeId);
    assert.equal(after, 0n, "MODE_ID 0 leaves the CRTC without a mode");
    done();
  });
});

describe("drm_atomic_connector_set_property()", () => {
  test("link-status takes Good (0) and Bad (1) only; DPMS and the immutable properties are EINVAL in an atomic request", () => {
    const { m, fd, ids, done } = setup();
    const set = (name: string, v: bigint) =>
      commit(m, fd, [[ids.connector, [[ids.prop(name), v]]]]);
    assert.deepEqual([0n, 1n, 2n].map((v) => set("link-status", v)), ["ok", "ok", "EINVAL"]);
    assert.deepEqual(
      [set("DPMS", 0n), set("DPMS", 3n), set("EDID", 0n), set("non-desktop", 0n), set("TILE", 0n)],
      ["EINVAL", "EINVAL", "EINVAL", "EINVAL", "EINVAL"],
    );
    assert.equal(set("CRTC_ID", 0n), "ok");
    done();
  });
});

describe("drm_mode_atomic_ioctl(): the caller's four arrays", () => {
  test("any array shorter than its count says is EFAULT: objs_ptr, count_props_ptr, props_ptr, prop_values_ptr", () => {
    const { m, fd, ids, done } = setup();
    const active = ids.prop("ACTIVE");
    const vrr = ids.prop("VRR_ENABLED");
    const whole = {
      count_objs: 2,
      objs_ptr: [ids.crtc, ids.crtc],
      count_props_ptr: [1, 1],
      props_ptr: [active, vrr],
      prop_values_ptr: [0n, 0n],
    };
    const firstHolds2 = { count_props_ptr: [2, 0] };
    const ask = (arg: Partial<typeof whole>) =>
      answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { ...whole, ...arg, flags: DRM_MODE_ATOMIC_TEST_ONLY }));
    assert.deepEqual(
      {
        whole: ask({}),
        objs: ask({ objs_ptr: [ids.crtc] }),
        counts: ask({ count_props_ptr: [1] }),
        props: ask({ props_ptr: [active] }),
        values: ask({ prop_values_ptr: [0n] }),
        propsOfFirst: ask({ ...firstHolds2, props_ptr: [active], prop_values_ptr: [0n, 0n] }),
        valuesOfFirst: ask({ ...firstHolds2, props_ptr: [active, vrr], prop_values_ptr: [0n] }),
      },
      {
        whole: "ok",
        objs: "EFAULT",
        counts: "EFAULT",
        props: "EFAULT",
        values: "EFAULT",
        propsOfFirst: "EFAULT",
        valuesOfFirst: "EFAULT",
      },
    );
    done();
  });
});
