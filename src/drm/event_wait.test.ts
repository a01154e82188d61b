/**
 * Who can wake a reader of a DRM file once its device is unplugged (event_wait.ts), at the
 * boundary a program and the checker see: a read(2) on the card asleep when the run ends, and
 * the finding it makes, `wait-never-woken` (class hang), or none.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findingSummary, step, TaskKilled, type SimTask } from "../kernel/mod.js";
import {
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_PAGE_FLIP_EVENT,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, modeBlob, modesetRequest, pipeIds, readEvent } from "./_test_kms.js";
import { answer, drmMachine, TEST_KMS_DRIVER, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";
import { drmDevUnplug, type DrmDevice } from "./device.js";
import { drmAtomicHelperShutdown } from "./kms_remove.js";

const UAPI_DOC = { name: "uapi-doc", version: "7.1" } as const;

interface Lit {
  readonly m: DrmMachine;
  readonly dev: DrmDevice;
  readonly fd: Fd;
  flip(): void;
}

/** A lit display whose file had `flips` flip events (each read back); vblank irq per `irq`. */
function litDisplay(flips: number, uapiDoc = false, irq = { on: true }): Lit {
  const m = uapiDoc ? drmMachine(UAPI_DOC) : drmMachine();
  const dev = m.kms(TEST_KMS_DRIVER, { ...TEST_PIPE_FUNCS, vblankIrq: () => irq.on });
  const ids = pipeIds(dev);
  const fd = atomicClient(m);
  const req = modesetRequest(ids, modeBlob(m, fd), addFb(m, fd));
  assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_ALLOW_MODESET, ...req })), "ok");
  const flags = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
  const flip = (): void => assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags, user_data: 1n, ...req })), "ok");
  for (let i = 0; i < flips; i++) {
    flip();
    assert.ok(typeof readEvent(m, fd, 1_000) !== "string");
  }
  return { m, dev, fd, flip };
}

function unplug(l: Lit): void {
  l.m.runIn("test_remove", [l.dev], () => drmDevUnplug(l.dev));
}

/** A read(2) of the card without a time limit, by the process, run until nothing can run. */
function readUntilTheEnd(l: Lit): SimTask {
  const { m, fd } = l;
  const task = m.sim.spawn("reader", (function* () {
    try {
      return yield* m.proc.read(fd, 4096);
    } catch (e) {
      if (e instanceof TaskKilled) return null;
      throw e;
    }
  })(), { kind: "user" });
  m.proc.task = task;
  m.sim.run();
  return task;
}

/** The reader is killed (as the shutdown kills a program) and the machine finishes. */
function finish(l: Lit, reader: SimTask): void {
  l.m.sim.sendFatalSignal(reader);
  l.m.sim.run();
  assert.equal(reader.state, "done");
  l.m.proc.task = null;
  assert.equal(l.m.finishClean(l.dev), 0);
}

function hangs(l: Lit): string[] {
  return l.m.sim.findings.filter((f) => f.kind === "wait-never-woken").map(findingSummary);
}

describe("a reader of a DRM file at the end of the run", () => {
  test("mainline, a file that had events, its device unplugged: a kernel hang naming the reader, its call and its wait", () => {
    const l = litDisplay(2);
    unplug(l);
    const reader = readUntilTheEnd(l);
    assert.equal(reader.state, "blocked");
    assert.deepEqual(hangs(l), [
      "hang: reader sleeps for ever in read(3, 4096) on drm_read on card0: card0 is unplugged: no " +
      "event is queued or owed to the file, no ioctl can ask for one (ENODEV), and the file is not hung up",
    ]);
    l.m.sim.run();
    assert.equal(hangs(l).length, 1, "reported once for the same sleep");
    finish(l, reader);
  });

  test("a file that never had an event waits for nothing the live device would send: no finding", () => {
    const l = litDisplay(0);
    unplug(l);
    const reader = readUntilTheEnd(l);
    assert.equal(reader.state, "blocked");
    assert.deepEqual(hangs(l), []);
    finish(l, reader);
  });

  test("the device still plugged: no finding (a flip may still be asked for)", () => {
    const l = litDisplay(1);
    const reader = readUntilTheEnd(l);
    assert.equal(reader.state, "blocked");
    assert.deepEqual(hangs(l), []);
    finish(l, reader);
  });

  test("uapi-doc: an ioctl still fakes a flip and sends its event (R42): no finding", () => {
    const l = litDisplay(1, true);
    unplug(l);
    const reader = readUntilTheEnd(l);
    assert.equal(reader.state, "blocked");
    assert.deepEqual(hangs(l), []);
    finish(l, reader);
  });

  test("a flip in flight still owes its event: no finding; the shutdown's vblank off sends it (R65) and the read returns", () => {
    const irq = { on: true };
    const l = litDisplay(1, false, irq);
    irq.on = false; // the card is pulled: no vblank comes
    l.flip();
    unplug(l);
    const reader = readUntilTheEnd(l);
    assert.equal(reader.state, "blocked");
    assert.deepEqual(hangs(l), []);
    l.m.runIn("test_remove", [l.dev], function* () {
      yield step("test_remove", [], [l.dev]);
      yield* drmAtomicHelperShutdown(l.dev);
    });
    assert.equal(reader.state, "done", "the event came");
    const r = reader.result as { ok: boolean; value: Uint8Array };
    assert.ok(r.ok && r.value.length === 32, "one flip-complete event");
    l.m.proc.task = null;
    assert.equal(l.m.finishClean(l.dev), 0);
  });

  test("an event owed to another file wakes nobody here: the reader's wait is still a hang", () => {
    const irq = { on: true };
    const l = litDisplay(1, false, irq);
    const { m } = l;
    assert.equal(answer(m.ioctl(l.fd, DRM_IOCTL_DROP_MASTER)), "ok");
    const other = atomicClient(m); // the next opener without a master becomes master
    const ids = pipeIds(l.dev);
    const req = modesetRequest(ids, modeBlob(m, other), addFb(m, other));
    const flags = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
    irq.on = false; // the card is pulled: the other file's flip stays in flight
    assert.equal(answer(m.ioctl(other, DRM_IOCTL_MODE_ATOMIC, { flags, user_data: 2n, ...req })), "ok");
    unplug(l);
    const reader = readUntilTheEnd(l);
    assert.equal(reader.state, "blocked");
    assert.equal(hangs(l).length, 1, "the flip owes its event to the other file, not to the reader's");
    assert.match(hangs(l)[0]!, /^hang: reader sleeps for ever in read\(3, 4096\) on drm_read on card0: /);
    finish(l, reader);
  });
});
