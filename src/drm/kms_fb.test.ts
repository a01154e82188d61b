/**
 * ADDFB2's checks at the ioctl boundary, past what kms_modeset.test.ts covers: the flags it
 * knows, the size limits at their edges, the entries of planes a one-plane format does not
 * have, the first plane's offset counted in the size the object must hold; and the legacy
 * bpp/depth pairs drm_mode_legacy_fb_format() maps that no test display scans out.
 *
 * @see framebuffer_check(), drm_mode_addfb2() in drm_framebuffer.c, drm_gem_fb_create() in
 *      drm_gem_framebuffer_helper.c, drm_mode_legacy_fb_format() in drm_fourcc.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_FORMAT_C1,
  DRM_FORMAT_C2,
  DRM_FORMAT_C4,
  DRM_FORMAT_RGB888,
  DRM_FORMAT_XRGB1555,
  DRM_FORMAT_XRGB2101010,
  DRM_FORMAT_XRGB8888,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_RMFB,
  DRM_MODE_FB_MODIFIERS,
} from "../uapi/mod.js";
import { addFb } from "./_test_kms.js";
import { answer, drmMachine } from "./_testing.js";
import { drmModeLegacyFbFormat } from "./kms_fb.js";

describe("DRM_IOCTL_MODE_ADDFB2", () => {
  test("flags: MODIFIERS with a linear modifier is fine, an unknown flag is EINVAL", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const bo = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
    assert.ok(bo.ok);
    const add = (flags: number) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
      width: 64, height: 64, pixel_format: DRM_FORMAT_XRGB8888, handles: [bo.value.handle, 0, 0, 0], pitches: [256, 0, 0, 0], flags,
    }));
    assert.equal(add(0x4), "EINVAL");
    assert.equal(add(DRM_MODE_FB_MODIFIERS), "ok");
    assert.equal(m.finishClean(dev), 0);
  });

  test("sizes: 1 and 8192 (the mode config's maximum) are fine, 0 and 8193 are EINVAL, in either direction", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const bo = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 256, height: 256, bpp: 32 }); // 256 KiB
    assert.ok(bo.ok);
    const h = bo.value.handle;
    const add = (width: number, height: number) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
      width, height, pixel_format: DRM_FORMAT_XRGB8888, handles: [h, 0, 0, 0], pitches: [Math.max(width, 1) * 4, 0, 0, 0],
    }));
    const answers = {
      w1: add(1, 64), h1: add(64, 1), w8192: add(8192, 1), h8192: add(1, 8192),
      w0: add(0, 64), h0: add(64, 0), w8193: add(8193, 1), h8193: add(1, 8193),
    };
    assert.deepEqual(answers, {
      w1: "ok", h1: "ok", w8192: "ok", h8192: "ok", w0: "EINVAL", h0: "EINVAL", w8193: "EINVAL", h8193: "EINVAL",
    });
    assert.equal(m.finishClean(dev), 0);
  });

  test("a one-plane format: a pitch or offset for a second plane is EINVAL; the first plane's offset must fit in the object", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const bo = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
    assert.ok(bo.ok);
    assert.equal(bo.value.size, 64n * 64n * 4n, "the object holds the image exactly");
    const add = (over: object) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
      width: 64, height: 64, pixel_format: DRM_FORMAT_XRGB8888, handles: [bo.value.handle, 0, 0, 0], pitches: [256, 0, 0, 0], ...over,
    }));
    assert.equal(add({ pitches: [256, 256, 0, 0] }), "EINVAL");
    assert.equal(add({ offsets: [0, 0, 0, 256] }), "EINVAL");
    assert.equal(add({ offsets: [16, 0, 0, 0] }), "EINVAL", "16 bytes in, the last line ends past the object");
    assert.equal(add({ height: 63, offsets: [256, 0, 0, 0] }), "ok", "one line in, 63 lines fit");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_framebuffer_put()", () => {
  test("RMFB of a framebuffer no plane shows drops its last reference: drm_framebuffer_put() in the trace, the id gone", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd, 64, 64);
    const from = m.sim.trace.events.length;
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: fb })), "ok");
    const steps = m.sim.trace.events.slice(from).flatMap((e) => (e.t === "step" ? [e.fn] : []));
    assert.ok(steps.includes("drm_framebuffer_put"), steps.join(", "));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: fb })), "ENOENT");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_mode_legacy_fb_format()", () => {
  test("the palette, 15-bit, 24-bit and 30-bit pairs", () => {
    const pairs = [[1, 1], [2, 2], [4, 4], [16, 15], [24, 24], [32, 30]] as const;
    assert.deepEqual(
      pairs.map(([bpp, depth]) => drmModeLegacyFbFormat(bpp, depth)),
      [DRM_FORMAT_C1, DRM_FORMAT_C2, DRM_FORMAT_C4, DRM_FORMAT_XRGB1555, DRM_FORMAT_RGB888, DRM_FORMAT_XRGB2101010],
    );
  });
});
