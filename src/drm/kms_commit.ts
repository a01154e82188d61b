/**
 * Committing an atomic request (drm_atomic_helper_commit()): wait for, or refuse (EBUSY when
 * non-blocking), the CRTCs' commits still in flight; swap the new state in; then the commit
 * tail, in the caller (blocking) or in a kernel task of its own (non-blocking): disable what
 * goes off, update the planes, enable what comes on (each the driver's hardware work, inside
 * its own drm_dev_enter()), then arm each CRTC's event for the next vblank and wait until it
 * is on screen (flip_done), and let go of the framebuffers the old state showed.
 *
 * A non-blocking commit's state holds a reference on the device (drm_atomic_state_init()),
 * so its task may outlive the device's removal: its events still come, sent by the next
 * vblank or by the disable of the shutdown (R65).
 *
 * @see drm_atomic_helper_commit(), drm_atomic_helper_setup_commit(),
 *      drm_atomic_helper_commit_tail(), drm_atomic_helper_wait_for_flip_done(),
 *      drm_atomic_helper_cleanup_planes() in drivers/gpu/drm/drm_atomic_helper.c
 */
import { lookupStep, step, waitEvent, type KStruct, type StepYield, type Task } from "../kernel/mod.js";
import { fail, ok, type SysResult } from "../uapi/mod.js";
import type { DmaFence } from "../base/mod.js";
import { drmDevGet, drmDevPut, type DrmDevice } from "./device.js";
import { drmAtomicHelperWaitForFences, drmAtomicPutInFences } from "./kms_in_fence.js";
import { modeConfigOf, type KmsPipeFuncs } from "./kms.js";
import { pendingOutFences } from "./kms_out_fence.js";
import { drmFramebufferGet, drmFramebufferLookup, drmFramebufferPut, type DrmFramebuffer } from "./kms_fb.js";
import { crtcStateMode, drmModeBlobsGc, frameTicks, KmsCommit, type DrmCrtc, type DrmPlane } from "./kms_objects.js";
import { needsModeset, type AtomicState } from "./kms_state.js";
import { drmCrtcArmVblankEvent, drmCrtcVblankOff, drmCrtcVblankOn } from "./kms_vblank.js";

/** How long a commit waits for a flip before it gives up on it (10 s, as the helpers do). */
export const FLIP_DONE_TIMEOUT_TICKS = 10_000_000;

/**
 * What every KMS step may write: the device (its mode config, drm_dev_enter()), its files
 * (events) and the out-fences of events still to be sent.
 */
export function kmsObjects(dev: DrmDevice): KStruct[] {
  return [dev, dev.unplugSrcu, ...dev.files, ...pendingOutFences(dev)];
}

/** A step of the commit machinery named `fn`, declaring kmsObjects() when it runs. */
export function kmsStep(dev: DrmDevice, fn: string): StepYield {
  return lookupStep(fn, () => ({ reads: [], writes: kmsObjects(dev) }));
}

function pipeFuncs(dev: DrmDevice): KmsPipeFuncs | null {
  return modeConfigOf(dev).funcs;
}

/** What the commit changes, worked out when it is swapped in. */
interface CommitPlan {
  readonly commit: KmsCommit;
  readonly crtcs: readonly DrmCrtc[];
  readonly off: readonly DrmCrtc[];
  readonly on: readonly DrmCrtc[];
  readonly planes: readonly { plane: DrmPlane; fb: DrmFramebuffer | null }[];
  /** The framebuffers the old plane states showed: put once the new state is on screen. */
  readonly oldFbs: readonly DrmFramebuffer[];
  /** The planes' in-fences, the commit's to wait for and let go of. */
  readonly inFences: Map<DrmPlane, DmaFence>;
}

/**
 * Waits for (blocking) or refuses with EBUSY (non-blocking) the commits still in flight on
 * the request's CRTCs. @see drm_atomic_helper_setup_commit(), stall_checks()
 */
function* stallChecks(st: AtomicState, nonblock: boolean): Task<SysResult<0>> {
  const dev = st.dev;
  for (const crtc of st.crtcs.keys()) {
    const prev = crtc.commit;
    if (prev === null || prev.flipDone) continue;
    if (nonblock) return fail("EBUSY");
    const reason = `flip_done of commit ${prev.seq} (${dev.label})`;
    yield* waitEvent(crtc.vblank.wake, reason, () => prev.flipDone, FLIP_DONE_TIMEOUT_TICKS, kmsStep(dev, "drm_atomic_helper_setup_commit"));
  }
  return ok(0);
}

