/**
 * Explicit fencing out of a commit: a CRTC's OUT_FENCE_PTR is a user pointer to an `s32`.
 * Setting it writes -1 there at once (an address nothing maps is EFAULT, and the request
 * stops); a commit that is not TEST_ONLY then gives each such CRTC an event carrying a new
 * fence on the CRTC's timeline (even without DRM_MODE_PAGE_FLIP_EVENT: the event is how the
 * fence signals) and a sync_file of it. Once the commit has succeeded, each sync_file is
 * installed as a close-on-exec fd of the caller and the fd written through its pointer; the
 * fence signals when the event is sent, at the vblank that puts the commit on screen (or at
 * once, for a commit faked after unplug under uapi-doc). A commit that fails writes -1 again
 * and lets go of its fences, which nobody saw. A TEST_ONLY commit makes none: the pointer
 * keeps the -1. An out-fence on a CRTC that is off before and after is an event from a CRTC
 * that stays off: EINVAL, as drm_atomic_crtc_check() has it.
 *
 * Linux reserves the fd number and writes it before the commit, and installs the file after;
 * the model installs and writes both after, which no single-threaded program can tell apart.
 *
 * @see drm_atomic_crtc_set_property() ("OUT_FENCE_PTR"), prepare_signaling(),
 *      setup_out_fence(), complete_signaling() in drivers/gpu/drm/drm_atomic_uapi.c;
 *      drm_crtc_create_fence() in drm_crtc.c; drm_send_event_helper() in drm_file.c
 */
import {
  currentProcess,
  dmaFenceInit,
  dmaFencePut,
  fdInstall,
  fput,
  syncFileCreate,
  syncFileOf,
  type DmaFence,
  type DmaFenceOps,
  type KFile,
} from "../base/mod.js";
import { lookupStep, type KStruct, type StepYield, type Task } from "../kernel/mod.js";
import { DRM_EVENT_FLIP_COMPLETE, O_CLOEXEC, type ErrnoName } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import type { DrmCrtc } from "./kms_objects.js";
import { newCrtcState, type AtomicState } from "./kms_state.js";

/** A CRTC's out-fence of one commit: where its fd goes, the fence, and its sync_file. */
export interface OutFence {
  readonly crtc: DrmCrtc;
  readonly ptr: bigint;
  readonly fence: DmaFence;
  readonly syncFile: KFile;
}

/** An `s32` as the bytes put_user() writes on x86-64. */
function s32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** put_user() of `v` to `ptr` in the caller's memory, then `resume`: 0 or EFAULT. */
function* putUserS32(dev: DrmDevice, ptr: bigint, v: number, resume: StepYield): Task<0 | "EFAULT"> {
  const r = yield* currentProcess(dev.kernel).copyToUser(ptr, s32Bytes(v));
  yield resume;
  return r;
}

/**
 * OUT_FENCE_PTR `v` of `crtc`: 0 sets nothing; any other pointer gets -1 written through it
 * (EFAULT if that faults) and is kept for the commit. The caller's `resume` step declares
 * what the request goes on to touch.
 */
export function* drmAtomicSetOutFencePtr(
  st: AtomicState,
  crtc: DrmCrtc,
  v: bigint,
  resume: StepYield,
): Task<ErrnoName | null> {
  st.crtcs.set(crtc, newCrtcState(st, crtc)); // the CRTC joins the request (drm_atomic_get_crtc_state())
  if (v === 0n) return null;
  if ((yield* putUserS32(st.dev, v, -1, resume)) !== 0) return "EFAULT";
  st.outFencePtrs.set(crtc, v);
  return null;
}

/** The CRTC's fence ops: the driver's name, and the timeline "CRTC:<id>-<name>". */
function crtcFenceOps(dev: DrmDevice, crtc: DrmCrtc): DmaFenceOps {
  const timeline = `CRTC:${crtc.id}-${crtc.name}`;
  return { getDriverName: () => dev.driver.name, getTimelineName: () => timeline };
}

/** The next fence on the CRTC's timeline, one reference held. @see drm_crtc_create_fence() */
function drmCrtcCreateFence(dev: DrmDevice, crtc: DrmCrtc): DmaFence {
  crtc.fenceSeqno++;
  return dmaFenceInit(dev.kernel, crtcFenceOps(dev, crtc), crtc.fenceContext, crtc.fenceSeqno, dev, dev.label);
}

/**
 * For each CRTC of the request with an out-fence pointer, its fence on the CRTC's event
 * (one made for it when the request asked for none) and a sync_file of it, not yet
 * installed. Not for TEST_ONLY. @see prepare_signaling()
 */
export function drmAtomicPrepareOutFences(st: AtomicState, userData: bigint): OutFence[] {
  const out: OutFence[] = [];
  const dev = st.dev;
  const pid = currentProcess(dev.kernel).pid;
  for (const crtc of st.crtcs.keys()) {
    const ptr = st.outFencePtrs.get(crtc);
    if (ptr === undefined) continue;
    const fence = drmCrtcCreateFence(dev, crtc);
    const ev = st.events.get(crtc) ?? { file: null, type: DRM_EVENT_FLIP_COMPLETE, userData, crtcId: crtc.id };
    st.events.set(crtc, { ...ev, fence });
    out.push({ crtc, ptr, fence, syncFile: syncFileCreate(dev.kernel, fence, pid) });
  }
  return out;
}

/** What finishing the out-fences touches: each fence, sync_file and its file. */
export function outFenceObjects(fences: readonly OutFence[]): KStruct[] {
  return fences.flatMap((f) => {
    const s = syncFileOf(f.syncFile);
    return s === null ? [f.fence, f.syncFile] : [f.fence, f.syncFile, s];
  });
}

/**
 * After the commit: on success each sync_file becomes a close-on-exec fd of the caller and
 * the fd is written through its pointer; on failure the events' fences are let go of (their
 * events are dropped), the sync_files released, and -1 written again.
 * @see complete_signaling()
 */
export function* drmAtomicCompleteOutFences(
  dev: DrmDevice,
  fences: readonly OutFence[],
  install: boolean,
  resume: StepYield,
): Task<void> {
  if (fences.length === 0) return;
  yield lookupStep("complete_signaling", () => ({ reads: [], writes: outFenceObjects(fences) }));
  for (const f of fences) {
    if (install) {
      const fd = fdInstall(dev.kernel, f.syncFile, O_CLOEXEC);
      yield* putUserS32(dev, f.ptr, fd, resume);
      continue;
    }
    yield* dmaFencePut(f.fence); // the dropped event's reference
    yield* fput(dev.kernel, f.syncFile);
    yield* putUserS32(dev, f.ptr, -1, resume);
  }
}

/** The out-fences of events still to be sent on the device's CRTCs (commits in flight, armed). */
export function pendingOutFences(dev: DrmDevice): DmaFence[] {
  const mc = dev.modeConfig;
  if (mc === null) return [];
  const out: DmaFence[] = [];
  for (const c of mc.crtcs) {
    for (const a of c.vblank.armed) if (a.event?.fence !== undefined) out.push(a.event.fence);
    for (const e of c.commit?.events ?? []) if (e.fence !== undefined) out.push(e.fence);
  }
  return out;
}
