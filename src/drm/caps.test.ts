/**
 * GET_CAP, SET_CLIENT_CAP, VERSION, GET_UNIQUE and SET_VERSION at the errno boundary, on a
 * modesetting device and on one without modesetting, with the file's client state checked.
 *
 * @see drm_getcap(), drm_setclientcap(), drm_version(), drm_getunique(), drm_setversion() in
 *      drivers/gpu/drm/drm_ioctl.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_CAP,
  DRM_CLIENT_CAP,
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_GET_UNIQUE,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_IOCTL_SET_VERSION,
  DRM_IOCTL_VERSION,
  type Fd,
} from "../uapi/mod.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";

function cap(m: DrmMachine, fd: Fd, capability: bigint): string {
  const r = m.ioctl(fd, DRM_IOCTL_GET_CAP, { capability });
  return r.ok ? `value ${r.value.value}` : r.errno;
}

describe("drm_getcap()", () => {
  test("every capability of a modesetting device with dumb buffers, and an unknown one", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const C = DRM_CAP;
    const got = Object.fromEntries(Object.entries(C).map(([name, c]) => [name, cap(m, fd, c)]));
    assert.deepEqual(got, {
      DRM_CAP_DUMB_BUFFER: "value 1",
      DRM_CAP_VBLANK_HIGH_CRTC: "value 1",
      DRM_CAP_DUMB_PREFERRED_DEPTH: "value 24",
      DRM_CAP_DUMB_PREFER_SHADOW: "value 0",
      DRM_CAP_PRIME: "value 3",
      DRM_CAP_TIMESTAMP_MONOTONIC: "value 1",
      DRM_CAP_ASYNC_PAGE_FLIP: "value 0",
      DRM_CAP_CURSOR_WIDTH: "value 64",
      DRM_CAP_CURSOR_HEIGHT: "value 64",
      DRM_CAP_ADDFB2_MODIFIERS: "value 1",
      DRM_CAP_PAGE_FLIP_TARGET: "value 0",
      DRM_CAP_CRTC_IN_VBLANK_EVENT: "value 1",
      DRM_CAP_SYNCOBJ: "value 0",
      DRM_CAP_SYNCOBJ_TIMELINE: "value 0",
      DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP: "value 0",
    });
    for (const unknown of [0n, 0xan, 0x16n, 2n ** 64n - 1n])
      assert.equal(cap(m, fd, unknown), "EINVAL", `capability ${unknown}`);
    assert.equal(
      cap(m, m.open("/dev/dri/renderD128"), C.DRM_CAP_DUMB_BUFFER),
      "value 1",
      "render nodes may ask",
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("without modesetting only the generic capabilities are answered; the others are EOPNOTSUPP", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/renderD128");
    assert.equal(cap(m, fd, DRM_CAP.DRM_CAP_TIMESTAMP_MONOTONIC), "value 1");
    assert.equal(cap(m, fd, DRM_CAP.DRM_CAP_PRIME), "value 3");
    assert.equal(cap(m, fd, DRM_CAP.DRM_CAP_SYNCOBJ), "value 0");
    assert.equal(cap(m, fd, DRM_CAP.DRM_CAP_DUMB_BUFFER), "EOPNOTSUPP");
    assert.equal(
      cap(m, fd, 0x99n),
      "EOPNOTSUPP",
      "the modeset check comes before the unknown-capability check",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_setclientcap()", () => {
  const C = DRM_CLIENT_CAP;
  const set = (m: DrmMachine, fd: Fd, capability: bigint, value: bigint): string =>
    answer(m.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, { capability, value }));

  test("each capability takes 0 or 1 (ATOMIC up to 2) and refuses the next value with EINVAL", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const file = m.file(fd);
    assert.deepEqual(
      [set(m, fd, C.DRM_CLIENT_CAP_STEREO_3D, 1n), set(m, fd, C.DRM_CLIENT_CAP_STEREO_3D, 2n)],
      ["ok", "EINVAL"],
    );
    assert.equal(file.stereoAllowed, true);
    assert.deepEqual(
      [
        set(m, fd, C.DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1n),
        set(m, fd, C.DRM_CLIENT_CAP_UNIVERSAL_PLANES, 2n),
      ],
      ["ok", "EINVAL"],
    );
    assert.deepEqual(
      [
        set(m, fd, C.DRM_CLIENT_CAP_ASPECT_RATIO, 1n),
        set(m, fd, C.DRM_CLIENT_CAP_ASPECT_RATIO, 2n),
      ],
      ["ok", "EINVAL"],
    );
    assert.equal(
      set(m, fd, C.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1n),
      "EINVAL",
      "writeback needs atomic first",
    );
    assert.deepEqual([set(m, fd, C.DRM_CLIENT_CAP_ATOMIC, 3n), file.atomic], ["EINVAL", false]);
    assert.deepEqual(
      [
        set(m, fd, C.DRM_CLIENT_CAP_ATOMIC, 2n),
        file.atomic,
        file.universalPlanes,
        file.aspectRatioAllowed,
      ],
      ["ok", true, true, true],
    );
    assert.deepEqual(
      [
        set(m, fd, C.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 2n),
        set(m, fd, C.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1n),
      ],
      ["EINVAL", "ok"],
    );
    assert.equal(file.writebackConnectors, true);
    assert.equal(
      set(m, fd, C.DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT, 1n),
      "EOPNOTSUPP",
      "no model driver sets DRIVER_CURSOR_HOTSPOT",
    );
    assert.deepEqual(
      [set(m, fd, C.DRM_CLIENT_CAP_ATOMIC, 0n), file.atomic, file.universalPlanes],
      ["ok", false, false],
      "ATOMIC=0 also turns universal planes off",
    );
    assert.deepEqual([set(m, fd, 0n, 0n), set(m, fd, 7n, 0n)], ["EINVAL", "EINVAL"]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("client capabilities need modesetting (EOPNOTSUPP) and are not for render nodes (EACCES)", () => {
    const m = drmMachine();
    const dev = m.registered();
    const card = m.open("/dev/dri/card0");
    assert.equal(set(m, card, C.DRM_CLIENT_CAP_ATOMIC, 1n), "EOPNOTSUPP");
    assert.equal(set(m, m.open("/dev/dri/renderD128"), C.DRM_CLIENT_CAP_STEREO_3D, 1n), "EACCES");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_version(), drm_getunique(), drm_setversion()", () => {
  test("VERSION copies as much of each string as its length field allows and reports the full lengths", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/renderD128");
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_VERSION), {
      ok: true,
      value: {
        version_major: 1,
        version_minor: 0,
        version_patchlevel: 0,
        name_len: 7n,
        name: "",
        date_len: 1n,
        date: "",
        desc_len: 21n,
        desc: "",
      },
    });
    const r = m.ioctl(fd, DRM_IOCTL_VERSION, { name_len: 3n, date_len: 1n, desc_len: 64n });
    assert.ok(r.ok);
    assert.deepEqual(
      [r.value.name, r.value.name_len, r.value.date, r.value.desc],
      ["drm", 7n, "0", "vdrm core test driver"],
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("GET_UNIQUE is empty until SET_VERSION 1.1+ sets the master's bus id; a short buffer gets only the length", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_GET_UNIQUE, { unique_len: 64n }), {
      ok: true,
      value: { unique_len: 0n, unique: "" },
    });
    const sv = { drm_di_major: 1, drm_di_minor: 4, drm_dd_major: -1, drm_dd_minor: 0 };
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_SET_VERSION, sv), {
      ok: true,
      value: { drm_di_major: 1, drm_di_minor: 4, drm_dd_major: 1, drm_dd_minor: 0 },
    });
    const len = BigInt(dev.parent.name.length);
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_GET_UNIQUE, { unique_len: len }), {
      ok: true,
      value: { unique_len: len, unique: dev.parent.name },
    });
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_GET_UNIQUE, { unique_len: len - 1n }), {
      ok: true,
      value: { unique_len: len, unique: "" },
    });
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SET_VERSION, { ...sv, drm_di_major: 2 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SET_VERSION, { ...sv, drm_di_minor: 5 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SET_VERSION, { ...sv, drm_dd_major: 2 })), "EINVAL");
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SET_VERSION, { ...sv, drm_dd_major: 1, drm_dd_minor: 1 })),
      "EINVAL",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SET_VERSION)),
      "EINVAL",
      "a zeroed struct asks for interface 0.0",
    );
    assert.equal(
      answer(m.ioctl(m.open("/dev/dri/card0"), DRM_IOCTL_SET_VERSION, sv)),
      "EACCES",
      "SET_VERSION is for the master",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});
