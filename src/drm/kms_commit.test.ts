/**
 * What a commit does after its checks, as the driver and the timeline see it: the driver's
 * hardware work in the helpers' order (disable what goes off, update the planes, enable what
 * comes on; a flip only updates), the flips and events on the timeline with the commit's
 * number, a blocking commit that waits for the flip still in flight on its CRTC, and one
 * whose flip never comes (the hardware stopped raising vblanks) giving up after 10 s.
 *
 * @see drm_atomic_helper_commit(), drm_atomic_helper_setup_commit(),
 *      drm_atomic_helper_commit_tail(), drm_atomic_helper_wait_for_flip_done() in
 *      drivers/gpu/drm/drm_atomic_helper.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { step, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_PAGE_FLIP_EVENT,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, atomicSetup, joinRequests, kmsPipes, modeBlob, modesetRequest, pipeIds, readEvent, type AtomicSetup, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, TEST_KMS_DRIVER, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";
import type { KmsPipeFuncs } from "./kms.js";
import { FLIP_DONE_TIMEOUT_TICKS } from "./kms_commit.js";
import { MODE_1024X768_60 } from "./kms_objects.js";
import { drmAtomicHelperShutdown } from "./kms_remove.js";

const FRAME = 16_667; // one refresh of 1024x768@60, in ticks (µs)
const MODESET = DRM_MODE_ATOMIC_ALLOW_MODESET;

/** The test display's hardware, writing each operation it is asked for to `log`. */
function loggingFuncs(log: string[], over: Partial<KmsPipeFuncs> = {}): KmsPipeFuncs {
  return {
    ...TEST_PIPE_FUNCS,
    *enable(dev, crtc, mode): Task<void> {
      yield step("drmtest_pipe_enable", [dev]);
      log.push(`enable ${crtc.name} ${mode.hdisplay}x${mode.vdisplay}@${mode.vrefresh}`);
    },
    *disable(dev, crtc): Task<void> {
      yield step("drmtest_pipe_disable", [dev]);
      log.push(`disable ${crtc.name}`);
    },
    *update(dev, plane, fb): Task<void> {
      yield step("drmtest_pipe_update", [dev]);
      log.push(`update plane ${plane.id}: FB ${fb?.id ?? 0}`);
    },
    ...over,
  };
}

interface Setup extends AtomicSetup {
  /** A commit of `objs` (each an object id and its (property, value) pairs), blocking unless `flags` says. */
  commit(objs: Parameters<typeof atomicRequest>[0], flags?: number, userData?: bigint): string;
}

function setup(funcs: KmsPipeFuncs = TEST_PIPE_FUNCS): Setup {
  const m = drmMachine();
  const dev = m.kms(TEST_KMS_DRIVER, funcs);
  const base = atomicSetup(m, dev);
  const commit = (objs: Parameters<typeof atomicRequest>[0], flags = 0, userData = 0n) =>
    answer(m.ioctl(base.fd, DRM_IOCTL_MODE_ATOMIC, { flags, user_data: userData, ...atomicRequest(objs) }));
  return { ...base, commit };
}

/** The plane's properties showing `fb` over the whole 1024x768 mode. */
function planeOn(ids: PipeIds, fb: number): [number, bigint][] {
  const req = modesetRequest(ids, 0, fb);
  const at = req.count_props_ptr[0]! + req.count_props_ptr[1]!;
  return req.props_ptr.slice(at).map((p, i) => [p, req.prop_values_ptr[at + i]!]);
}

/** The details of the timeline's display marks of kind `what`. */
function displayMarks(m: DrmMachine, what: "flip" | "vblank-event"): string[] {
  return m.sim.trace.events.flatMap((e) => (e.t === "display" && e.what === what ? [e.detail] : []));
}

