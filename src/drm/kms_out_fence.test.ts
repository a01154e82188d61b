/**
 * OUT_FENCE_PTR at the ioctl boundary: the fd the kernel writes into the program's memory (an
 * anonymous shared mapping), the fence behind it read through SYNC_IOC_FILE_INFO (signalled
 * once the commit is on screen), -1 for TEST_ONLY, EFAULT for an address nothing maps, EINVAL
 * for a CRTC that stays off; after unplug ENODEV (mainline, memory untouched) or a faked
 * commit whose fence is signalled at once (uapi-doc). Nothing leaks.
 *
 * @see prepare_signaling(), setup_out_fence(), complete_signaling() in drm_atomic_uapi.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_ATOMIC_TEST_ONLY,
  SYNC_IOC_FILE_INFO,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicRequest, atomicSetup, modesetRequest, type AtomicSetup } from "./_test_kms.js";
import { answer, drmMachine } from "./_testing.js";
import { drmDevUnplug } from "./device.js";

interface Setup extends AtomicSetup {
  /** A page of the program's anonymous memory, where the fd goes. */
  addr: bigint;
}

function setup(profile?: Parameters<typeof drmMachine>[0]): Setup {
  const m = drmMachine(profile);
  const dev = m.kms();
  const base = atomicSetup(m, dev);
  const anon = m.run(() => m.proc.mmapAnon(4096));
  assert.ok(anon.ok, answer(anon));
  return { ...base, addr: anon.value };
}

/** The s32 at `addr`, as the program reads its variable. */
function s32At(s: Setup, addr = s.addr): number {
  const r = s.m.run(() => s.m.proc.memRead(addr, 4));
  assert.ok(r.ok, "the variable reads");
  return Buffer.from(r.value).readInt32LE(0);
}

/** The modeset request with OUT_FENCE_PTR `ptr` added on the CRTC. */
function modesetWithOutFence(s: Setup, ptr: bigint) {
  const req = modesetRequest(s.ids, s.mode, s.fb);
  const at = req.objs_ptr.indexOf(s.ids.crtc);
  const before = req.count_props_ptr.slice(0, at + 1).reduce((a, b) => a + b, 0);
  return {
    ...req,
    count_props_ptr: req.count_props_ptr.map((n, i) => (i === at ? n + 1 : n)),
    props_ptr: [...req.props_ptr.slice(0, before), s.ids.prop("OUT_FENCE_PTR"), ...req.props_ptr.slice(before)],
    prop_values_ptr: [...req.prop_values_ptr.slice(0, before), ptr, ...req.prop_values_ptr.slice(before)],
  };
}

function fenceInfo(s: Setup, fd: number): { status: number; name: string } | string {
  const r = s.m.ioctl(fd as Fd, SYNC_IOC_FILE_INFO, {});
  return r.ok ? { status: r.value.status, name: r.value.name } : r.errno;
}

const MODESET = DRM_MODE_ATOMIC_ALLOW_MODESET;

