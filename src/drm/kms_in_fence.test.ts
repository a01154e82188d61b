/**
 * IN_FENCE_FD at the ioctl boundary: a sync_file fd's fence holds a commit back until it is
 * signalled (blocking: the ioctl returns after it; non-blocking: the flip-complete event comes
 * after it), TEST_ONLY only checks the fd, and a wrong fd or a second fence for a plane is
 * EINVAL. The commit holds the fence: closing the fd meanwhile changes nothing, and nothing
 * leaks.
 *
 * @see drm_atomic_plane_set_property(), drm_atomic_helper_wait_for_fences()
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DmaFence } from "../base/mod.js";
import { sleepTicks, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_ATOMIC_TEST_ONLY,
  DRM_MODE_PAGE_FLIP_EVENT,
  type Fd,
} from "../uapi/mod.js";
import { atomicSetup, modesetRequest, readEvent, type AtomicSetup } from "./_test_kms.js";
import { attachFence, create, signalLater } from "./_test_syncobj.js";
import { answer, drmMachine, TEST_KMS_DRIVER } from "./_testing.js";
import { DRIVER_SYNCOBJ } from "./drm_driver.js";

const KMS_SYNCOBJ_DRIVER = { ...TEST_KMS_DRIVER, name: "drmtestkmssync", features: TEST_KMS_DRIVER.features | DRIVER_SYNCOBJ };

function setup(): AtomicSetup {
  const m = drmMachine();
  const dev = m.kms(KMS_SYNCOBJ_DRIVER);
  return atomicSetup(m, dev);
}

/** An unsignalled fence, as a sync_file fd of the test process. */
function syncFile(s: AtomicSetup): { fence: DmaFence; fd: Fd } {
  const handle = create(s.m, s.fd);
  const fence = attachFence(s.m, s.fd, handle);
  const r = s.m.ioctl(s.fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle, flags: 1 });
  assert.ok(r.ok, answer(r));
  return { fence, fd: r.value.fd as Fd };
}

/** The modeset request with IN_FENCE_FD `values` added to the plane. */
function withInFence(s: AtomicSetup, values: readonly bigint[]) {
  const req = modesetRequest(s.ids, s.mode, s.fb);
  const inFence = s.ids.prop("IN_FENCE_FD");
  const planeAt = req.objs_ptr.indexOf(s.ids.plane);
  const before = req.count_props_ptr.slice(0, planeAt + 1).reduce((a, b) => a + b, 0);
  return {
    ...req,
    count_props_ptr: req.count_props_ptr.map((n, i) => (i === planeAt ? n + values.length : n)),
    props_ptr: [...req.props_ptr.slice(0, before), ...values.map(() => inFence), ...req.props_ptr.slice(before)],
    prop_values_ptr: [...req.prop_values_ptr.slice(0, before), ...values, ...req.prop_values_ptr.slice(before)],
  };
}

const MODESET = DRM_MODE_ATOMIC_ALLOW_MODESET;

