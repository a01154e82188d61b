/**
 * Framebuffers and blobs taken away without a commit of the client's: RMFB turns off only the
 * pipe that shows the framebuffer, close removes only the closing file's framebuffers and
 * blobs, a device without modesetting answers EOPNOTSUPP, and CREATEPROPBLOB's bounds.
 *
 * @see drm_mode_rmfb(), drm_fb_release() in drm_framebuffer.c; drm_mode_createblob_ioctl(),
 *      drm_property_destroy_user_blobs() in drm_property.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_RMFB,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_TEST_ONLY,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, kmsPipes, modeBlob, modesetRequest, pipeIds, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";
import { MODE_1024X768_60 } from "./kms_objects.js";

/** Lights pipe `ids` with framebuffer `fb` of `fd` (a blocking modeset). */
function light(m: DrmMachine, fd: Fd, ids: PipeIds, fb: number): void {
  const req = modesetRequest(ids, modeBlob(m, fd), fb);
  assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...req })), "ok");
}

/** What GETCRTC shows: [mode_valid, fb_id]. */
function shown(m: DrmMachine, fd: Fd, crtc: number): [number, number] {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: crtc });
  assert.ok(r.ok, answer(r));
  return [r.value.mode_valid, r.value.fb_id];
}

function fbsOf(m: DrmMachine, fd: Fd): readonly number[] {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, { count_fbs: 8 });
  assert.ok(r.ok, answer(r));
  return r.value.fb_id_ptr;
}

describe("RMFB and close on a device with two pipes", () => {
  test("RMFB turns off the pipe that shows the framebuffer only; one not shown changes nothing; ENOENT for no such id", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const [a, b] = [pipeIds(dev, 0), pipeIds(dev, 1)];
    const fd = atomicClient(m);
    const [fa, fb, idle] = [addFb(m, fd), addFb(m, fd), addFb(m, fd)];
    light(m, fd, a, fa);
    light(m, fd, b, fb);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: 9999 })), "ENOENT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: idle })), "ok");
    assert.deepEqual([shown(m, fd, a.crtc), shown(m, fd, b.crtc)], [[1, fa], [1, fb]], "a framebuffer not shown");
    assert.deepEqual(fbsOf(m, fd), [fa, fb]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: fa })), "ok");
    assert.deepEqual([shown(m, fd, a.crtc), shown(m, fd, b.crtc)], [[0, 0], [1, fb]], "pipe b keeps its picture");
    const still = atomicRequest([[b.crtc, [[b.prop("ACTIVE"), 1n]]], [b.plane, [[b.prop("FB_ID"), BigInt(fb)]]]]);
    const check = answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_TEST_ONLY, ...still }));
    assert.equal(check, "ok", "pipe b needs no modeset: its connector stayed on it");
    assert.equal(m.finishClean(dev), 0);
  });

  test("close removes the closing file's framebuffers and blobs, not another file's", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const a = pipeIds(dev, 0);
    const one = atomicClient(m); // the master
    const two = atomicClient(m);
    const [fa, fb] = [addFb(m, one), addFb(m, two)];
    light(m, one, a, fa);
    const [blobOne, blobTwo] = [modeBlob(m, one), modeBlob(m, two)];
    m.run(() => m.proc.close(one));
    const get = (id: number) => answer(m.ioctl(two, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: id }));
    assert.deepEqual([get(blobOne), get(blobTwo)], ["ENOENT", "ok"], "one's blob went with it");
    assert.deepEqual(fbsOf(m, two), [fb], "two's framebuffer stays");
    assert.deepEqual(shown(m, two, a.crtc), [0, 0]);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("property blobs", () => {
  test("a device without modesetting: the blob ioctls and RMFB are EOPNOTSUPP", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    const got = [
      m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [MODE_1024X768_60], length: 68 }),
      m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: 1 }),
      m.ioctl(fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, { blob_id: 1 }),
      m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: 1 }),
    ].map(answer);
    assert.deepEqual(got, ["EOPNOTSUPP", "EOPNOTSUPP", "EOPNOTSUPP", "EOPNOTSUPP"]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("CREATEPROPBLOB: the largest length passes the bound (then faults), one more is EINVAL; bytes past length are not kept", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = atomicClient(m);
    const create = (length: number, data = [MODE_1024X768_60]) =>
      m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data, length });
    const max = 0x7fffffff - 64;
    assert.deepEqual([answer(create(max)), answer(create(max + 1))], ["EFAULT", "EINVAL"]);
    const short = create(68, [MODE_1024X768_60, MODE_1024X768_60]);
    assert.ok(short.ok, answer(short));
    const got = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: short.value.blob_id, length: 68 });
    assert.ok(got.ok, answer(got));
    assert.deepEqual(got.value.data, [MODE_1024X768_60], "one mode's bytes, not the caller's whole array");
    const two = create(136, [MODE_1024X768_60, MODE_1024X768_60]);
    assert.ok(two.ok, answer(two));
    const ids = pipeIds(dev, 0);
    const req = atomicRequest([[ids.crtc, [[ids.prop("MODE_ID"), BigInt(two.value.blob_id)]]]]);
    const flags = DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET;
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags, ...req })), "EINVAL", "a blob of two modes is no mode");
    assert.equal(m.finishClean(dev), 0);
  });
});