describe("OUT_FENCE_PTR", () => {
  test("a blocking modeset writes a new sync_file fd into the variable; its fence is signalled once on screen", () => {
    const s = setup();
    const r = s.m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...modesetWithOutFence(s, s.addr) });
    assert.equal(answer(r), "ok");
    const fd = s32At(s);
    assert.ok(fd > s.fd, `a new fd (${fd})`);
    const info = fenceInfo(s, fd);
    assert.ok(typeof info !== "string", String(info));
    assert.equal(info.status, 1, "signalled: the commit returned once its flip was done");
    assert.match(info.name, /^drmtestkms-CRTC:34-crtc-0\d+-1$/, "driver, the CRTC's timeline, context, seqno 1");
    assert.equal(s.m.finishClean(s.dev), 0, "the fence and its sync_file go with the fd");
  });

  test("a non-blocking flip: the fd comes back at once, active, and is signalled at the next vblank", () => {
    const s = setup();
    assert.equal(answer(s.m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...modesetRequest(s.ids, s.mode, s.fb) })), "ok");
    const fb2 = addFb(s.m, s.fd);
    const flip = atomicRequest([
      [s.ids.plane, [[s.ids.prop("FB_ID"), BigInt(fb2)]]],
      [s.ids.crtc, [[s.ids.prop("OUT_FENCE_PTR"), s.addr + 8n]]],
    ]);
    const { m } = s;
    const [r, fd, before] = m.run(function* () {
      const c = yield* m.proc.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_NONBLOCK, ...flip });
      const v = yield* m.proc.memRead(s.addr + 8n, 4);
      const out = v.ok ? Buffer.from(v.value).readInt32LE(0) : -1;
      const info = yield* m.proc.ioctl(out as Fd, SYNC_IOC_FILE_INFO, {});
      return [answer(c), out, info.ok ? info.value.status : info.errno] as const;
    });
    assert.equal(r, "ok");
    assert.ok(fd > s.fd, `a new fd (${fd})`);
    assert.equal(before, 0, "active until the flip is on screen");
    const polled = s.m.run(() => s.m.proc.poll(fd as Fd, 1, 100));
    assert.ok(polled.ok && polled.value === 1, "POLLIN once the vblank sent the event");
    const after = fenceInfo(s, fd);
    assert.ok(typeof after !== "string" && after.status === 1);
    assert.equal(s.m.finishClean(s.dev), 0);
  });

  test("a blocking flip returns only once it is on screen: its fence is signalled when the caller reads it", () => {
    const s = setup();
    assert.equal(answer(s.m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...modesetRequest(s.ids, s.mode, s.fb) })), "ok");
    const flip = atomicRequest([
      [s.ids.plane, [[s.ids.prop("FB_ID"), BigInt(addFb(s.m, s.fd))]]],
      [s.ids.crtc, [[s.ids.prop("OUT_FENCE_PTR"), s.addr + 8n]]],
    ]);
    const { m } = s;
    const [r, status] = m.run(function* () {
      const c = yield* m.proc.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0, ...flip });
      const v = yield* m.proc.memRead(s.addr + 8n, 4);
      const out = v.ok ? Buffer.from(v.value).readInt32LE(0) : -1;
      const info = yield* m.proc.ioctl(out as Fd, SYNC_IOC_FILE_INFO, {});
      return [answer(c), info.ok ? info.value.status : info.errno] as const;
    });
    assert.deepEqual([r, status], ["ok", 1], "signalled, where a NONBLOCK flip's is still active");
    assert.equal(s.m.finishClean(s.dev), 0);
  });

  test("TEST_ONLY leaves -1 and makes no fd; an unmapped pointer is EFAULT; a CRTC that stays off is EINVAL with -1", () => {
    const s = setup();
    const { m } = s;
    const fdsBefore = m.proc.fds.size;
    const test1 = m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET | DRM_MODE_ATOMIC_TEST_ONLY, ...modesetWithOutFence(s, s.addr) });
    assert.equal(answer(test1), "ok");
    assert.equal(s32At(s), -1, "put_user(-1) when the property is set; no fence for a test");
    assert.equal(m.proc.fds.size, fdsBefore, "no fd");
    const unmapped = m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...modesetWithOutFence(s, 0x1000n) });
    assert.equal(answer(unmapped), "EFAULT");
    assert.equal(s.dev.modeConfig!.crtcs[0]!.state.active, false, "nothing committed");
    const off = atomicRequest([[s.ids.crtc, [[s.ids.prop("OUT_FENCE_PTR"), s.addr + 16n]]]]);
    assert.equal(answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0, ...off })), "EINVAL", "an event from a CRTC that stays off");
    assert.equal(s32At(s, s.addr + 16n), -1, "complete_signaling() writes -1 again");
    assert.equal(m.proc.fds.size, fdsBefore, "the fd was not handed out");
    assert.equal(m.finishClean(s.dev), 0, "the fence made for it is gone");
  });

  test("after unplug: mainline ENODEV before anything is written; uapi-doc fakes the commit and its fence is signalled at once", () => {
    const main = setup();
    main.m.run(() => main.m.proc.memWrite(main.addr, new Uint8Array(4).fill(0x55)));
    main.m.run(() => drmDevUnplug(main.dev));
    assert.equal(answer(main.m.ioctl(main.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...modesetWithOutFence(main, main.addr) })), "ENODEV");
    assert.equal(s32At(main), 0x55555555, "the variable is untouched");
    assert.equal(main.m.finishClean(main.dev), 0);

    const doc = setup({ name: "uapi-doc", version: "7.1" });
    doc.m.run(() => drmDevUnplug(doc.dev));
    assert.equal(answer(doc.m.ioctl(doc.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...modesetWithOutFence(doc, doc.addr) })), "ok");
    const info = fenceInfo(doc, s32At(doc));
    assert.ok(typeof info !== "string" && info.status === 1, "the faked commit's fence is signalled");
    assert.equal(doc.m.finishClean(doc.dev), 0);
  });

  test("OUT_FENCE_PTR 0 asks for no fence: the commit succeeds, writes nothing and makes no fd", () => {
    const s = setup();
    const { m } = s;
    m.run(() => m.proc.memWrite(s.addr, new Uint8Array(4).fill(0x55)));
    const fdsBefore = m.proc.fds.size;
    const r = m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...modesetWithOutFence(s, 0n) });
    assert.equal(answer(r), "ok");
    assert.equal(s.dev.modeConfig!.crtcs[0]!.state.active, true, "committed");
    assert.equal(m.proc.fds.size, fdsBefore, "no fd");
    assert.equal(s32At(s), 0x55555555, "the variable is untouched");
    assert.equal(m.finishClean(s.dev), 0);
  });
});
