/**
 * KMS at the ioctl boundary: the queries of the pipe's objects and properties with the
 * count/pointer protocol, framebuffers from GEM handles, property blobs, SETCRTC, PAGE_FLIP
 * and ATOMIC commits (test-only, blocking, non-blocking) with the events read back from the
 * file in the kernel's byte format, and what close cleans up.
 *
 * @see drivers/gpu/drm/drm_mode_config.c, drm_connector.c, drm_crtc.c, drm_plane.c,
 *      drm_property.c, drm_framebuffer.c, drm_atomic_uapi.c, drm_atomic_helper.c, drm_vblank.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_CLIENT_CAP,
  DRM_EVENT_FLIP_COMPLETE,
  DRM_FORMAT_XRGB8888,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_ATOMIC_TEST_ONLY,
  DRM_MODE_CONNECTED,
  DRM_MODE_ENCODER_VIRTUAL,
  DRM_MODE_OBJECT,
  DRM_MODE_PAGE_FLIP_EVENT,
  DRM_MODE_PROP_ATOMIC,
  DRM_MODE_PROP_ENUM,
  DRM_MODE_PROP_IMMUTABLE,
  DRM_MODE_PROP_RANGE,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, modeBlob, modesetRequest, pipeIds, readEvent } from "./_test_kms.js";
import { answer, drmMachine, liveCount } from "./_testing.js";
import { MODE_1024X768_60 } from "./kms_objects.js";

const FRAME = 16_667; // one refresh of 1024x768@60, in ticks (µs)

describe("the pipe's objects, by the count/pointer protocol", () => {
  test("GETCONNECTOR: counts first, then the arrays when they hold everything; ENOENT, EINVAL for pad", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const first = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: ids.connector });
    assert.ok(first.ok);
    assert.deepEqual(
      [first.value.count_modes, first.value.count_encoders, first.value.count_props, first.value.modes_ptr],
      [1, 1, 5, []],
      "a client without the atomic cap does not see CRTC_ID",
    );
    assert.equal(first.value.connection, DRM_MODE_CONNECTED);
    assert.equal(first.value.connector_type, 15); // DRM_MODE_CONNECTOR_VIRTUAL
    assert.equal(first.value.encoder_id, 0, "not routed yet");
    const full = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, {
      connector_id: ids.connector, count_modes: 1, count_encoders: 1, count_props: 5,
    });
    assert.ok(full.ok);
    assert.deepEqual(full.value.encoders_ptr, [ids.encoder]);
    assert.equal((full.value.modes_ptr[0] as typeof MODE_1024X768_60).hdisplay, 1024);
    assert.deepEqual(full.value.props_ptr, ["EDID", "DPMS", "link-status", "non-desktop", "TILE"].map(ids.prop));
    assert.deepEqual(full.value.prop_values_ptr, [0n, 3n, 0n, 0n, 0n], "DPMS Off while no CRTC drives it");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: 9999 })), "ENOENT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: ids.connector, pad: 1 })), "EINVAL");
    assert.equal(m.finishClean(dev), 0);
  });

  test("GETENCODER, GETCRTC of a CRTC off, GETPLANERESOURCES with and without universal planes, GETPLANE's formats", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: ids.encoder }), {
      ok: true,
      value: { encoder_type: DRM_MODE_ENCODER_VIRTUAL, crtc_id: 0, possible_crtcs: 1, possible_clones: 1 },
    });
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: ids.crtc })), "ENOENT");
    const crtc = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(crtc.ok);
    assert.deepEqual([crtc.value.mode_valid, crtc.value.fb_id, crtc.value.mode.hdisplay], [0, 0, 0]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.plane })), "ENOENT");
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES, { count_planes: 4 }), {
      ok: true,
      value: { plane_id_ptr: [], count_planes: 0 },
    }, "a primary plane is hidden without DRM_CLIENT_CAP_UNIVERSAL_PLANES");
    m.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_UNIVERSAL_PLANES, value: 1n });
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES), { ok: true, value: { plane_id_ptr: [], count_planes: 1 } });
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES, { count_planes: 1 }), {
      ok: true,
      value: { plane_id_ptr: [ids.plane], count_planes: 1 },
    });
    const plane = (count: number) => m.ioctl(fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: ids.plane, count_format_types: count });
    assert.deepEqual(plane(0), {
      ok: true,
      value: { crtc_id: 0, fb_id: 0, possible_crtcs: 1, gamma_size: 0, count_format_types: 1, format_type_ptr: [] },
    });
    const withFormats = plane(1);
    assert.ok(withFormats.ok);
    assert.deepEqual(withFormats.value.format_type_ptr, [DRM_FORMAT_XRGB8888]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: ids.crtc })), "ENOENT");
    assert.equal(m.finishClean(dev), 0);
  });

  test("properties: OBJ_GETPROPERTIES shows atomic ones to atomic clients only; GETPROPERTY's values and enums", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const legacy = m.open("/dev/dri/card0");
    const fd = atomicClient(m);
    const props = (f: Fd, count: number) =>
      m.ioctl(f, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: ids.crtc, obj_type: DRM_MODE_OBJECT.CRTC, count_props: count });
    assert.deepEqual(props(legacy, 8), { ok: true, value: { props_ptr: [ids.prop("VRR_ENABLED")], prop_values_ptr: [0n], count_props: 1 } });
    assert.deepEqual(props(fd, 2), {
      ok: true,
      value: { props_ptr: [ids.prop("ACTIVE"), ids.prop("MODE_ID")], prop_values_ptr: [0n, 0n], count_props: 4 },
    }, "filled as far as the count reaches");
    const objProps = (obj_id: number, obj_type: number) =>
      answer(m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id, obj_type }));
    assert.equal(objProps(ids.crtc, DRM_MODE_OBJECT.PLANE), "ENOENT", "another type");
    assert.equal(objProps(ids.encoder, DRM_MODE_OBJECT.ANY), "EINVAL", "an object without properties");
    assert.equal(objProps(9999, DRM_MODE_OBJECT.ANY), "ENOENT");
    const active = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.prop("ACTIVE"), count_values: 2 });
    assert.deepEqual(active, {
      ok: true,
      value: { values_ptr: [0n, 1n], enum_blob_ptr: [], flags: (DRM_MODE_PROP_RANGE | DRM_MODE_PROP_ATOMIC) >>> 0, name: "ACTIVE", count_values: 2, count_enum_blobs: 0 },
    });
    const type = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.prop("type") });
    assert.ok(type.ok);
    assert.deepEqual([type.value.flags, type.value.count_values, type.value.count_enum_blobs, type.value.enum_blob_ptr], [DRM_MODE_PROP_ENUM | DRM_MODE_PROP_IMMUTABLE, 3, 3, []]);
    const enums = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.prop("type"), count_values: 3, count_enum_blobs: 3 });
    assert.ok(enums.ok);
    assert.deepEqual(enums.value.enum_blob_ptr, [{ value: 0n, name: "Overlay" }, { value: 1n, name: "Primary" }, { value: 2n, name: "Cursor" }]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.crtc })), "ENOENT");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("framebuffers and blobs", () => {
  test("ADDFB2 refuses what no plane can show; GETRESOURCES lists the caller's own; RMFB only the owner's; close frees the rest", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const other = m.open("/dev/dri/card0");
    const bo = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
    assert.ok(bo.ok);
    const h = bo.value.handle;
    const add = (over: object) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
      width: 64, height: 64, pixel_format: DRM_FORMAT_XRGB8888, handles: [h, 0, 0, 0], pitches: [256, 0, 0, 0], ...over,
    }));
    assert.equal(add({ pixel_format: 0x36314752 }), "EINVAL", "RG16: no plane takes it");
    assert.equal(add({ handles: [0, 0, 0, 0] }), "EINVAL");
    assert.equal(add({ handles: [77, 0, 0, 0] }), "ENOENT");
    assert.equal(add({ pitches: [255, 0, 0, 0] }), "EINVAL", "a pitch below width * 4");
    assert.equal(add({ height: 65 }), "EINVAL", "more than the object holds");
    assert.equal(add({ modifier: [1n, 0n, 0n, 0n] }), "EINVAL");
    assert.equal(add({ handles: [h, h, 0, 0] }), "EINVAL", "a second plane for a one-plane format");
    assert.equal(add({ width: 0 }), "EINVAL");
    const fb = m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
      width: 64, height: 64, pixel_format: DRM_FORMAT_XRGB8888, handles: [h, 0, 0, 0], pitches: [256, 0, 0, 0],
    });
    assert.ok(fb.ok);
    const fbs = (f: Fd) => {
      const r = m.ioctl(f, DRM_IOCTL_MODE_GETRESOURCES, { count_fbs: 8 });
      assert.ok(r.ok);
      return r.value.fb_id_ptr;
    };
    assert.deepEqual(fbs(fd), [fb.value.fb_id]);
    assert.deepEqual(fbs(other), []);
    assert.equal(answer(m.ioctl(other, DRM_IOCTL_MODE_RMFB, { fb_id: fb.value.fb_id })), "ENOENT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: fb.value.fb_id })), "ok");
    assert.deepEqual(fbs(fd), []);
    addFb(m, fd, 64, 64);
    assert.equal(m.finishClean(dev), 0, "close removed the framebuffer and freed its buffer");
  });

  test("CREATEPROPBLOB: EINVAL for nothing, EFAULT past the caller's memory; DESTROYPROPBLOB only by its owner", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const other = m.open("/dev/dri/card0");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [MODE_1024X768_60], length: 0 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [MODE_1024X768_60], length: 69 })), "EFAULT");
    const id = modeBlob(m, fd);
    assert.equal(answer(m.ioctl(other, DRM_IOCTL_MODE_DESTROYPROPBLOB, { blob_id: id })), "EPERM");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, { blob_id: id })), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, { blob_id: id })), "ENOENT");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("commits and their events", () => {
  test("ATOMIC: a modeset needs ALLOW_MODESET; TEST_ONLY changes nothing; a blocking commit returns with the mode on", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const req = modesetRequest(ids, modeBlob(m, fd), addFb(m, fd));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0, ...req })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, ...req })), "ok");
    const off = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(off.ok);
    assert.equal(off.value.mode_valid, 0, "TEST_ONLY committed nothing");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...req })), "ok");
    const on = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(on.ok);
    assert.deepEqual([on.value.mode_valid, on.value.mode.hdisplay, on.value.mode.vdisplay], [1, 1024, 768]);
    const enc = m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: ids.encoder });
    assert.ok(enc.ok);
    assert.equal(enc.value.crtc_id, ids.crtc);
    assert.equal(m.finishClean(dev), 0);
  });

  test("ATOMIC's request: ENOENT for an unknown object or property, EFAULT for arrays shorter than their counts, EINVAL for bad values", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const commit = (req: object) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, ...req }));
    assert.equal(commit(atomicRequest([[9999, []]])), "ENOENT");
    assert.equal(commit(atomicRequest([[ids.crtc, [[ids.prop("FB_ID"), 0n]]]])), "ENOENT", "FB_ID is a plane's");
    assert.equal(commit({ count_objs: 1 }), "EFAULT");
    assert.equal(commit({ ...atomicRequest([[ids.crtc, [[ids.prop("ACTIVE"), 1n]]]]), prop_values_ptr: [] }), "EFAULT");
    assert.equal(commit(atomicRequest([[ids.crtc, [[ids.prop("ACTIVE"), 2n]]]])), "EINVAL");
    assert.equal(commit(atomicRequest([[ids.crtc, [[ids.prop("MODE_ID"), 9999n]]]])), "EINVAL");
    assert.equal(commit(atomicRequest([[ids.plane, [[ids.prop("FB_ID"), 9999n]]]])), "EINVAL");
    assert.equal(commit(atomicRequest([[ids.plane, [[ids.prop("type"), 0n]]]])), "EINVAL", "immutable");
    assert.equal(commit(atomicRequest([[ids.crtc, [[ids.prop("ACTIVE"), 1n]]]])), "EINVAL", "active without a mode");
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_PAGE_FLIP_EVENT, ...atomicRequest([[ids.crtc, [[ids.prop("ACTIVE"), 0n]]]]) })),
      "EINVAL",
      "an event from a CRTC that stays off",
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("a non-blocking commit returns at once; its flip-complete event comes at the next vblank, read as struct drm_event_vblank", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const req = modesetRequest(ids, modeBlob(m, fd), addFb(m, fd));
    const flags = DRM_MODE_ATOMIC_ALLOW_MODESET | DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
    const before = m.sim.now;
    // Both commits from one task: the second comes while the first is in flight.
    const [first, second, returnedAt] = m.run(function* () {
      const a = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags, user_data: 0xfeedn, ...req });
      const at = m.sim.now;
      const b = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags, ...req });
      return [answer(a), answer(b), at] as const;
    });
    assert.deepEqual([first, second], ["ok", "EBUSY"], "the second while the first is in flight");
    assert.ok(returnedAt - before < FRAME, "returned before any vblank");
    const e = readEvent(m, fd);
    assert.ok(typeof e !== "string", String(e));
    assert.deepEqual([e.type, e.length, e.user_data, e.sequence, e.crtc_id], [DRM_EVENT_FLIP_COMPLETE, 32, 0xfeedn, 1, ids.crtc]);
    const stamp = e.tv_sec * 1_000_000 + e.tv_usec;
    assert.ok(stamp >= before + FRAME && stamp < before + 2 * FRAME + 2_000, `stamped at the first vblank after the mode set (${stamp})`);
    assert.equal(m.finishClean(dev), 0);
  });

  test("SETCRTC then PAGE_FLIP with an event: the event has the next sequence; a second flip before it is EBUSY; errors", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd);
    const fb2 = addFb(m, fd);
    const set = (over: object) => answer(m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
      crtc_id: ids.crtc, fb_id: fb, set_connectors_ptr: [ids.connector], count_connectors: 1, mode_valid: 1, mode: MODE_1024X768_60, ...over,
    }));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb2 })), "EBUSY", "nothing shown yet");
    assert.equal(set({ x: 0x10000 }), "ERANGE");
    assert.equal(set({ crtc_id: 9999 }), "ENOENT");
    assert.equal(set({ count_connectors: 0 }), "EINVAL");
    assert.equal(set({ count_connectors: 2 }), "EFAULT");
    assert.equal(set({ fb_id: addFb(m, fd, 640, 480) }), "ENOSPC", "the framebuffer does not cover the mode");
    assert.equal(set({}), "ok");
    const flip = (fbId: number) => answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fbId, flags: DRM_MODE_PAGE_FLIP_EVENT, user_data: 7n }));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb2, flags: 0x2 })), "EINVAL", "no async flips");
    assert.equal(flip(9999), "ENOENT");
    const both = m.run(function* () {
      const a = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb2, flags: DRM_MODE_PAGE_FLIP_EVENT, user_data: 7n });
      const b = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb, flags: DRM_MODE_PAGE_FLIP_EVENT, user_data: 7n });
      return [answer(a), answer(b)];
    });
    assert.deepEqual(both, ["ok", "EBUSY"], "a second flip before the first is done");
    const e = readEvent(m, fd);
    assert.ok(typeof e !== "string", String(e));
    assert.deepEqual([e.type, e.user_data, e.crtc_id], [DRM_EVENT_FLIP_COMPLETE, 7n, ids.crtc]);
    const crtc = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(crtc.ok);
    assert.equal(crtc.value.fb_id, fb2);
    assert.equal(flip(fb), "ok", "the flip is done: another may go");
    const e2 = readEvent(m, fd);
    assert.ok(typeof e2 !== "string");
    assert.equal(e2.sequence, e.sequence + 1);
    const second = m.open("/dev/dri/card0");
    assert.equal(answer(m.ioctl(second, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb })), "EACCES", "not the master");
    assert.equal(m.finishClean(dev), 0);
  });

  test("RMFB of the framebuffer on screen turns its CRTC off; a closed file's framebuffers go and its buffers are freed", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const fb = addFb(m, fd);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...modesetRequest(ids, modeBlob(m, fd), fb) })), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: fb })), "ok");
    const crtc = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(crtc.ok);
    assert.deepEqual([crtc.value.mode_valid, crtc.value.fb_id], [0, 0]);
    assert.equal(liveCount(m, "drm_gem_object"), 1, "the dumb buffer's handle remains");
    const fb2 = addFb(m, fd);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...modesetRequest(ids, modeBlob(m, fd), fb2) })), "ok");
    m.run(() => m.proc.close(fd));
    assert.equal(liveCount(m, "drm_gem_object"), 0, "close took the framebuffers off the screen and freed the buffers");
    assert.equal(m.finishClean(dev), 0);
  });
});
