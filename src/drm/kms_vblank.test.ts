/**
 * Vblank as a program reads it in its events: the count runs a frame at a time while the CRTC
 * is on and stands still while it is off (an event sent by the disable carries it, at once),
 * it goes on from there when the CRTC comes back, the timer that stands in for the interrupt
 * ends with the disable, a display without vblank interrupts sends its events at once with
 * count 0, and a commit over two CRTCs is done only when both have flipped.
 *
 * @see drm_crtc_vblank_on(), drm_crtc_vblank_off(), drm_crtc_vblank_count(),
 *      drm_crtc_handle_vblank(), send_vblank_event() in drivers/gpu/drm/drm_vblank.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sleepTicks } from "../kernel/mod.js";
import {
  decodeDrmEventVblank,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_PAGE_FLIP_EVENT,
  type DrmEventVblank,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, joinRequests, kmsPipes, modeBlob, modesetRequest, pipeIds, readEvent, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, TEST_KMS_DRIVER, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";
import { MODE_1024X768_60 } from "./kms_objects.js";

const FRAME = 16_666; // frameTicks() of 1024x768@60: 1344 * 806 pixels at 65 MHz
const MODESET = DRM_MODE_ATOMIC_ALLOW_MODESET;
const EVENT = DRM_MODE_PAGE_FLIP_EVENT;

function sleep(m: DrmMachine, ticks: number): void {
  m.run(function* () {
    yield sleepTicks(ticks);
  });
}

function event(m: DrmMachine, fd: Fd): DrmEventVblank & { at: number } {
  const e = readEvent(m, fd);
  assert.ok(typeof e !== "string", String(e));
  return { ...e, at: e.tv_sec * 1_000_000 + e.tv_usec };
}

/** The request that turns pipe `ids` off: connector, CRTC and plane. */
function offRequest(ids: PipeIds) {
  return atomicRequest([
    [ids.connector, [[ids.prop("CRTC_ID"), 0n]]],
    [ids.crtc, [[ids.prop("ACTIVE"), 0n], [ids.prop("MODE_ID"), 0n]]],
    [ids.plane, [[ids.prop("FB_ID"), 0n], [ids.prop("CRTC_ID"), 0n]]],
  ]);
}

/** The trace's tasks named `name`: whether each has ended. */
function taskEnded(m: DrmMachine, name: string): boolean[] {
  const ids = m.sim.trace.events.flatMap((e) => (e.t === "spawn" && e.name === name ? [e.task] : []));
  return ids.map((id) => m.sim.trace.events.some((e) => e.t === "exit" && e.task === id));
}

describe("the vblank count in events", () => {
  test("counts frames since the CRTC went on; stands still while it is off, the disable's event sent at once with it; goes on from there", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const req = modesetRequest(ids, modeBlob(m, fd), addFb(m, fd));
    const ioctl = (flags: number, r: object) => answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags, ...r }));
    sleep(m, 100_000); // the CRTC goes on long after boot
    const on = m.sim.now;
    assert.equal(ioctl(MODESET | EVENT, req), "ok");
    const first = event(m, fd);
    assert.equal(first.sequence, 1, "the first vblank since it went on");
    assert.ok(first.at - on <= FRAME + 1_000, `at the first vblank (${first.at - on} ticks)`);
    sleep(m, 5 * FRAME + 100);
    assert.equal(ioctl(EVENT, req), "ok");
    const second = event(m, fd);
    assert.equal(second.sequence - first.sequence, Math.round((second.at - first.at) / FRAME));
    sleep(m, 2 * FRAME + 100);
    const offAt = m.sim.now;
    assert.equal(ioctl(MODESET | EVENT, offRequest(ids)), "ok");
    const third = event(m, fd);
    assert.ok(third.at - offAt < 1_000, "sent by the disable, not at a vblank");
    assert.equal(third.sequence, second.sequence + Math.floor((third.at - second.at) / FRAME), "the count when it went off");
    const timer = `vblank timer crtc-0 (${dev.label})`;
    assert.deepEqual(taskEnded(m, timer), [true], "the disable stopped the timer");
    sleep(m, 10 * FRAME);
    const again = m.sim.now;
    assert.equal(ioctl(MODESET | EVENT, req), "ok");
    const fourth = event(m, fd);
    assert.equal(fourth.sequence, third.sequence + 1, "no vblank counted while off");
    assert.ok(fourth.at - again <= FRAME + 1_000, `at the first vblank after it came back (${fourth.at - again} ticks)`);
    assert.deepEqual(taskEnded(m, timer), [true, false], "a timer of its own, running");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a display without vblank interrupts sends each event at once, with count 0", () => {
    const m = drmMachine();
    const dev = m.kms(TEST_KMS_DRIVER, { ...TEST_PIPE_FUNCS, vblank: false });
    const ids = pipeIds(dev);
    const fd = atomicClient(m);
    const req = modesetRequest(ids, modeBlob(m, fd), addFb(m, fd));
    sleep(m, 100_000);
    const start = m.sim.now;
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET | EVENT | DRM_MODE_ATOMIC_NONBLOCK, ...req })), "ok");
    const e = event(m, fd);
    assert.deepEqual([e.sequence, e.crtc_id], [0, ids.crtc]);
    assert.ok(e.at - start < 1_000, `at once (${e.at - start} ticks)`);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("a commit over two CRTCs of other refresh rates", () => {
  test("is in flight until both have flipped: the faster CRTC's event comes first, and a commit on the slower one meanwhile is EBUSY", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const fd = atomicClient(m);
    const [a, b] = [pipeIds(dev, 0), pipeIds(dev, 1)];
    const mode70 = m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, {
      data: [{ ...MODE_1024X768_60, clock: 75000, htotal: 1328, vrefresh: 70 }], length: 68,
    });
    assert.ok(mode70.ok);
    const fb = addFb(m, fd);
    const one = modesetRequest(a, modeBlob(m, fd), fb);
    const two = modesetRequest(b, mode70.value.blob_id, addFb(m, fd));
    const both = joinRequests(one, two);
    const flip = atomicRequest([[a.plane, [[a.prop("FB_ID"), BigInt(fb)], [a.prop("CRTC_ID"), BigInt(a.crtc)]]]]);
    const [firstCrtc, meanwhile] = m.run(function* () {
      const r = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET | EVENT | DRM_MODE_ATOMIC_NONBLOCK, ...both });
      assert.equal(answer(r), "ok");
      const read = yield* m.proc.read(fd, 32, 100);
      assert.ok(read.ok);
      const e = decodeDrmEventVblank(read.value);
      const c = yield* m.proc.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_NONBLOCK, ...flip });
      return [e?.crtc_id, answer(c)] as const;
    });
    assert.equal(firstCrtc, b.crtc, "70 Hz flips first");
    assert.equal(meanwhile, "EBUSY", "CRTC 0's part of the commit is still to flip");
    assert.equal(event(m, fd).crtc_id, a.crtc);
    assert.equal(m.finishClean(dev), 0);
  });
});