describe("IN_FENCE_FD", () => {
  test("a blocking commit returns only once the fence is signalled, then shows the framebuffer; closing the fd first changes nothing", () => {
    const s = setup();
    const { m } = s;
    const sync = syncFile(s);
    signalLater(m, sync.fence, 5_000);
    const req = withInFence(s, [BigInt(sync.fd)]);
    m.run(() => m.proc.close(sync.fd)); // the request names the fd: it must be open at the ioctl
    assert.equal(answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...req })), "EINVAL", "closed: no sync_file");
    const again = syncFile(s);
    const start = m.sim.now;
    signalLater(m, again.fence, 5_000);
    const r = m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...withInFence(s, [BigInt(again.fd)]) });
    assert.equal(answer(r), "ok");
    assert.ok(m.sim.now - start >= 5_000, `returned after the fence (${m.sim.now - start} ticks)`);
    const plane = m.ioctl(s.fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: s.ids.plane });
    assert.equal(plane.ok && plane.value.fb_id, s.fb);
    assert.equal(m.finishClean(s.dev), 0);
  });

  test("a non-blocking commit returns at once; its flip-complete event comes after the fence", () => {
    const s = setup();
    const { m } = s;
    const sync = syncFile(s);
    const start = m.sim.now;
    const flags = MODESET | DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
    assert.equal(answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags, ...withInFence(s, [BigInt(sync.fd)]) })), "ok");
    m.run(() => m.proc.close(sync.fd)); // the commit holds the fence
    assert.equal(readEvent(m, s.fd, 20), "EINTR", "no event while the fence is unsignalled");
    signalLater(m, sync.fence, 1_000);
    const e = readEvent(m, s.fd, 100);
    assert.ok(typeof e === "object", String(e));
    assert.equal(e.crtc_id, s.ids.crtc);
    const at = e.tv_sec * 1_000_000 + e.tv_usec;
    assert.ok(at - start >= 21_000, "after the fence, at a vblank");
    assert.equal(m.finishClean(s.dev), 0);
  });

  test("TEST_ONLY checks the fd without waiting; -1 is none; a second fence for the plane, or an fd that is no sync_file, is EINVAL", () => {
    const s = setup();
    const { m } = s;
    const sync = syncFile(s);
    const at = m.sim.now;
    const test = (values: bigint[]) =>
      answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET | DRM_MODE_ATOMIC_TEST_ONLY, ...withInFence(s, values) }));
    assert.equal(test([BigInt(sync.fd)]), "ok");
    assert.equal(m.sim.now - at < 1_000, true, "no wait");
    assert.equal(test([BigInt.asUintN(64, -1n)]), "ok");
    assert.equal(test([BigInt(sync.fd), BigInt(sync.fd)]), "EINVAL");
    assert.equal(test([BigInt(s.fd)]), "EINVAL", "the card's own fd");
    assert.equal(test([BigInt(99)]), "EINVAL", "an fd that is not open");
    signalLater(m, sync.fence, 1);
    m.run(() => m.proc.close(sync.fd));
    assert.equal(m.finishClean(s.dev), 0);
  });

  test("a signal ends a blocking commit's wait for its fence with EINTR; nothing is committed and nothing leaks", () => {
    const s = setup();
    const { m } = s;
    const sync = syncFile(s);
    const req = { flags: MODESET, ...withInFence(s, [BigInt(sync.fd)]) };
    let handled = 0;
    const caller = m.sim.spawn("compositor", (function* (): Task<string> {
      yield* m.proc.sigaction("SIGTERM", () => handled++);
      return answer(yield* m.proc.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, req));
    })(), { kind: "user" });
    m.sim.spawn("sender", (function* (): Task<void> {
      yield sleepTicks(1_000);
      m.sim.sendSignal(caller, "SIGTERM");
    })());
    m.sim.run();
    assert.equal(caller.result, "EINTR");
    assert.equal(handled, 1, "the handler ran on the way back");
    const plane = m.ioctl(s.fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: s.ids.plane });
    assert.equal(plane.ok && plane.value.fb_id, 0, "the commit stopped before its state was swapped in");
    signalLater(m, sync.fence, 1);
    m.run(() => m.proc.close(sync.fd));
    assert.equal(m.finishClean(s.dev), 0, "the request let go of the fence");
  });

  test("the trace names the C functions that wait for the fence and let go of it", () => {
    const s = setup();
    const { m } = s;
    const sync = syncFile(s);
    signalLater(m, sync.fence, 1_000);
    const r = m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...withInFence(s, [BigInt(sync.fd)]) });
    assert.equal(answer(r), "ok");
    const steps = m.sim.trace.events.flatMap((e) => (e.t === "step" ? [e.fn] : []));
    const waited = steps.indexOf("drm_atomic_helper_wait_for_fences");
    assert.ok(waited >= 0, "drm_atomic_helper_wait_for_fences() in the trace");
    assert.ok(steps.indexOf("drm_atomic_state_default_clear", waited) > waited, "then drm_atomic_state_default_clear()");
    m.run(() => m.proc.close(sync.fd));
    assert.equal(m.finishClean(s.dev), 0);
  });
});
