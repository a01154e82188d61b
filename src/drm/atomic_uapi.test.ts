/**
 * The modesetting ioctls the model has, at the errno boundary: ATOMIC's checks before any
 * object is looked at, and GETRESOURCES' counts and id arrays.
 *
 * @see drm_mode_atomic_ioctl() in drivers/gpu/drm/drm_atomic_uapi.c; drm_mode_getresources()
 *      in drm_mode_config.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_CLIENT_CAP,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_FLAGS,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_ATOMIC_TEST_ONLY,
  DRM_MODE_PAGE_FLIP_ASYNC,
  DRM_MODE_PAGE_FLIP_EVENT,
  type Fd,
} from "../uapi/mod.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";

function atomicClient(m: DrmMachine): Fd {
  const fd = m.open("/dev/dri/card0");
  assert.equal(
    answer(
      m.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, {
        capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC,
        value: 1n,
      }),
    ),
    "ok",
  );
  return fd;
}

describe("drm_mode_atomic_ioctl()", () => {
  test("a client that did not set DRM_CLIENT_CAP_ATOMIC gets EINVAL; a driver without atomic EOPNOTSUPP", () => {
    const m = drmMachine();
    const dev = m.kms();
    assert.equal(
      answer(
        m.ioctl(m.open("/dev/dri/card0"), DRM_IOCTL_MODE_ATOMIC, {
          flags: DRM_MODE_ATOMIC_TEST_ONLY,
        }),
      ),
      "EINVAL",
    );
    assert.equal(m.finishClean(dev), 0);
    const plain = drmMachine();
    const pdev = plain.registered();
    assert.equal(
      answer(plain.ioctl(plain.open("/dev/dri/card0"), DRM_IOCTL_MODE_ATOMIC)),
      "EOPNOTSUPP",
    );
    assert.equal(plain.finishClean(pdev), 0);
  });

  test("the flag mask: each known flag alone passes (but ASYNC, which no device supports); the next bit is EINVAL", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = atomicClient(m);
    const commit = (flags: number): string => answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags }));
    assert.deepEqual(
      [
        0,
        DRM_MODE_PAGE_FLIP_EVENT,
        DRM_MODE_ATOMIC_TEST_ONLY,
        DRM_MODE_ATOMIC_NONBLOCK,
        DRM_MODE_ATOMIC_ALLOW_MODESET,
      ].map(commit),
      ["ok", "ok", "ok", "ok", "ok"],
    );
    assert.equal(commit(DRM_MODE_PAGE_FLIP_ASYNC), "EINVAL");
    assert.equal(
      commit(DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_PAGE_FLIP_EVENT),
      "EINVAL",
      "a test-only commit cannot ask for an event",
    );
    for (const bit of [0x4, 0x8, 0x80, 0x800, 0x80000000])
      assert.equal(commit(bit), "EINVAL", `flag 0x${bit.toString(16)}`);
    assert.equal(DRM_MODE_ATOMIC_FLAGS, 0x703);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a nonzero reserved field is EINVAL; objects are read through objs_ptr, which the model does not follow (EFAULT)", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = atomicClient(m);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { reserved: 1n })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { count_objs: 1 })), "EFAULT");
    assert.equal(
      answer(
        m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, {
          flags: DRM_MODE_ATOMIC_TEST_ONLY,
          user_data: 2n ** 64n - 1n,
        }),
      ),
      "ok",
    );
    assert.equal(
      answer(m.ioctl(m.open("/dev/dri/card0"), DRM_IOCTL_MODE_ATOMIC)),
      "EACCES",
      "ATOMIC is for the master",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_mode_getresources()", () => {
  test("counts always; ids as far as the caller's array counts hold them", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/renderD128");
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES)),
      "EACCES",
      "not for render nodes",
    );
    const card = m.open("/dev/dri/card0");
    const mc = dev.modeConfig!;
    const counts = {
      count_fbs: 0,
      count_crtcs: 1,
      count_connectors: 1,
      count_encoders: 1,
      min_width: 0,
      max_width: 8192,
      min_height: 0,
      max_height: 8192,
    };
    assert.deepEqual(m.ioctl(card, DRM_IOCTL_MODE_GETRESOURCES), {
      ok: true,
      value: {
        fb_id_ptr: [],
        crtc_id_ptr: [],
        connector_id_ptr: [],
        encoder_id_ptr: [],
        ...counts,
      },
    });
    assert.deepEqual(
      m.ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, {
        count_crtcs: 4,
        count_connectors: 4,
        count_encoders: 4,
      }),
      {
        ok: true,
        value: {
          fb_id_ptr: [],
          crtc_id_ptr: mc.crtcs.map((c) => c.id),
          connector_id_ptr: [mc.connectors[0]!.id],
          encoder_id_ptr: mc.encoders.map((e) => e.id),
          ...counts,
        },
      },
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("a device without modesetting has no resources (EOPNOTSUPP)", () => {
    const m = drmMachine();
    const dev = m.registered();
    assert.equal(
      answer(m.ioctl(m.open("/dev/dri/card0"), DRM_IOCTL_MODE_GETRESOURCES)),
      "EOPNOTSUPP",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});
