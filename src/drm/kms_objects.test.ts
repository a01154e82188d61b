/**
 * The pipe's objects as userspace sees them: an off CRTC's zero-filled mode, which mode
 * changes are modesets (other timings; not another name or type, as drm_mode_equal() leaves
 * those out), the kernel's own mode blobs of SETCRTC (one per mode, never a file's blob), and
 * the state a CRTC starts in (off and disabled: a VRR change needs no modeset).
 *
 * @see drm_mode_equal() in drm_modes.c, drm_atomic_set_mode_for_crtc() in drm_atomic_uapi.c,
 *      drm_mode_getcrtc() in drm_crtc.c, drm_atomic_crtc_needs_modeset()
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_TEST_ONLY,
  DRM_MODE_OBJECT,
  type Fd,
} from "../uapi/mod.js";
import { formatTrace } from "../kernel/mod.js";
import { addFb, atomicClient, atomicRequest, modeBlob, modesetRequest, pipeIds, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";
import { MODE_1024X768_60, type ModeInfo } from "./kms_objects.js";

/** 1024x768 at 70 Hz (VESA DMT): the same size, other timings. */
const MODE_1024X768_70: ModeInfo = { ...MODE_1024X768_60, clock: 75000, htotal: 1328, vrefresh: 70 };

function blobOf(m: DrmMachine, fd: Fd, mode: ModeInfo): number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [mode], length: 68 });
  assert.ok(r.ok, answer(r));
  return r.value.blob_id;
}

/** The value of CRTC property `name`, as `fd` reads it. */
function crtcProp(m: DrmMachine, fd: Fd, ids: PipeIds, name: string): bigint {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: ids.crtc, obj_type: DRM_MODE_OBJECT.CRTC, count_props: 8 });
  assert.ok(r.ok, answer(r));
  const i = r.value.props_ptr.indexOf(ids.prop(name));
  assert.ok(i >= 0, `no ${name}`);
  return r.value.prop_values_ptr[i]!;
}

describe("a CRTC's mode", () => {
  test("GETCRTC of an off CRTC: no mode, a zero-filled struct with an empty name", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = m.open("/dev/dri/card0");
    const r = m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: ids.crtc });
    assert.ok(r.ok, answer(r));
    assert.equal(r.value.mode_valid, 0);
    assert.deepEqual(r.value.mode, {
      clock: 0, hdisplay: 0, hsync_start: 0, hsync_end: 0, htotal: 0, hskew: 0, vdisplay: 0,
      vsync_start: 0, vsync_end: 0, vtotal: 0, vscan: 0, vrefresh: 0, flags: 0, type: 0, name: "",
    });
    assert.equal(m.finishClean(dev), 0);
  });

  test("on a lit CRTC, other timings are a modeset (EINVAL without ALLOW_MODESET); another name or type is not", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const lit = m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...modesetRequest(ids, modeBlob(m, fd), addFb(m, fd)) });
    assert.equal(answer(lit), "ok");
    const swap = (mode: ModeInfo) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, {
      flags: DRM_MODE_ATOMIC_TEST_ONLY,
      ...atomicRequest([[ids.crtc, [[ids.prop("MODE_ID"), BigInt(blobOf(m, fd, mode))]]]]),
    }));
    assert.equal(swap(MODE_1024X768_60), "ok", "the same mode again");
    assert.equal(swap({ ...MODE_1024X768_60, name: "custom" }), "ok", "only the name differs");
    assert.equal(swap({ ...MODE_1024X768_60, type: 0x40 }), "ok", "only the type differs");
    assert.equal(swap(MODE_1024X768_70), "EINVAL", "other timings");
    assert.equal(swap({ ...MODE_1024X768_60, flags: 0x1 | 0x4 }), "EINVAL", "other sync polarities");
    assert.equal(m.finishClean(dev), 0);
  });

  test("SETCRTC's mode is a kernel blob: the same mode keeps it, a renamed one gets a new one; a file's blob is never taken", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const fb = addFb(m, fd);
    const users = modeBlob(m, fd);
    const setcrtc = (mode: ModeInfo): bigint => {
      const r = m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
        crtc_id: ids.crtc, fb_id: fb, set_connectors_ptr: [ids.connector], count_connectors: 1, mode_valid: 1, mode,
      });
      assert.equal(answer(r), "ok");
      return crtcProp(m, fd, ids, "MODE_ID");
    };
    const first = setcrtc(MODE_1024X768_60);
    assert.notEqual(first, 0n);
    assert.notEqual(first, BigInt(users), "the file's blob of the same mode is the file's");
    assert.equal(setcrtc(MODE_1024X768_60), first, "the same mode, the same blob");
    const renamed = setcrtc({ ...MODE_1024X768_60, name: "custom" });
    assert.ok(renamed !== first && renamed !== BigInt(users), "another name, another blob");
    const got = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPBLOB, { blob_id: Number(renamed), length: 68 });
    assert.ok(got.ok, answer(got));
    assert.equal((got.value.data[0] as ModeInfo).name, "custom");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("commits", () => {
  test("are numbered in the trace: each flip names the commit that made it", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const [a, b] = [addFb(m, fd), addFb(m, fd)];
    const lit = m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...modesetRequest(ids, modeBlob(m, fd), a) });
    assert.equal(answer(lit), "ok");
    const flip = atomicRequest([[ids.plane, [[ids.prop("FB_ID"), BigInt(b)]]]]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0, ...flip })), "ok");
    const flips = formatTrace(m.sim.trace.events).split("\n").filter((l) => l.includes(" flip crtc "));
    assert.deepEqual(flips.map((l) => l.replace(/^.* flip crtc /, "")), [
      `${ids.crtc}: commit 1: FB ${a} on plane ${ids.plane}`,
      `${ids.crtc}: commit 2: FB ${b} on plane ${ids.plane}`,
    ]);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("a CRTC's first state", () => {
  test("off and disabled: VRR_ENABLED changes without ALLOW_MODESET", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const vrr = atomicRequest([[ids.crtc, [[ids.prop("VRR_ENABLED"), 1n]]]]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0, ...vrr })), "ok");
    assert.equal(crtcProp(m, fd, ids, "VRR_ENABLED"), 1n);
    assert.equal(crtcProp(m, fd, ids, "ACTIVE"), 0n);
    assert.equal(m.finishClean(dev), 0);
  });
});
