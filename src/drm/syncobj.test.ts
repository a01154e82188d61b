/**
 * The syncobj ioctls at the errno boundary: handles, fds, waits with their absolute timeouts
 * on the virtual clock, sync_file export and import, reset and signal, the handle table freed
 * at close, and what still works after unplug.
 *
 * @see drivers/gpu/drm/drm_syncobj.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dmaFenceInit, dmaFencePut, dmaFenceSetError, dmaFenceSignal, type DmaFence } from "../base/mod.js";
import { nsFromTicks, sleepTicks, step, TaskKilled, type CallRecord, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_DESTROY,
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_RESET,
  DRM_IOCTL_SYNCOBJ_SIGNAL,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_SYNCOBJ_CREATE_SIGNALED,
  DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE as IMPORT,
  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE as EXPORT,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL as WAIT_ALL,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT as FOR_SUBMIT,
  POLLIN,
  SYNC_IOC_FILE_INFO,
  type Fd,
} from "../uapi/mod.js";
import { answer, drmMachine, TEST_DRIVER, type DrmMachine } from "./_testing.js";
import { drmDevUnplug, type DrmDevice } from "./device.js";
import { DRIVER_SYNCOBJ } from "./drm_driver.js";
import { drmSyncobjLookup, drmSyncobjReplaceFence } from "./syncobj.js";

const SYNCOBJ_DRIVER = { ...TEST_DRIVER, name: "drmtestsync", features: TEST_DRIVER.features | DRIVER_SYNCOBJ };
const OPS = { getDriverName: () => "drmtest", getTimelineName: () => "ring" };

function setup(): { m: DrmMachine; dev: DrmDevice; fd: Fd } {
  const m = drmMachine();
  const dev = m.registered(SYNCOBJ_DRIVER);
  return { m, dev, fd: m.open("/dev/dri/renderD128") };
}

function create(m: DrmMachine, fd: Fd, flags = 0): number {
  const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags });
  assert.ok(r.ok, `SYNCOBJ_CREATE: ${answer(r)}`);
  return r.value.handle;
}

/** A new unsignalled fence put in the syncobj `handle` (as a driver's submission would). */
function attachFence(m: DrmMachine, fd: Fd, handle: number): DmaFence {
  const syncobj = drmSyncobjLookup(m.file(fd), handle);
  assert.ok(syncobj !== undefined);
  const fence = dmaFenceInit(m.kernel, OPS, 1n, BigInt(handle));
  const old = syncobj.fence === null ? [] : [syncobj.fence];
  m.runIn("test_submit", [syncobj, fence, ...old], function* () {
    yield* drmSyncobjReplaceFence(syncobj, fence);
    yield* dmaFencePut(fence); // the syncobj holds it now
  });
  return fence;
}

/** Signals `fence` (with `error`, if given) `afterTicks` from now, from a task of its own. */
function signalLater(m: DrmMachine, fence: DmaFence, afterTicks: number, error?: number): void {
  m.sim.spawn("irq", (function* (): Task<void> {
    yield sleepTicks(afterTicks, step("test_irq", [], [fence]));
    if (error !== undefined) dmaFenceSetError(fence, error);
    dmaFenceSignal(fence);
  })());
}

function live(m: DrmMachine, type: string): number {
  return m.sim.liveAllocations().filter((a) => a.type === type).length;
}

/** The last system call the trace recorded. */
function lastCall(m: DrmMachine): CallRecord {
  const call = m.sim.trace.events.filter((e): e is CallRecord => e.t === "call").at(-1);
  assert.ok(call !== undefined);
  return call;
}

/** The absolute CLOCK_MONOTONIC time `us` microseconds from now, in nanoseconds. */
function inUs(m: DrmMachine, us: number): bigint {
  return nsFromTicks(m.sim.now + us);
}

