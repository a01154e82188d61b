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
import { answer, drmMachine, TEST_KMS_DRIVER, type DrmMachine } from "./_testing.js";
import {
  DRIVER_ATOMIC,
  DRIVER_CURSOR_HOTSPOT,
  DRIVER_GEM,
  DRIVER_MODESET,
  DRIVER_SYNCOBJ,
} from "./drm_driver.js";

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

  test("SYNCOBJ and SYNCOBJ_TIMELINE follow their own driver features; DUMB_BUFFER is 0 without dumb_create", () => {
    const m = drmMachine();
    const features = DRIVER_GEM | DRIVER_MODESET | DRIVER_SYNCOBJ;
    const { dumbCreate: _dumbCreate, ...noDumbBuffers } = TEST_KMS_DRIVER;
    const dev = m.registered({ ...noDumbBuffers, features });
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(
      [DRM_CAP.DRM_CAP_SYNCOBJ, DRM_CAP.DRM_CAP_SYNCOBJ_TIMELINE, DRM_CAP.DRM_CAP_DUMB_BUFFER].map(
        (c) => cap(m, fd, c),
      ),
      ["value 1", "value 0", "value 0"],
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

  test("each client capability turned on and off again sets and clears the file's flag", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const f = m.file(fd);
    const flags = () =>
      [f.stereoAllowed, f.universalPlanes, f.aspectRatioAllowed, f.atomic, f.writebackConnectors]
        .map((b) => (b ? 1 : 0))
        .join("");
    const steps = [
      [C.DRM_CLIENT_CAP_STEREO_3D, 1n],
      [C.DRM_CLIENT_CAP_STEREO_3D, 0n],
      [C.DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1n],
      [C.DRM_CLIENT_CAP_UNIVERSAL_PLANES, 0n],
      [C.DRM_CLIENT_CAP_ASPECT_RATIO, 1n],
      [C.DRM_CLIENT_CAP_ASPECT_RATIO, 0n],
      [C.DRM_CLIENT_CAP_ATOMIC, 1n],
      [C.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1n],
      [C.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 0n],
      [C.DRM_CLIENT_CAP_ATOMIC, 0n],
    ] as const;
    const seen = steps.map(([c, v]) => `${set(m, fd, c, v)} ${flags()}`);
    // stereo, universal planes, aspect ratio, atomic, writeback
    assert.deepEqual(seen, [
      "ok 10000",
      "ok 00000",
      "ok 01000",
      "ok 00000",
      "ok 00100",
      "ok 00000",
      "ok 01110", // ATOMIC=1 also turns on universal planes and aspect ratios
      "ok 01111",
      "ok 01110",
      "ok 00000",
    ]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("cursor hotspots need DRIVER_CURSOR_HOTSPOT and atomic; they set the virtualized cursor plane flag only", () => {
    const m = drmMachine();
    const driver = { ...TEST_KMS_DRIVER, features: TEST_KMS_DRIVER.features | DRIVER_CURSOR_HOTSPOT };
    const dev = m.registered(driver);
    const fd = m.open("/dev/dri/card0");
    const f = m.file(fd);
    const hotspot = (v: bigint) => set(m, fd, C.DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT, v);
    assert.equal(hotspot(1n), "EINVAL", "atomic first");
    assert.equal(set(m, fd, C.DRM_CLIENT_CAP_ATOMIC, 1n), "ok");
    assert.deepEqual([hotspot(2n), f.supportsVirtualizedCursorPlane], ["EINVAL", false]);
    assert.deepEqual([hotspot(1n), f.supportsVirtualizedCursorPlane], ["ok", true]);
    assert.equal(f.writebackConnectors, false);
    assert.deepEqual([hotspot(0n), f.supportsVirtualizedCursorPlane], ["ok", false]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("without DRIVER_ATOMIC, ATOMIC is EOPNOTSUPP; without modesetting every client cap is", () => {
    const m = drmMachine();
    const noAtomic = { ...TEST_KMS_DRIVER, features: TEST_KMS_DRIVER.features & ~DRIVER_ATOMIC };
    const kms = m.registered(noAtomic);
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(
      [set(m, fd, C.DRM_CLIENT_CAP_ATOMIC, 1n), set(m, fd, C.DRM_CLIENT_CAP_STEREO_3D, 1n)],
      ["EOPNOTSUPP", "ok"],
    );
    assert.equal(m.file(fd).atomic, false);
    assert.equal(m.finishClean(kms), 0);
    const m2 = drmMachine();
    const plain = m2.registered();
    const card = m2.open("/dev/dri/card0");
    assert.deepEqual(
      [C.DRM_CLIENT_CAP_STEREO_3D, C.DRM_CLIENT_CAP_UNIVERSAL_PLANES].map((c) =>
        set(m2, card, c, 1n),
      ),
      ["EOPNOTSUPP", "EOPNOTSUPP"],
    );
    assert.equal(m2.file(card).stereoAllowed, false);
    assert.equal(m2.finishClean(plain), 0);
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

  test("VERSION copies a string whose length field is exactly its length, and answers each length anew", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/renderD128");
    const names = [7n, 6n, 7n, 0n].map((name_len) => {
      const r = m.ioctl(fd, DRM_IOCTL_VERSION, { name_len, date_len: 1n, desc_len: 21n });
      return r.ok ? [r.value.name, r.value.date, r.value.desc.length] : r.errno;
    });
    assert.deepEqual(names, [
      ["drmtest", "0", 21],
      ["drmtes", "0", 21],
      ["drmtest", "0", 21],
      ["", "0", 21],
    ]);
    const others = [
      { name_len: 7n, date_len: 0n, desc_len: 21n },
      { name_len: 7n, date_len: 0n, desc_len: 4n },
    ].map((lens) => {
      const r = m.ioctl(fd, DRM_IOCTL_VERSION, lens);
      return r.ok ? [r.value.name, r.value.date, r.value.desc] : r.errno;
    });
    assert.deepEqual(others, [
      ["drmtest", "", "vdrm core test driver"],
      ["drmtest", "", "vdrm"],
    ]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("SET_VERSION: -1 leaves a version alone; interface 1.0 sets no bus id; negative minors are EINVAL", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    const setv = (drm_di_major: number, drm_di_minor: number, drm_dd_major: number, drm_dd_minor: number) =>
      answer(m.ioctl(fd, DRM_IOCTL_SET_VERSION, { drm_di_major, drm_di_minor, drm_dd_major, drm_dd_minor }));
    const unique = () => {
      const r = m.ioctl(fd, DRM_IOCTL_GET_UNIQUE, { unique_len: 64n });
      return r.ok ? r.value.unique : r.errno;
    };
    assert.deepEqual(
      [setv(-1, 9, -1, 9), setv(-1, 0, 1, 0), setv(1, 0, -1, 0), unique()],
      ["ok", "ok", "ok", ""],
    );
    assert.deepEqual(
      [setv(1, -1, -1, 0), setv(-1, 0, 1, -1), setv(-1, 0, 1, 1), unique()],
      ["EINVAL", "EINVAL", "EINVAL", ""],
    );
    assert.deepEqual([setv(1, 1, -1, 0), unique()], ["ok", dev.parent.name]);
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
