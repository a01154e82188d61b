/**
 * KMS after drm_dev_unplug(), per profile: mainline refuses every KMS ioctl with ENODEV,
 * TEST_ONLY included (R40, R41), and still cleans up at close (R44); uapi-doc fakes success,
 * sends the events a faked flip asks for, and reads connectors disconnected (D3, D4, R42,
 * R64). Either way a CRTC's disable sends the events still waiting for a vblank (R65), and
 * queued events stay readable (R45).
 *
 * @see docs/requirements.md#r62; drm_ioctl(), drm_crtc_vblank_off()
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { step } from "../kernel/mod.js";
import {
  DRM_EVENT_FLIP_COMPLETE,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_ATOMIC_TEST_ONLY,
  DRM_MODE_DISCONNECTED,
  DRM_MODE_PAGE_FLIP_EVENT,
  DRM_IOCTL_MODE_CREATE_DUMB,
} from "../uapi/mod.js";
import { addFb, atomicClient, modeBlob, modesetRequest, pipeIds, readEvent } from "./_test_kms.js";
import { answer, drmMachine, liveCount, TEST_KMS_DRIVER, TEST_PIPE_FUNCS } from "./_testing.js";
import { drmDevUnplug } from "./device.js";
import type { KmsPipeFuncs } from "./kms.js";
import { drmAtomicHelperShutdown } from "./kms_remove.js";

const UAPI_DOC = { name: "uapi-doc", version: "7.1" } as const;

/** The test display with its vblank interrupt switched by `irq.on` (hardware that goes away). */
function pipeWithIrq(irq: { on: boolean }): KmsPipeFuncs {
  return { ...TEST_PIPE_FUNCS, vblankIrq: () => irq.on };
}

describe("KMS ioctls after unplug", () => {
  test("mainline: every KMS ioctl is ENODEV, TEST_ONLY and the legacy commits too (R40, R41); close still frees the framebuffers (R44)", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const req = modesetRequest(ids, modeBlob(m, fd), addFb(m, fd));
    m.runIn("test_remove", [dev], () => drmDevUnplug(dev));
    const calls = {
      atomicTestOnly: m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, ...req }),
      setcrtc: m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, { crtc_id: ids.crtc }),
      pageFlip: m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, flags: DRM_MODE_PAGE_FLIP_EVENT }),
      getresources: m.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES),
      getconnector: m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: ids.connector }),
      getcrtc: m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc }),
      getplane: m.ioctl(fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: ids.plane }),
      getproperty: m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: ids.prop("ACTIVE") }),
      objGetproperties: m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: ids.crtc }),
      addfb2: m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2),
      rmfb: m.ioctl(fd, DRM_IOCTL_MODE_RMFB),
      createpropblob: m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB),
    };
    for (const [name, r] of Object.entries(calls)) assert.equal(answer(r), "ENODEV", name);
    assert.equal(liveCount(m, "drm_gem_object"), 1);
    m.run(() => m.proc.close(fd));
    assert.equal(liveCount(m, "drm_gem_object"), 0, "close removed the framebuffer and freed its buffer");
    assert.equal(m.finishClean(dev), 0);
  });

  test("uapi-doc: connectors read disconnected (R64); TEST_ONLY and commits succeed and change nothing; a faked flip's event comes at once (D3, R42)", () => {
    const m = drmMachine(UAPI_DOC);
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const fb = addFb(m, fd);
    const req = modesetRequest(ids, modeBlob(m, fd), fb);
    m.runIn("test_remove", [dev], () => drmDevUnplug(dev));
    const conn = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: ids.connector });
    assert.ok(conn.ok);
    assert.equal(conn.value.connection, DRM_MODE_DISCONNECTED);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, ...req })), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0, ...req })), "ok", "even a modeset without ALLOW_MODESET: nothing is checked");
    const crtc = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(crtc.ok);
    assert.equal(crtc.value.mode_valid, 0, "nothing changed");
    const before = m.sim.now;
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: ids.crtc, fb_id: fb, flags: DRM_MODE_PAGE_FLIP_EVENT, user_data: 9n })), "ok");
    const e = readEvent(m, fd);
    assert.ok(typeof e !== "string", String(e));
    assert.deepEqual([e.type, e.user_data, e.crtc_id], [DRM_EVENT_FLIP_COMPLETE, 9n, ids.crtc]);
    assert.ok(e.tv_sec * 1_000_000 + e.tv_usec - before < 1_000, "sent at once, not at a vblank");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, { crtc_id: ids.crtc })), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, { crtc_id: 9999 })), "ENOENT", "an unknown CRTC is still no CRTC");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 })), "ENODEV", "not a KMS ioctl: refused");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("events across unplug", () => {
  test("with the vblank interrupt gone, a flip's event waits; the shutdown's disable sends it with the current count (R65), still readable (R45)", () => {
    const irq = { on: true };
    const m = drmMachine();
    const dev = m.kms(TEST_KMS_DRIVER, pipeWithIrq(irq));
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const req = modesetRequest(ids, modeBlob(m, fd), addFb(m, fd));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...req })), "ok");
    const flipAt = m.run(function* () {
      irq.on = false; // the card is pulled out: no vblank comes any more
      const r = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT, user_data: 5n, ...req });
      assert.equal(answer(r), "ok");
      return m.sim.now;
    });
    assert.equal(readEvent(m, fd, 1_000), "EINTR", "no vblank: no event within a second");
    m.runIn("test_remove", [dev], function* () {
      yield* drmDevUnplug(dev);
      yield step("test_remove", [], [dev]);
      yield* drmAtomicHelperShutdown(dev);
    });
    const e = readEvent(m, fd);
    assert.ok(typeof e !== "string", String(e));
    assert.deepEqual([e.type, e.user_data, e.crtc_id], [DRM_EVENT_FLIP_COMPLETE, 5n, ids.crtc]);
    assert.ok(e.tv_sec * 1_000_000 + e.tv_usec > flipAt, "sent by the disable, after the flip");
    assert.ok(
      m.sim.kmsg.some((l) => l.includes("flip_done timed out")),
      "the shutdown waited the helpers' 10 s for the flip, as on a surprise removal",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});