describe("syncobj handles", () => {
  test("every syncobj ioctl is EOPNOTSUPP on a driver without DRIVER_SYNCOBJ", () => {
    const m = drmMachine();
    m.registered(TEST_DRIVER);
    const fd = m.open("/dev/dri/renderD128");
    const answers = [
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, {}),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: 0 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [1], count_handles: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, { handles: [1], count_handles: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, { handles: [1], count_handles: 1 }),
    ].map(answer);
    assert.deepEqual(answers, Array(7).fill("EOPNOTSUPP"));
  });

  test("CREATE hands out the lowest free handle from 1; DESTROY frees; bad input is EINVAL", () => {
    const { m, dev, fd } = setup();
    assert.deepEqual([create(m, fd), create(m, fd), create(m, fd)], [1, 2, 3]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 2 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 2 })), "ok");
    assert.equal(live(m, "drm_syncobj"), 2);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 2 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 1, pad: 1 })), "EINVAL");
    assert.equal(create(m, fd), 2, "a destroyed handle is reused");
    assert.equal(m.finishClean(dev), 0, "close puts every handle: no syncobj or fence leaks");
  });

  test("HANDLE_TO_FD gives a syncobj fd; FD_TO_HANDLE a new handle to the same syncobj", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h });
    assert.deepEqual(r, { ok: true, value: { fd: fd + 1 } });
    const sfd = (r.ok ? r.value.fd : -1) as Fd;
    assert.equal(m.proc.fds.get(sfd)?.path, "anon_inode:syncobj_file");
    const back = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd });
    assert.deepEqual(back, { ok: true, value: { handle: 2 } });
    const file = m.file(fd);
    assert.equal(file.syncobjs.get(2), file.syncobjs.get(1), "both handles name one syncobj");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: 9 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd })), "EINVAL", "a DRM fd is not a syncobj fd");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: 99 })), "EINVAL", "no such fd");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: 2 })), "EINVAL");
    m.run(() => m.proc.close(fd));
    assert.equal(live(m, "drm_syncobj"), 1, "the syncobj fd keeps it after the DRM file closed");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("DRM_IOCTL_SYNCOBJ_WAIT", () => {
  test("no fence is EINVAL; WAIT_FOR_SUBMIT polls to ETIME; a signalled stub is 0 at once", () => {
    const { m, dev, fd } = setup();
    const empty = create(m, fd);
    const done = create(m, fd, DRM_SYNCOBJ_CREATE_SIGNALED);
    const wait = (handles: number[], flags = 0) =>
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles, count_handles: handles.length, flags });
    assert.equal(answer(wait([empty])), "EINVAL");
    assert.equal(answer(wait([empty], FOR_SUBMIT)), "ETIME");
    assert.deepEqual(wait([empty, done], FOR_SUBMIT), { ok: true, value: { first_signaled: 1 } });
    assert.equal(answer(wait([done, 7])), "ENOENT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [done], count_handles: 2 })), "EFAULT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [], count_handles: 0 })), "EINVAL");
    assert.equal(answer(wait([done], 1 << 2)), "EINVAL", "WAIT_AVAILABLE is for timeline waits");
    assert.equal(m.finishClean(dev), 0);
  });

  test("an absolute timeout ends the wait with ETIME at the first tick at or after it", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    attachFence(m, fd, h);
    const deadlineNs = inUs(m, 5000) + 1n; // 5 ms and 1 ns from now: 5001 µs of waiting
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [h], count_handles: 1, timeout_nsec: deadlineNs });
    assert.equal(answer(r), "ETIME");
    const call = lastCall(m);
    assert.ok(nsFromTicks(call.tick) >= deadlineNs, "not before the deadline");
    assert.ok(nsFromTicks(call.tick) < deadlineNs + 10_000n, "and within a few steps of it");
    const past = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [h], count_handles: 1, timeout_nsec: 1n });
    assert.equal(answer(past), "ETIME", "a time already past only polls");
    assert.equal(m.finishClean(dev), 0);
  });

  test("returns 0 when the first fence signals, even with an error; first_signaled names it", () => {
    const { m, dev, fd } = setup();
    const [a, b] = [create(m, fd), create(m, fd)];
    const [fa, fb] = [attachFence(m, fd, a), attachFence(m, fd, b)];
    signalLater(m, fb, 300, -125);
    signalLater(m, fa, 600);
    const start = m.sim.now;
    const any = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [a, b], count_handles: 2, timeout_nsec: inUs(m, 10_000) });
    assert.deepEqual(any, { ok: true, value: { first_signaled: 1 } });
    const took = lastCall(m).tick - start;
    assert.ok(took >= 300 && took < 600, `returned after ${took} ticks`);
    assert.equal(m.finishClean(dev), 0);
  });

  test("WAIT_ALL returns when the last fence signals; first_signaled stays ~0 if none was at the start", () => {
    const { m, dev, fd } = setup();
    const [a, b] = [create(m, fd), create(m, fd)];
    const [fa, fb] = [attachFence(m, fd, a), attachFence(m, fd, b)];
    // m.run() runs every task to the end: the signallers start after the last setup call.
    signalLater(m, fb, 300);
    signalLater(m, fa, 600);
    const start = m.sim.now;
    const all = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [a, b], count_handles: 2, flags: WAIT_ALL, timeout_nsec: inUs(m, 10_000) });
    assert.deepEqual(all, { ok: true, value: { first_signaled: 0xffffffff } });
    assert.ok(lastCall(m).tick - start >= 600, "it waited for the second fence");
    const again = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [a, b], count_handles: 2, flags: WAIT_ALL });
    assert.deepEqual(again, { ok: true, value: { first_signaled: 0 } }, "both signalled at the start: the first");
    assert.equal(m.finishClean(dev), 0);
  });

  test("WAIT_FOR_SUBMIT waits for a fence to be put in the syncobj, then for the fence", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const syncobj = drmSyncobjLookup(m.file(fd), h)!;
    const fence = dmaFenceInit(m.kernel, OPS, 2n, 1n);
    m.sim.spawn("submitter", (function* (): Task<void> {
      yield sleepTicks(100, step("submit", [], [syncobj, fence]));
      yield* drmSyncobjReplaceFence(syncobj, fence);
      yield* dmaFencePut(fence);
    })());
    signalLater(m, fence, 400);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [h], count_handles: 1, flags: FOR_SUBMIT, timeout_nsec: inUs(m, 10_000) });
    assert.deepEqual(r, { ok: true, value: { first_signaled: 0 } });
    assert.ok(m.sim.now >= 400);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a fatal signal ends the wait with EINTR, and the wait leaves nothing behind", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const fence = attachFence(m, fd, h);
    const arg = { handles: [h], count_handles: 1, timeout_nsec: inUs(m, 1_000_000) };
    const waiter = m.sim.spawn("waiter", (function* (): Task<string> {
      try {
        return answer(yield* m.proc.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, arg));
      } catch (e) {
        if (e instanceof TaskKilled) return "killed";
        throw e;
      }
    })(), { kind: "user" });
    m.sim.spawn("killer", (function* (): Task<void> {
      yield sleepTicks(50);
      m.sim.sendFatalSignal(waiter);
    })());
    m.sim.run();
    assert.equal(waiter.result, "killed", "the process dies on its way back to user mode");
    assert.equal(lastCall(m).errno, "EINTR", "the wait itself ended with -ERESTARTSYS");
    assert.equal(fence.cbList.length, 0, "its fence callback was removed");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("sync_file export and import", () => {
  test("EXPORT_SYNC_FILE: poll is 0 then POLLIN; FILE_INFO status 0, then the error", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: EXPORT })), "EINVAL", "no fence to export");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: 5, flags: EXPORT })), "ENOENT");
    const fence = attachFence(m, fd, h);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: EXPORT });
    assert.ok(r.ok);
    const sfd = r.value.fd as Fd;
    const info = () => m.ioctl(sfd, SYNC_IOC_FILE_INFO, {});
    assert.deepEqual(info(), { ok: true, value: { name: "drmtest-ring1-1", status: 0, num_fences: 1 } });
    assert.deepEqual(m.run(() => m.proc.poll(sfd, POLLIN, 0)), { ok: true, value: 0 });
    signalLater(m, fence, 200, -62);
    assert.deepEqual(m.run(() => m.proc.poll(sfd, POLLIN, 5)), { ok: true, value: POLLIN });
    assert.deepEqual(info(), { ok: true, value: { name: "drmtest-ring1-1", status: -62, num_fences: 1 } });
    assert.equal(answer(m.ioctl(sfd, SYNC_IOC_FILE_INFO, { flags: 1 })), "EINVAL");
    assert.equal(answer(m.ioctl(sfd, SYNC_IOC_FILE_INFO, { num_fences: 1 })), "EFAULT");
    assert.equal(answer(m.ioctl(sfd, DRM_IOCTL_SYNCOBJ_CREATE, {})), "ENOTTY");
    assert.equal(m.finishClean(dev), 0);
  });

  test("IMPORT_SYNC_FILE puts the sync_file's fence in a syncobj; a reset does not touch the file", () => {
    const { m, dev, fd } = setup();
    const src = create(m, fd, DRM_SYNCOBJ_CREATE_SIGNALED);
    const dst = create(m, fd);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: src, flags: EXPORT });
    assert.ok(r.ok);
    const sfd = r.value.fd;
    assert.deepEqual(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd, handle: dst, flags: IMPORT }), { ok: true, value: { handle: dst } });
    const file = m.file(fd);
    assert.equal(file.syncobjs.get(dst)?.fence, file.syncobjs.get(src)?.fence);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd, handle: 9, flags: IMPORT })), "ENOENT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd, handle: dst, flags: IMPORT })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, { handles: [src, dst], count_handles: 2 })), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [dst], count_handles: 1 })), "EINVAL", "reset: no fence");
    assert.deepEqual(m.ioctl(sfd as Fd, SYNC_IOC_FILE_INFO, {}), { ok: true, value: { name: "stub-stub1-0", status: 1, num_fences: 1 } });
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, { handles: [dst], count_handles: 1 })), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [dst], count_handles: 1 })), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, { handles: [dst, 8], count_handles: 2 })), "ENOENT");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, { handles: [dst], count_handles: 0 })), "EINVAL");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("syncobjs after unplug", () => {
  test("every syncobj ioctl is ENODEV; an exported sync_file still answers; close frees all", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const fence = attachFence(m, fd, h);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: EXPORT });
    assert.ok(r.ok);
    const sfd = r.value.fd as Fd;
    m.run(() => drmDevUnplug(dev));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [h], count_handles: 1 })), "ENODEV");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, {})), "ENODEV");
    m.runIn("driver_fini", [fence], function* () {
      dmaFenceSetError(fence, -125);
      dmaFenceSignal(fence);
    });
    m.run(() => m.proc.close(fd));
    assert.deepEqual(m.run(() => m.proc.poll(sfd, POLLIN, 0)), { ok: true, value: POLLIN });
    assert.deepEqual(m.ioctl(sfd, SYNC_IOC_FILE_INFO, {}), { ok: true, value: { name: "drmtest-ring1-1", status: -125, num_fences: 1 } });
    assert.equal(live(m, "dma_fence"), 1, "the sync_file holds the fence");
    assert.equal(m.finishClean(dev), 0);
    assert.equal(live(m, "dma_fence"), 0);
  });
});
