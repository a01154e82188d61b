/**
 * The single-object queries at the ioctl boundary, past what kms_modeset.test.ts covers: a
 * driver without modesetting (EOPNOTSUPP), GETCONNECTOR's arrays filled only as far as the
 * caller's counts, the encoder a connector is routed through when the device has encoders it
 * cannot use, which encoder and plane report which CRTC, what a lessee is shown of CRTCs it does
 * not hold, an overlay plane listed without universal planes, and a connector under the
 * uapi-doc profile before unplug.
 *
 * @see drm_mode_getconnector() in drm_connector.c, drm_mode_getencoder() in drm_encoder.c,
 *      drm_mode_getcrtc() in drm_crtc.c, drm_mode_getplane_res(), drm_mode_getplane() in drm_plane.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_FORMAT_XRGB8888,
  DRM_IOCTL_MODE_ADDFB,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_CREATE_LEASE,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_MODE_CONNECTED,
  DRM_MODE_ENCODER_VIRTUAL,
  DRM_PLANE_TYPE_OVERLAY,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, kmsPipes, pipeIds, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, TEST_KMS_DRIVER, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";
import { drmDevRegister } from "./device.js";
import { drmmConnectorInit, drmmModeConfigInit, modeConfigOf } from "./kms.js";
import { DrmPlane, drmEncoderInitType, MODE_1024X768_60 } from "./kms_objects.js";
import { drmSimpleDisplayPipeInit } from "./kms_pipe.js";

function light(m: DrmMachine, fd: Fd, ids: PipeIds, fb: number): void {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
    crtc_id: ids.crtc, fb_id: fb, set_connectors_ptr: [ids.connector], count_connectors: 1, mode_valid: 1, mode: MODE_1024X768_60,
  });
  assert.ok(r.ok, `SETCRTC: ${answer(r)}`);
}

function encoderCrtc(m: DrmMachine, fd: Fd, encoderId: number): number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: encoderId });
  assert.ok(r.ok, answer(r));
  return r.value.crtc_id;
}

function planeCrtc(m: DrmMachine, fd: Fd, planeId: number): number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: planeId });
  assert.ok(r.ok, answer(r));
  return r.value.crtc_id;
}

describe("a driver without DRIVER_MODESET", () => {
  test("every query, SETCRTC, PAGE_FLIP, ADDFB and ADDFB2 on its primary node are EOPNOTSUPP", () => {
    const m = drmMachine();
    const dev = m.registered(); // TEST_DRIVER: GEM and render, no modesetting
    const fd = m.open("/dev/dri/card0");
    const answers = {
      getconnector: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: 1 })),
      getencoder: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: 1 })),
      getcrtc: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: 1 })),
      getplaneres: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES)),
      getplane: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: 1 })),
      setcrtc: answer(m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, { crtc_id: 1 })),
      pageflip: answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: 1, fb_id: 1 })),
      addfb: answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB, { width: 64, height: 64, pitch: 256, bpp: 32, depth: 24, handle: 1 })),
      addfb2: answer(m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
        width: 64, height: 64, pixel_format: DRM_FORMAT_XRGB8888, handles: [1, 0, 0, 0], pitches: [256, 0, 0, 0],
      })),
    };
    for (const [ioctl, errno] of Object.entries(answers)) assert.equal(errno, "EOPNOTSUPP", ioctl);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("DRM_IOCTL_MODE_GETCONNECTOR", () => {
  test("props and encoders are copied only as far as the caller's counts reach; the counts are always the full ones", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: ids.connector, count_props: 2, count_encoders: 0 });
    assert.ok(r.ok, answer(r));
    assert.deepEqual(r.value.props_ptr, [ids.prop("EDID"), ids.prop("DPMS")]);
    assert.deepEqual(r.value.prop_values_ptr, [0n, 3n]);
    assert.deepEqual(r.value.encoders_ptr, [], "no room for the encoder");
    assert.deepEqual([r.value.count_props, r.value.count_encoders], [5, 1]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("the encoder reported is one the connector lists and that can drive its CRTC, not an earlier one that cannot", () => {
    const m = drmMachine();
    const dev = m.alloc(TEST_KMS_DRIVER);
    assert.equal(drmmModeConfigInit(dev), 0);
    // Before the pipe's own encoder: one the connector does not list that could drive CRTC 0,
    // and one it lists that drives only a CRTC 1 the device does not have.
    const unlisted = drmEncoderInitType(dev, DRM_MODE_ENCODER_VIRTUAL, 0b01);
    const elsewhere = drmEncoderInitType(dev, DRM_MODE_ENCODER_VIRTUAL, 0b10);
    const connector = drmmConnectorInit(dev, "Virtual");
    assert.ok(typeof connector !== "string");
    connector.encoderIds.push(elsewhere.id);
    drmSimpleDisplayPipeInit(dev, connector, TEST_PIPE_FUNCS);
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    const mc = modeConfigOf(dev);
    const own = mc.encoders[2]!.id;
    const ids = { connector: connector.id, crtc: mc.crtcs[0]!.id } as PipeIds;
    const fd = m.open("/dev/dri/card0");
    light(m, fd, ids, addFb(m, fd));
    const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: connector.id });
    assert.ok(r.ok, answer(r));
    assert.equal(r.value.encoder_id, own);
    assert.deepEqual([unlisted.id, elsewhere.id, own].map((e) => encoderCrtc(m, fd, e)), [0, 0, ids.crtc]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("uapi-doc profile, device present: a connector reads connected", () => {
    const m = drmMachine({ name: "uapi-doc", version: "7.1" });
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: pipeIds(dev).connector });
    assert.ok(r.ok, answer(r));
    assert.equal(r.value.connection, DRM_MODE_CONNECTED);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("GETENCODER, GETCRTC, GETPLANE of two pipes, one lit", () => {
  test("only the lit pipe's encoder and plane report its CRTC; GETCRTC of the second pipe shows its own plane's framebuffer", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const a = pipeIds(dev, 0);
    const b = pipeIds(dev, 1);
    const fd = atomicClient(m);
    const fb = addFb(m, fd);
    light(m, fd, b, fb);
    assert.deepEqual([encoderCrtc(m, fd, a.encoder), encoderCrtc(m, fd, b.encoder)], [0, b.crtc]);
    assert.deepEqual([planeCrtc(m, fd, a.plane), planeCrtc(m, fd, b.plane)], [0, b.crtc]);
    const crtc = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: b.crtc });
    assert.ok(crtc.ok);
    assert.deepEqual([crtc.value.mode_valid, crtc.value.fb_id], [1, fb]);
    light(m, fd, a, addFb(m, fd));
    assert.deepEqual([encoderCrtc(m, fd, a.encoder), encoderCrtc(m, fd, b.encoder)], [a.crtc, b.crtc]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a lessee is not told the CRTC of an encoder or a plane when it does not hold that CRTC", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const a = pipeIds(dev, 0);
    const b = pipeIds(dev, 1);
    const owner = atomicClient(m);
    light(m, owner, b, addFb(m, owner));
    const lease = m.ioctl(owner, DRM_IOCTL_MODE_CREATE_LEASE, { object_ids: [a.connector, a.crtc, b.plane], object_count: 3 });
    assert.ok(lease.ok, answer(lease));
    const lessee = lease.value.fd as Fd;
    assert.equal(encoderCrtc(m, lessee, b.encoder), 0);
    assert.equal(planeCrtc(m, lessee, b.plane), 0, "its plane is on CRTC B, which it does not hold");
    assert.equal(planeCrtc(m, owner, b.plane), b.crtc);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("DRM_IOCTL_MODE_GETPLANERESOURCES", () => {
  test("an overlay plane is listed to a client without universal planes; the primary is not", () => {
    const m = drmMachine();
    const dev = m.alloc(TEST_KMS_DRIVER);
    assert.equal(drmmModeConfigInit(dev), 0);
    const connector = drmmConnectorInit(dev, "Virtual");
    assert.ok(typeof connector !== "string");
    drmSimpleDisplayPipeInit(dev, connector, TEST_PIPE_FUNCS);
    const mc = modeConfigOf(dev);
    const overlay = new DrmPlane(mc.allocObjectId(), DRM_PLANE_TYPE_OVERLAY, 0b1);
    mc.planes.push(overlay);
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    const fd = m.open("/dev/dri/card0");
    const r = m.ioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES, { count_planes: 4 });
    assert.deepEqual(r, { ok: true, value: { plane_id_ptr: [overlay.id], count_planes: 1 } });
    assert.equal(m.finishClean(dev), 0);
  });
});