describe("the commit tail (drm_atomic_helper_commit_tail())", () => {
  test("the driver disables what goes off, updates the planes, enables what comes on; a flip only updates its plane", () => {
    const log: string[] = [];
    const s = setup(loggingFuncs(log));
    const { ids, m } = s;
    const p = (n: string) => ids.prop(n);
    const fb2 = addFb(m, s.fd);
    const mode70 = m.ioctl(s.fd, DRM_IOCTL_MODE_CREATEPROPBLOB, {
      data: [{ ...MODE_1024X768_60, clock: 75000, htotal: 1328, vrefresh: 70 }], length: 68,
    });
    assert.ok(mode70.ok);
    const steps = (objs: Parameters<typeof atomicRequest>[0], flags = 0): string[] => {
      log.length = 0;
      assert.equal(s.commit(objs, flags), "ok");
      return [...log];
    };
    const crtc = (active: bigint, mode: number): [number, [number, bigint][]] =>
      [ids.crtc, [[p("ACTIVE"), active], [p("MODE_ID"), BigInt(mode)]]];
    const connector: [number, [number, bigint][]] = [ids.connector, [[p("CRTC_ID"), BigInt(ids.crtc)]]];
    assert.deepEqual(steps([connector, crtc(1n, s.mode), [ids.plane, planeOn(ids, s.fb)]], MODESET), [
      `update plane ${ids.plane}: FB ${s.fb}`,
      "enable crtc-0 1024x768@60",
    ]);
    assert.deepEqual(steps([[ids.plane, planeOn(ids, fb2)]]), [`update plane ${ids.plane}: FB ${fb2}`], "a flip");
    assert.deepEqual(steps([crtc(1n, mode70.value.blob_id), [ids.plane, planeOn(ids, fb2)]], MODESET), [
      "disable crtc-0",
      `update plane ${ids.plane}: FB ${fb2}`,
      "enable crtc-0 1024x768@70",
    ], "a mode change: off, then on again");
    assert.deepEqual(steps([crtc(0n, mode70.value.blob_id)], MODESET), ["disable crtc-0"], "inactive, still enabled");
    assert.deepEqual(steps([
      [ids.connector, [[p("CRTC_ID"), 0n]]],
      crtc(0n, 0),
      [ids.plane, [[p("FB_ID"), 0n], [p("CRTC_ID"), 0n]]],
    ], MODESET), [`update plane ${ids.plane}: FB 0`], "off: the CRTC was inactive already");
    assert.equal(m.finishClean(s.dev), 0);
  });

  test("the timeline shows each new framebuffer with its commit's number, and each event with its sequence, user data and file", () => {
    const s = setup();
    const { ids, m } = s;
    const fb2 = addFb(m, s.fd);
    const req = modesetRequest(ids, s.mode, s.fb);
    assert.equal(answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...req })), "ok");
    assert.equal(s.commit([[ids.plane, planeOn(ids, fb2)]], DRM_MODE_PAGE_FLIP_EVENT, 7n), "ok");
    assert.equal(s.commit([[ids.plane, planeOn(ids, fb2)]], DRM_MODE_PAGE_FLIP_EVENT, 8n), "ok", "the same framebuffer again");
    assert.deepEqual(displayMarks(m, "flip"), [
      `commit 1: FB ${s.fb} on plane ${ids.plane}`,
      `commit 2: FB ${fb2} on plane ${ids.plane}`,
    ]);
    const file = m.file(s.fd).mem.label;
    const events = displayMarks(m, "vblank-event");
    assert.equal(events.length, 2);
    assert.match(events[0]!, new RegExp(`^flip-complete event, sequence \\d+, user_data 7, to ${file.replace(/[()[\]]/g, "\\$&")}$`));
    assert.match(events[1]!, /^flip-complete event, sequence \d+, user_data 8, to /);
    assert.equal(m.finishClean(s.dev), 0);
  });

  test("a non-blocking commit's work runs in a task of its own, named after the commit; the trace names the helpers it runs", () => {
    const s = setup();
    const { ids, m } = s;
    const req = modesetRequest(ids, s.mode, s.fb);
    const flags = MODESET | DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
    assert.equal(answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags, ...req })), "ok");
    assert.ok(typeof readEvent(m, s.fd) !== "string");
    const spawned = m.sim.trace.events.flatMap((e) => (e.t === "spawn" ? [e.name] : []));
    assert.ok(spawned.includes(`commit_work 1 (${s.dev.label})`), spawned.join(", "));
    assert.ok(spawned.includes(`vblank timer crtc-0 (${s.dev.label})`), spawned.join(", "));
    const steps = m.sim.trace.events.flatMap((e) => (e.t === "step" ? [e.fn] : []));
    const work = steps.indexOf("commit_work");
    const tail = steps.indexOf("drm_atomic_helper_commit_tail", work);
    const wait = steps.indexOf("drm_atomic_helper_wait_for_flip_done", tail);
    assert.ok(work >= 0 && tail > work && wait > tail, "commit_work, then the tail, then the wait for the flip");
    assert.ok(steps.includes("drm_crtc_handle_vblank"), "the vblank interrupt sent the event");
    const blocks = m.sim.trace.events.flatMap((e) => (e.t === "block" ? [e.reason] : []));
    assert.ok(blocks.includes(`flip_done of commit 1 (${s.dev.label})`), blocks.join(", "));
    assert.ok(blocks.includes(`vblank crtc-0 (${s.dev.label})`), blocks.join(", "));
    assert.equal(m.finishClean(s.dev), 0);
  });
});

