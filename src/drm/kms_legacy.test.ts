/**
 * SETCRTC and PAGE_FLIP at the ioctl boundary, past what kms_modeset.test.ts covers: the mode's
 * timings checked as drm_mode_validate_basic() does, fb_id -1 (keep the shown framebuffer), a
 * CRTC turned off while another stays on, the viewport checked before the connectors, the
 * connector array read only as far as its count, a pipe other than the first, SETCRTC blocking
 * until the mode is on screen, a flip without an event, and the uapi-doc profile's unplug.
 *
 * @see drm_mode_setcrtc() in drm_crtc.c, drm_mode_validate_basic() in drm_modes.c,
 *      drm_mode_page_flip_ioctl() in drm_plane.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_LEASE,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, kmsPipes, modeBlob, pipeIds, readEvent, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";
import { drmDevUnplug } from "./device.js";
import { MODE_1024X768_60, type ModeInfo } from "./kms_objects.js";

/** SETCRTC of pipe `ids` by `fd`: the mode on its connector showing `fb`, with `over` changed. */
function setcrtc(m: DrmMachine, fd: Fd, ids: PipeIds, fb: number, over: object = {}): string {
  return answer(m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
    crtc_id: ids.crtc, fb_id: fb, set_connectors_ptr: [ids.connector], count_connectors: 1,
    mode_valid: 1, mode: MODE_1024X768_60, ...over,
  }));
}

/** GETCRTC's answer: [mode_valid, fb_id, x, y]. */
function crtcShows(m: DrmMachine, fd: Fd, crtcId: number): number[] {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: crtcId });
  assert.ok(r.ok, answer(r));
  return [r.value.mode_valid, r.value.fb_id, r.value.x, r.value.y];
}

function encoderOf(m: DrmMachine, fd: Fd, connectorId: number): number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: connectorId });
  assert.ok(r.ok, answer(r));
  return r.value.encoder_id;
}

