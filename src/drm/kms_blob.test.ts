/**
 * Property blobs at the ioctl boundary: CREATEPROPBLOB's length bound and the bytes it copies
 * (only `length` of them, a mode only when they are one struct drm_mode_modeinfo), who lets
 * go of a blob (DESTROYPROPBLOB, close of the file that made it; a CRTC state that uses it
 * keeps it), and EOPNOTSUPP on a device without modesetting.
 *
 * @see drm_mode_createblob_ioctl(), drm_mode_destroyblob_ioctl(), drm_mode_getblob_ioctl(),
 *      drm_property_destroy_user_blobs() in drm_property.c;
 *      drm_atomic_set_mode_prop_for_crtc() in drm_atomic_uapi.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_TEST_ONLY,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, kmsPipes, modeBlob, modesetRequest, pipeIds } from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";
import { MODE_1024X768_60, type ModeInfo } from "./kms_objects.js";

/** The largest length drm_property_create_blob() takes (INT_MAX less its struct, in the model). */
const BLOB_MAX = 0x7fffffff - 64;
const MODE_800X600_60: ModeInfo = {
  ...MODE_1024X768_60, clock: 40000, hdisplay: 800, hsync_start: 840, hsync_end: 968, htotal: 1056,
  vdisplay: 600, vsync_start: 601, vsync_end: 605, vtotal: 628, flags: 0x1 | 0x4, name: "800x600",
};

function create(m: DrmMachine, fd: Fd, data: readonly ModeInfo[], length: number): string | number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [...data], length });
  return r.ok ? r.value.blob_id : r.errno;
}

/** What GETPROPBLOB of `id` by `fd` reads with the length of one mode: the modes, or the errno. */
function read(m: DrmMachine, fd: Fd, id: number, length = 68): readonly unknown[] | string {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: id, length });
  return r.ok ? r.value.data : r.errno;
}

describe("DRM_IOCTL_MODE_CREATEPROPBLOB", () => {
  test("a length past the bound is EINVAL before the copy; at the bound the short memory faults (EFAULT)", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.equal(create(m, fd, [MODE_1024X768_60], BLOB_MAX + 1), "EINVAL");
    assert.equal(create(m, fd, [MODE_1024X768_60], BLOB_MAX), "EFAULT");
    assert.equal(create(m, fd, [MODE_1024X768_60], 0), "EINVAL");
    assert.equal(m.finishClean(dev), 0);
  });

  test("only `length` bytes are copied; two modes' bytes are no mode for MODE_ID (EINVAL), one mode's are", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const one = create(m, fd, [MODE_1024X768_60, MODE_800X600_60], 68);
    const two = create(m, fd, [MODE_1024X768_60, MODE_800X600_60], 136);
    assert.ok(typeof one === "number" && typeof two === "number");
    assert.deepEqual(read(m, fd, one), [MODE_1024X768_60], "the memory past the length is not copied");
    assert.deepEqual(read(m, fd, two, 136), [MODE_1024X768_60, MODE_800X600_60]);
    const fb = addFb(m, fd);
    const test = (mode: number) =>
      answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, {
        flags: DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, ...modesetRequest(ids, mode, fb),
      }));
    assert.equal(test(two), "EINVAL", "MODE_ID takes a blob of one struct drm_mode_modeinfo only");
    assert.equal(test(one), "ok");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("letting go of blobs", () => {
  test("close drops the blobs of the file closed, not another file's", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const other = m.open("/dev/dri/card0");
    const closing = m.open("/dev/dri/card0");
    const kept = modeBlob(m, other);
    const dropped = modeBlob(m, closing);
    assert.equal(answer(m.run(() => m.proc.close(closing))), "ok");
    assert.deepEqual(read(m, fd, kept), [MODE_1024X768_60], "another file's blob stays");
    assert.equal(read(m, fd, dropped), "ENOENT", "the closed file's blob is gone");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a blob a CRTC uses outlives its DESTROYPROPBLOB, whatever the other CRTC uses; other files' blobs stay", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const fd = atomicClient(m);
    const other = m.open("/dev/dri/card0");
    const used = modeBlob(m, fd);
    const unused = modeBlob(m, fd);
    const others = modeBlob(m, other);
    const lit = m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, {
      flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...modesetRequest(pipeIds(dev, 0), used, addFb(m, fd)),
    });
    assert.equal(answer(lit), "ok", "pipe 0 lit, pipe 1 off");
    const destroy = (id: number) => answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, { blob_id: id }));
    assert.equal(destroy(used), "ok");
    assert.equal(destroy(unused), "ok");
    assert.deepEqual(read(m, fd, used), [MODE_1024X768_60], "CRTC 0's state keeps it");
    assert.equal(read(m, fd, unused), "ENOENT");
    assert.deepEqual(read(m, fd, others), [MODE_1024X768_60], "a file still owns it");
    assert.equal(destroy(others), "EPERM", "only its maker destroys it");
    const ids = pipeIds(dev, 0);
    const off = atomicRequest([[ids.crtc, [[ids.prop("ACTIVE"), 0n], [ids.prop("MODE_ID"), 0n]]],
      [ids.connector, [[ids.prop("CRTC_ID"), 0n]]], [ids.plane, [[ids.prop("FB_ID"), 0n], [ids.prop("CRTC_ID"), 0n]]]]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...off })), "ok");
    assert.equal(read(m, fd, used), "ENOENT", "no CRTC uses it any more");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("a device without modesetting", () => {
  test("the blob ioctls are EOPNOTSUPP", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    assert.equal(create(m, fd, [MODE_1024X768_60], 68), "EOPNOTSUPP");
    assert.equal(read(m, fd, 1), "EOPNOTSUPP");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, { blob_id: 1 })), "EOPNOTSUPP");
    assert.equal(m.finishClean(dev), 0);
  });
});