describe("waiting for flips", () => {
  test("a blocking commit waits for the flip still in flight on its CRTC, then goes on (drm_atomic_helper_setup_commit())", () => {
    const s = setup();
    const { ids, m } = s;
    const req = modesetRequest(ids, s.mode, s.fb);
    assert.equal(answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...req })), "ok");
    const fb2 = addFb(m, s.fd);
    const start = m.sim.now;
    const flip = atomicRequest([[ids.plane, planeOn(ids, fb2)]]);
    const back = atomicRequest([[ids.plane, planeOn(ids, s.fb)]]);
    const [first, second, took] = m.run(function* () {
      const a = yield* m.proc.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT, ...flip });
      const b = yield* m.proc.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0, ...back });
      return [answer(a), answer(b), m.sim.now - start] as const;
    });
    assert.deepEqual([first, second], ["ok", "ok"]);
    assert.ok(took < 3 * FRAME, `the second returned ${took} ticks after: once the first's flip and its own were done`);
    const e = readEvent(m, s.fd);
    assert.ok(typeof e !== "string", String(e));
    const steps = m.sim.trace.events.flatMap((ev) => (ev.t === "step" ? [ev.fn] : []));
    assert.ok(steps.includes("drm_atomic_helper_setup_commit"), "the stall is drm_atomic_helper_setup_commit()'s");
    const user = new Set(m.sim.trace.events.flatMap((ev) => (ev.t === "spawn" && ev.kind === "user" ? [ev.task] : [])));
    const blocks = m.sim.trace.events.flatMap((ev) => (ev.t === "block" && user.has(ev.task) ? [ev.reason] : []));
    assert.ok(blocks.includes(`flip_done of commit 2 (${s.dev.label})`), `the caller waited: ${blocks.join(", ")}`);
    assert.equal(m.finishClean(s.dev), 0);
  });

  test("with no vblank coming any more, a blocking flip gives up after 10 s and says so; a flip that is done says nothing", () => {
    const irq = { on: true };
    const s = setup({ ...TEST_PIPE_FUNCS, vblankIrq: () => irq.on });
    const { ids, m } = s;
    const req = modesetRequest(ids, s.mode, s.fb);
    assert.equal(answer(m.ioctl(s.fd, DRM_IOCTL_MODE_ATOMIC, { flags: MODESET, ...req })), "ok");
    assert.equal(s.commit([[ids.plane, planeOn(ids, addFb(m, s.fd))]]), "ok");
    assert.deepEqual(m.sim.kmsg.filter((l) => l.includes("flip_done")), [], "both flips were done");
    irq.on = false;
    const start = m.sim.now;
    assert.equal(s.commit([[ids.plane, planeOn(ids, s.fb)]]), "ok");
    assert.ok(m.sim.now - start >= FLIP_DONE_TIMEOUT_TICKS, "returned after the helpers' 10 s");
    assert.deepEqual(m.sim.kmsg.filter((l) => l.includes("flip_done")), [
      `<3>[drm] *ERROR* [CRTC:${ids.crtc}:crtc-0] flip_done timed out`,
    ]);
    m.runIn("test_remove", [s.dev], () => drmAtomicHelperShutdown(s.dev));
    const timer = m.sim.trace.events.find((e) => e.t === "spawn" && e.name.startsWith("vblank timer"));
    assert.ok(timer?.t === "spawn");
    assert.ok(m.sim.trace.events.some((e) => e.t === "exit" && e.task === timer.task), "the disable ended the vblank timer");
    assert.equal(m.finishClean(s.dev), 0);
  });
});

describe("a commit over two CRTCs", () => {
  test("each CRTC sends its own event", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const fd = atomicClient(m);
    const [a, b] = [pipeIds(dev, 0), pipeIds(dev, 1)];
    const mode = modeBlob(m, fd);
    const one = modesetRequest(a, mode, addFb(m, fd));
    const two = modesetRequest(b, mode, addFb(m, fd));
    const both = joinRequests(one, two);
    const flags = MODESET | DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags, user_data: 3n, ...both })), "ok");
    const events = [readEvent(m, fd), readEvent(m, fd)].map((e) => (typeof e === "string" ? e : e.crtc_id));
    assert.deepEqual(events.sort(), [a.crtc, b.crtc].sort());
    assert.equal(m.finishClean(dev), 0);
  });
});