describe("DRM_IOCTL_MODE_SETCRTC", () => {
  test("a mode's timings: EINVAL for a zero clock or size and for a sync outside its total; equal edges are valid", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd);
    const withMode = (over: Partial<ModeInfo>) => setcrtc(m, fd, ids, fb, { mode: { ...MODE_1024X768_60, ...over } });
    const bad = {
      clock: withMode({ clock: 0 }),
      hdisplay: withMode({ hdisplay: 0 }),
      hsyncStart: withMode({ hsync_start: 1023 }),
      hsyncEnd: withMode({ hsync_end: 1047 }),
      htotal: withMode({ htotal: 1183 }),
      vdisplay: withMode({ vdisplay: 0 }),
      vsyncStart: withMode({ vsync_start: 767 }),
      vsyncEnd: withMode({ vsync_end: 770 }),
      vtotal: withMode({ vtotal: 776 }),
    };
    assert.deepEqual(Object.values(bad), Array(9).fill("EINVAL"), JSON.stringify(bad));
    assert.deepEqual(crtcShows(m, fd, ids.crtc), [0, 0, 0, 0], "none of them changed anything");
    // Each sync starts and ends where the previous part ends: no porches, still a mode.
    const edges = { hsync_start: 1024, hsync_end: 1024, htotal: 1024, vsync_start: 768, vsync_end: 768, vtotal: 768 };
    assert.equal(withMode(edges), "ok");
    const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(r.ok);
    assert.deepEqual([r.value.mode.htotal, r.value.mode.vtotal, r.value.fb_id], [1024, 768, fb]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("fb_id -1 keeps the framebuffer the primary plane shows (EINVAL when it shows none); an unknown fb_id is ENOENT", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd, 1040, 780);
    assert.equal(setcrtc(m, fd, ids, 0xffffffff), "EINVAL", "nothing shown to keep");
    assert.equal(setcrtc(m, fd, ids, 9999), "ENOENT");
    assert.equal(setcrtc(m, fd, ids, fb), "ok");
    assert.equal(setcrtc(m, fd, ids, 0xffffffff, { x: 16, y: 12 }), "ok");
    assert.deepEqual(crtcShows(m, fd, ids.crtc), [1, fb, 16, 12], "the same framebuffer, from (16, 12)");
    assert.equal(m.finishClean(dev), 0);
  });

  test("x and y: ERANGE past 16 bits; the viewport is checked before the connectors (ENOSPC, not ENOENT)", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd);
    const badConnector = { set_connectors_ptr: [9999] };
    const answers = {
      y: setcrtc(m, fd, ids, fb, { y: 0x10000 }),
      x1: setcrtc(m, fd, ids, fb, { x: 1, ...badConnector }),
      y1: setcrtc(m, fd, ids, fb, { y: 1, ...badConnector }),
      connector: setcrtc(m, fd, ids, fb, badConnector),
      shortCount: setcrtc(m, fd, ids, fb, { set_connectors_ptr: [ids.connector, 9999] }),
    };
    assert.deepEqual(answers, { y: "ERANGE", x1: "ENOSPC", y1: "ENOSPC", connector: "ENOENT", shortCount: "ok" },
      "only count_connectors entries of the array are read");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a connector the CRTC cannot drive is EINVAL; a second pipe lights alone and flips; one CRTC off leaves the other on", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const a = pipeIds(dev, 0);
    const b = pipeIds(dev, 1);
    const fd = m.open("/dev/dri/card0");
    const fbA = addFb(m, fd);
    const fbB = addFb(m, fd);
    assert.equal(setcrtc(m, fd, a, fbA, { set_connectors_ptr: [b.connector] }), "EINVAL", "pipe B's connector on CRTC A");
    assert.equal(setcrtc(m, fd, b, fbB, { x: 0 }), "ok");
    assert.deepEqual(crtcShows(m, fd, b.crtc), [1, fbB, 0, 0]);
    assert.deepEqual(crtcShows(m, fd, a.crtc), [0, 0, 0, 0]);
    assert.equal(encoderOf(m, fd, b.connector), b.encoder);
    const flipped = answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: b.crtc, fb_id: addFb(m, fd) }));
    assert.equal(flipped, "ok", "B's primary plane shows a framebuffer, though A's does not");
    assert.equal(setcrtc(m, fd, a, fbA), "ok");
    const off = { fb_id: 0, set_connectors_ptr: [], count_connectors: 0, mode_valid: 0 };
    assert.equal(setcrtc(m, fd, a, 0, { ...off, count_connectors: 1, set_connectors_ptr: [a.connector] }), "EINVAL",
      "connectors for a CRTC turned off");
    assert.equal(setcrtc(m, fd, a, 0, { ...off, fb_id: fbA }), "ok", "fb_id is not read without a mode");
    assert.deepEqual(crtcShows(m, fd, a.crtc), [0, 0, 0, 0]);
    assert.equal(setcrtc(m, fd, a, 0, off), "ok", "off again");
    assert.equal(crtcShows(m, fd, b.crtc)[0], 1, "B stays on");
    assert.deepEqual([encoderOf(m, fd, a.connector), encoderOf(m, fd, b.connector)], [0, b.encoder]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("SETCRTC returns with the mode on screen: a flip right after it is not EBUSY", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd);
    const fb2 = addFb(m, fd);
    const both = m.run(function* () {
      const set = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
        crtc_id: ids.crtc, fb_id: fb, set_connectors_ptr: [ids.connector], count_connectors: 1, mode_valid: 1, mode: MODE_1024X768_60,
      });
      const flip = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb2 });
      return [answer(set), answer(flip)];
    });
    assert.deepEqual(both, ["ok", "ok"]);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("SETCRTC by a lessee", () => {
  test("a lessee holding a CRTC but not its primary plane may turn it off (ok), not light it (EACCES)", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const a = pipeIds(dev, 0);
    const b = pipeIds(dev, 1);
    const owner = atomicClient(m); // universal planes: the lease names its planes itself
    const fb = addFb(m, owner);
    assert.equal(setcrtc(m, owner, a, fb), "ok");
    const lease = m.ioctl(owner, DRM_IOCTL_MODE_CREATE_LEASE, { object_ids: [a.connector, a.crtc, b.plane], object_count: 3 });
    assert.ok(lease.ok, answer(lease));
    const lessee = lease.value.fd as Fd;
    assert.equal(setcrtc(m, lessee, a, fb), "EACCES");
    const off = { fb_id: 0, set_connectors_ptr: [], count_connectors: 0, mode_valid: 0 };
    assert.equal(setcrtc(m, lessee, a, 0, off), "ok");
    assert.deepEqual(crtcShows(m, owner, a.crtc), [0, 0, 0, 0]);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("DRM_IOCTL_MODE_PAGE_FLIP", () => {
  test("EINVAL for a reserved field, ENOENT for no CRTC, ENOSPC for a framebuffer smaller than the mode; no event unless asked", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd);
    assert.equal(setcrtc(m, fd, ids, fb), "ok");
    const flip = (over: object) => answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: addFb(m, fd), ...over }));
    assert.equal(flip({ reserved: 1 }), "EINVAL");
    assert.equal(flip({ crtc_id: 9999 }), "ENOENT");
    assert.equal(flip({ fb_id: addFb(m, fd, 640, 480) }), "ENOSPC");
    assert.equal(flip({ user_data: 5n }), "ok");
    assert.equal(typeof readEvent(m, fd), "string", "no DRM_MODE_PAGE_FLIP_EVENT: no event");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a flip the viewport check passes but the plane check refuses: ENOSPC for a source half a pixel in", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const p = (n: string) => ids.prop(n);
    // Through ATOMIC the plane's source may start half a pixel in (16.16): on a framebuffer
    // one pixel wider than the mode, the last line's last pixel is still inside.
    const req = atomicRequest([
      [ids.connector, [[p("CRTC_ID"), BigInt(ids.crtc)]]],
      [ids.crtc, [[p("ACTIVE"), 1n], [p("MODE_ID"), BigInt(modeBlob(m, fd))]]],
      [ids.plane, [
        [p("FB_ID"), BigInt(addFb(m, fd, 1025, 768))], [p("CRTC_ID"), BigInt(ids.crtc)],
        [p("SRC_X"), 0x8000n], [p("SRC_Y"), 0n], [p("SRC_W"), 1024n << 16n], [p("SRC_H"), 768n << 16n],
        [p("CRTC_X"), 0n], [p("CRTC_Y"), 0n], [p("CRTC_W"), 1024n], [p("CRTC_H"), 768n],
      ]],
    ]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...req })), "ok");
    const flip = (fb: number) => answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb }));
    assert.equal(flip(addFb(m, fd, 1024, 768)), "ENOSPC", "the source would end half a pixel past it");
    const wide = addFb(m, fd, 1025, 768);
    assert.equal(flip(wide), "ok");
    assert.equal(crtcShows(m, fd, ids.crtc)[1], wide);
    assert.equal(m.finishClean(dev), 0);
  });

  test("the trace names the ioctls' C functions", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd);
    const from = m.sim.trace.events.length;
    assert.equal(setcrtc(m, fd, ids, fb), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: addFb(m, fd) })), "ok");
    const steps = m.sim.trace.events.slice(from).flatMap((e) => (e.t === "step" ? [e.fn] : []));
    const set = steps.indexOf("drm_mode_setcrtc");
    assert.ok(set >= 0, "drm_mode_setcrtc() in the trace");
    assert.ok(steps.indexOf("drm_mode_page_flip_ioctl", set) > set, "then drm_mode_page_flip_ioctl()");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a removed framebuffer's id names nothing: SETCRTC and PAGE_FLIP answer ENOENT", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const gone = addFb(m, fd); // the device's first framebuffer
    const fb = addFb(m, fd);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_RMFB, { fb_id: gone })), "ok");
    assert.equal(setcrtc(m, fd, ids, gone), "ENOENT");
    assert.equal(setcrtc(m, fd, ids, fb), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: gone })), "ENOENT");
    assert.deepEqual(crtcShows(m, fd, ids.crtc), [1, fb, 0, 0]);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("after unplug under uapi-doc", () => {
  test("SETCRTC succeeds and changes nothing; a flip without the event flag sends none", () => {
    const m = drmMachine({ name: "uapi-doc", version: "7.1" });
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const fb = addFb(m, fd);
    assert.equal(setcrtc(m, fd, ids, fb), "ok");
    m.runIn("test_remove", [dev], () => drmDevUnplug(dev));
    const off = { fb_id: 0, set_connectors_ptr: [], count_connectors: 0, mode_valid: 0 };
    assert.equal(setcrtc(m, fd, ids, 0, off), "ok");
    assert.deepEqual(crtcShows(m, fd, ids.crtc), [1, fb, 0, 0], "still on: nothing changed");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb })), "ok");
    assert.equal(typeof readEvent(m, fd), "string", "no event asked, none sent");
    assert.equal(m.finishClean(dev), 0);
  });
});