/** Puts the new state in place: objects, framebuffer references, the commit on its CRTCs. @see drm_atomic_helper_swap_state() */
function swapState(st: AtomicState): CommitPlan {
  const dev = st.dev;
  const mc = modeConfigOf(dev);
  const commit = new KmsCommit(++mc.commits);
  const crtcs = [...st.crtcs.keys()];
  const off = crtcs.filter((c) => c.state.active && (!st.crtcs.get(c)!.active || needsModeset(st, c)));
  const on = crtcs.filter((c) => st.crtcs.get(c)!.active && (!c.state.active || needsModeset(st, c)));
  const oldFbs: DrmFramebuffer[] = [];
  const planes = [...st.planes].map(([plane, s]) => {
    const old = drmFramebufferLookup(dev, plane.state.fbId);
    if (old !== null && plane.state.fbId !== 0) oldFbs.push(old);
    const fb = s.fbId === 0 ? null : drmFramebufferLookup(dev, s.fbId);
    if (fb !== null) drmFramebufferGet(fb);
    if (fb !== null && s.fbId !== plane.state.fbId) {
      dev.sim.traceDisplay(dev.mem, "flip", s.crtcId, `commit ${commit.seq}: FB ${fb.id} on plane ${plane.id}`);
    }
    plane.state = s;
    return { plane, fb };
  });
  for (const [c, crtcId] of st.connectors) c.crtcId = crtcId;
  for (const crtc of crtcs) {
    crtc.state = st.crtcs.get(crtc)!;
    crtc.commit = commit;
    const ev = st.events.get(crtc);
    if (ev !== undefined) commit.events.push(ev);
  }
  commit.flipsLeft = crtcs.length;
  drmModeBlobsGc(mc);
  const inFences = new Map(st.inFences);
  st.inFences.clear();
  return { commit, crtcs, off, on, planes, oldFbs, inFences };
}

/**
 * Commits a request that passed drmAtomicCheckOnly(): blocking, it returns once the new
 * state is on screen; non-blocking, once the state is swapped in (the tail runs in its own
 * task). @see drm_atomic_helper_commit()
 */
export function* drmAtomicHelperCommit(st: AtomicState, nonblock: boolean): Task<SysResult<0>> {
  const dev = st.dev;
  const stall = yield* stallChecks(st, nonblock);
  if (!stall.ok) return stall;
  if (!nonblock && st.inFences.size > 0) {
    const intr = yield* drmAtomicHelperWaitForFences(st.inFences, true);
    if (intr !== null) return fail(intr); // the caller lets go of the fences
    yield kmsStep(dev, "drm_atomic_helper_commit");
  }
  const plan = swapState(st);
  if (!nonblock) {
    yield* commitTail(dev, plan);
    yield* drmAtomicPutInFences(plan.inFences);
    return ok(0);
  }
  drmDevGet(dev); // the state's reference (drm_atomic_state_init())
  const name = `commit_work ${plan.commit.seq} (${dev.label})`;
  dev.sim.spawn(name, commitWork(dev, plan));
  return ok(0);
}

/** The non-blocking commit's task. @see commit_work() */
function* commitWork(dev: DrmDevice, plan: CommitPlan): Task<void> {
  yield kmsStep(dev, "commit_work");
  if (plan.inFences.size > 0) {
    yield* drmAtomicHelperWaitForFences(plan.inFences, false);
    yield kmsStep(dev, "commit_work");
  }
  yield* commitTail(dev, plan);
  yield* drmAtomicPutInFences(plan.inFences);
  yield* drmDevPut(dev);
}

/** @see drm_atomic_helper_commit_tail() and what it calls, in order */
function* commitTail(dev: DrmDevice, plan: CommitPlan): Task<void> {
  const funcs = pipeFuncs(dev);
  const tail = kmsStep(dev, "drm_atomic_helper_commit_tail");
  const mc = modeConfigOf(dev);
  for (const crtc of plan.off) {
    if (funcs !== null) yield* funcs.disable(dev, crtc);
    yield tail;
    drmCrtcVblankOff(dev, crtc);
  }
  for (const { plane, fb } of plan.planes) {
    if (funcs !== null) yield* funcs.update(dev, plane, fb);
    yield tail;
  }
  for (const crtc of plan.on) {
    const mode = crtcStateMode(mc, crtc.state);
    if (funcs !== null && mode !== null) yield* funcs.enable(dev, crtc, mode);
    yield tail;
    if (funcs?.vblank === true && mode !== null) drmCrtcVblankOn(dev, crtc, frameTicks(mode));
  }
  plan.commit.hwDone = true;
  for (const crtc of plan.crtcs) {
    const ev = plan.commit.events.find((e) => e.crtcId === crtc.id) ?? null;
    drmCrtcArmVblankEvent(dev, crtc, ev, plan.commit);
  }
  yield* waitForFlipDone(dev, plan);
  for (const fb of plan.oldFbs) yield* drmFramebufferPut(dev, fb);
  yield tail;
  for (const crtc of plan.crtcs) if (crtc.commit === plan.commit) crtc.commit = null;
}

/** @see drm_atomic_helper_wait_for_flip_done() */
function* waitForFlipDone(dev: DrmDevice, plan: CommitPlan): Task<void> {
  const commit = plan.commit;
  const crtc = plan.crtcs[0];
  if (crtc === undefined) return;
  const reason = `flip_done of commit ${commit.seq} (${dev.label})`;
  const done = yield* waitEvent(crtc.vblank.wake, reason, () => commit.flipDone, FLIP_DONE_TIMEOUT_TICKS, kmsStep(dev, "drm_atomic_helper_wait_for_flip_done"));
  if (!done) dev.sim.printk(3, `[drm] *ERROR* [CRTC:${crtc.id}:crtc-${crtc.index}] flip_done timed out`);
}
