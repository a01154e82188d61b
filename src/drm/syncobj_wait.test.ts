/**
 * DRM_IOCTL_SYNCOBJ_WAIT at the errno boundary: missing fences, WAIT_FOR_SUBMIT, absolute
 * timeouts on the virtual clock, the first or every fence, and a signal ending the wait.
 *
 * @see drm_syncobj_wait_ioctl(), drm_syncobj_array_wait_timeout()
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dmaFenceInit, dmaFencePut } from "../base/mod.js";
import { nsFromTicks, sleepTicks, step, TaskKilled, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_SYNCOBJ_RESET,
  DRM_IOCTL_SYNCOBJ_SIGNAL,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_SYNCOBJ_CREATE_SIGNALED,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL as WAIT_ALL,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT as FOR_SUBMIT,
} from "../uapi/mod.js";
import {
  attachFence,
  create,
  inUs,
  OPS,
  setup,
  signalLater,
} from "./_test_syncobj.js";
import { answer, lastCall } from "./_testing.js";
import { drmSyncobjLookup, drmSyncobjReplaceFence } from "./syncobj.js";

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
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [done], count_handles: 2 })),
      "EFAULT",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [], count_handles: 0 })),
      "EINVAL",
    );
    assert.equal(answer(wait([done], 1 << 2)), "EINVAL", "WAIT_AVAILABLE is for timeline waits");
    assert.equal(m.finishClean(dev), 0);
  });

  test("an absolute timeout ends the wait with ETIME at the first tick at or after it", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    attachFence(m, fd, h);
    const deadlineNs = inUs(m, 5000) + 1n; // 5 ms and 1 ns from now: 5001 µs of waiting
    const r = m.ioctl(
      fd,
      DRM_IOCTL_SYNCOBJ_WAIT,
      { handles: [h], count_handles: 1, timeout_nsec: deadlineNs },
    );
    assert.equal(answer(r), "ETIME");
    const call = lastCall(m);
    assert.ok(nsFromTicks(call.tick) >= deadlineNs, "not before the deadline");
    assert.ok(nsFromTicks(call.tick) < deadlineNs + 10_000n, "and within a few steps of it");
    const past = m.ioctl(
      fd,
      DRM_IOCTL_SYNCOBJ_WAIT,
      { handles: [h], count_handles: 1, timeout_nsec: 1n },
    );
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
    const any = m.ioctl(
      fd,
      DRM_IOCTL_SYNCOBJ_WAIT,
      { handles: [a, b], count_handles: 2, timeout_nsec: inUs(m, 10_000) },
    );
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
    const all = m.ioctl(
      fd,
      DRM_IOCTL_SYNCOBJ_WAIT,
      { handles: [a, b], count_handles: 2, flags: WAIT_ALL, timeout_nsec: inUs(m, 10_000) },
    );
    assert.deepEqual(all, { ok: true, value: { first_signaled: 0xffffffff } });
    assert.ok(lastCall(m).tick - start >= 600, "it waited for the second fence");
    const again = m.ioctl(
      fd,
      DRM_IOCTL_SYNCOBJ_WAIT,
      { handles: [a, b], count_handles: 2, flags: WAIT_ALL },
    );
    assert.deepEqual(
      again,
      { ok: true, value: { first_signaled: 0 } },
      "both signalled at the start: the first",
    );
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
    const r = m.ioctl(
      fd,
      DRM_IOCTL_SYNCOBJ_WAIT,
      { handles: [h], count_handles: 1, flags: FOR_SUBMIT, timeout_nsec: inUs(m, 10_000) },
    );
    assert.deepEqual(r, { ok: true, value: { first_signaled: 0 } });
    assert.ok(m.sim.now >= 400);
    assert.equal(m.finishClean(dev), 0);
  });

  test("WAIT_FOR_SUBMIT keeps waiting through a RESET of the empty syncobj; a SIGNAL ends it", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const arrays = { handles: [h], count_handles: 1 };
    const log: string[] = [];
    m.sim.spawn("other thread", (function* (): Task<void> {
      yield sleepTicks(100);
      log.push(`reset ${answer(yield* m.proc.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, arrays))}`);
      yield sleepTicks(200);
      log.push(`signal ${answer(yield* m.proc.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, arrays))}`);
    })(), { kind: "user" });
    const start = m.sim.now;
    const r = m.ioctl(
      fd,
      DRM_IOCTL_SYNCOBJ_WAIT,
      { ...arrays, flags: FOR_SUBMIT, timeout_nsec: inUs(m, 10_000) },
    );
    assert.deepEqual(r, { ok: true, value: { first_signaled: 0 } });
    assert.deepEqual(log, ["reset ok", "signal ok"]);
    assert.ok(lastCall(m).tick - start >= 300, "a reset puts no fence in: it waited for the signal");
    const reasons = m.sim.trace.events.flatMap((e) => (e.t === "block" ? [e.reason] : []));
    assert.deepEqual(
      [...new Set(reasons.filter((r) => r.startsWith("drm_syncobj_wait")))],
      ["drm_syncobj_wait on (no fence yet)"],
      "what the waiter is blocked on",
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("a wait that ends leaves another thread's WAIT_FOR_SUBMIT on the same syncobj in place", () => {
    // A waits for the syncobj's fence F; the syncobj is reset and B waits for a new fence in
    // it; F signals and A returns; then SIGNAL puts a fence in: B must be woken.
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const fence = attachFence(m, fd, h);
    const log: string[] = [];
    const waiter = (name: string, afterTicks: number) => m.sim.spawn(name, (function* (): Task<void> {
      yield sleepTicks(afterTicks);
      const arg = { handles: [h], count_handles: 1, flags: FOR_SUBMIT, timeout_nsec: inUs(m, 5000) };
      const r = yield* m.proc.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, arg);
      log.push(`${name} ${answer(r)}`);
    })(), { kind: "user" });
    waiter("A", 0);
    m.sim.spawn("resetter", (function* (): Task<void> {
      yield sleepTicks(100);
      const list = { handles: [h], count_handles: 1 };
      log.push(`reset ${answer(yield* m.proc.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, list))}`);
      yield sleepTicks(400);
      log.push(`signal ${answer(yield* m.proc.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, list))}`);
    })(), { kind: "user" });
    waiter("B", 200);
    signalLater(m, fence, 300);
    m.sim.run();
    assert.deepEqual(log, ["reset ok", "A ok", "signal ok", "B ok"]);
    assert.ok(m.sim.now < 5000, "B returned at the signal, not at its timeout");
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
