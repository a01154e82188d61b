/**
 * GETPROPBLOB and legacy ADDFB at the ioctl boundary: a blob read back only when the caller's
 * length is the blob's (its length always), the kernel's own MODE_ID blob of a SETCRTC found
 * through the CRTC's properties, ENOENT for no blob; ADDFB's bpp/depth pairs as
 * drm_mode_legacy_fb_format() maps them, the framebuffer it makes scanned out like ADDFB2's,
 * and its errors. Both are ENODEV after unplug in mainline.
 *
 * @see drm_mode_getblob_ioctl() in drm_property.c, drm_mode_addfb() in drm_framebuffer.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_FORMAT_ARGB8888,
  DRM_FORMAT_C8,
  DRM_FORMAT_RGB565,
  DRM_FORMAT_XRGB8888,
  DRM_FORMAT_INVALID,
  DRM_IOCTL_MODE_ADDFB,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_MODE_OBJECT,
  type Fd,
} from "../uapi/mod.js";
import { atomicClient, modeBlob, pipeIds } from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";
import { drmDevUnplug } from "./device.js";
import { drmModeLegacyFbFormat } from "./kms_fb.js";
import { MODE_1024X768_60 } from "./kms_objects.js";

function dumb(m: DrmMachine, fd: Fd, bpp = 32): { handle: number; pitch: number } {
  const bo = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 1024, height: 768, bpp });
  assert.ok(bo.ok, answer(bo));
  return bo.value;
}

describe("DRM_IOCTL_MODE_GETPROPBLOB", () => {
  test("a user blob: length only when the caller's length differs, the mode when it is the blob's; ENOENT for no blob", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const id = modeBlob(m, fd);
    const ask = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: id });
    assert.ok(ask.ok, answer(ask));
    assert.deepEqual(ask.value, { length: 68, data: [] }, "asking with length 0 gives the length, copies nothing");
    const wrong = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: id, length: 67 });
    assert.ok(wrong.ok && wrong.value.data.length === 0, "a length that is not the blob's copies nothing either");
    const got = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: id, length: 68 });
    assert.ok(got.ok, answer(got));
    assert.deepEqual(got.value.data, [MODE_1024X768_60]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: 9999, length: 68 })), "ENOENT");
    const other = m.open("/dev/dri/card0");
    assert.equal(m.ioctl(other, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: id, length: 68 }).ok, true, "any file reads it");
    assert.equal(m.finishClean(dev), 0);
  });

  test("SETCRTC's mode is a kernel blob: the CRTC's MODE_ID names it and GETPROPBLOB reads the mode; after unplug ENODEV", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m); // MODE_ID is an atomic property: only such a client sees it
    const bo = dumb(m, fd);
    const fb = m.ioctl(fd, DRM_IOCTL_MODE_ADDFB, { width: 1024, height: 768, pitch: bo.pitch, bpp: 32, depth: 24, handle: bo.handle });
    assert.ok(fb.ok, answer(fb));
    const set = m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
      crtc_id: ids.crtc, fb_id: fb.value.fb_id, set_connectors_ptr: [ids.connector], count_connectors: 1, mode_valid: 1, mode: MODE_1024X768_60,
    });
    assert.equal(answer(set), "ok", "an ADDFB framebuffer lights the CRTC");
    const props = m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: ids.crtc, obj_type: DRM_MODE_OBJECT.CRTC, count_props: 8 });
    assert.ok(props.ok, answer(props));
    const modeId = Number(props.value.prop_values_ptr[props.value.props_ptr.indexOf(ids.prop("MODE_ID"))]);
    assert.ok(modeId > 0, "MODE_ID holds a blob");
    const got = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: modeId, length: 68 });
    assert.ok(got.ok, answer(got));
    assert.equal((got.value.data[0] as { name?: string }).name, MODE_1024X768_60.name);
    m.run(() => drmDevUnplug(dev));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: modeId, length: 68 })), "ENODEV");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB, { width: 1024, height: 768, pitch: bo.pitch, bpp: 32, depth: 24, handle: bo.handle })), "ENODEV");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("DRM_IOCTL_MODE_ADDFB", () => {
  test("bpp and depth map to fourccs as drm_mode_legacy_fb_format() does", () => {
    assert.equal(drmModeLegacyFbFormat(32, 24), DRM_FORMAT_XRGB8888);
    assert.equal(drmModeLegacyFbFormat(32, 32), DRM_FORMAT_ARGB8888);
    assert.equal(drmModeLegacyFbFormat(16, 16), DRM_FORMAT_RGB565);
    assert.equal(drmModeLegacyFbFormat(8, 8), DRM_FORMAT_C8);
    assert.equal(drmModeLegacyFbFormat(32, 16), DRM_FORMAT_INVALID);
    assert.equal(drmModeLegacyFbFormat(12, 12), DRM_FORMAT_INVALID);
  });

  test("errors: an unknown pair, a format no plane scans out, no handle, a short pitch, a buffer too small", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const bo = dumb(m, fd);
    const add = (over: object) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB, {
      width: 1024, height: 768, pitch: bo.pitch, bpp: 32, depth: 24, handle: bo.handle, ...over,
    }));
    assert.equal(add({ depth: 16 }), "EINVAL", "32/16 names no format");
    assert.equal(add({ bpp: 16, depth: 16 }), "EINVAL", "RGB565: the plane scans out XRGB8888 only");
    assert.equal(add({ handle: 0 }), "EINVAL");
    assert.equal(add({ handle: 77 }), "ENOENT");
    assert.equal(add({ pitch: 1024 }), "EINVAL", "a pitch shorter than a line");
    assert.equal(add({ height: 769 }), "EINVAL", "larger than the buffer");
    const ok = m.ioctl(fd, DRM_IOCTL_MODE_ADDFB, { width: 1024, height: 768, pitch: bo.pitch, bpp: 32, depth: 24, handle: bo.handle });
    assert.ok(ok.ok && ok.value.fb_id > 0, answer(ok));
    assert.equal(m.finishClean(dev), 0);
  });
});
