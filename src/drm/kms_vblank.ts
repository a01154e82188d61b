/**
 * Vertical blanking of a CRTC and the events that wait for it: the vblank counter, a timer
 * standing in for the display's vblank interrupt (as vkms's hrtimer does), the events armed
 * for the next vblank, and vblank off, which sends every armed event at once with the
 * current count (R65) so that nobody waits for a vblank that will not come.
 *
 * The counter runs while vblank is on: a vblank every frame of the CRTC's mode since it was
 * turned on. The timer sleeps while nothing waits for a vblank, so an idle display costs
 * the simulation nothing.
 *
 * @see drm_crtc_vblank_on(), drm_crtc_vblank_off(), drm_crtc_handle_vblank(),
 *      drm_crtc_arm_vblank_event(), drm_crtc_send_vblank_event(), send_vblank_event() in
 *      drivers/gpu/drm/drm_vblank.c; vkms_vblank_simulate() in drivers/gpu/drm/vkms
 */
import { dmaFencePutAtomic, dmaFenceSignal } from "../base/mod.js";
import { embeddedStruct, lookupStep, WaitQueue, waitEventInterruptible, type KStruct, type Task } from "../kernel/mod.js";
import { DRM_EVENT_FLIP_COMPLETE, encodeDrmEventVblank } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { modeConfigOf } from "./kms.js";
import { drmSendEvent, type DrmFile } from "./file.js";
import type { DrmCrtc, KmsCommit, PendingVblankEvent } from "./kms_objects.js";

/** The timer task's own stop flag: a plain object, not kernel state the task must declare. */
interface TimerHandle {
  stopped: boolean;
}

/** struct drm_vblank_crtc, with the timer that makes its interrupts. */
export class KmsVblank {
  /** Vblank interrupts are on (drm_crtc_vblank_on() .. drm_crtc_vblank_off()). */
  on = false;
  /** The count when vblank was last turned on, and the tick it was. */
  baseCount = 0;
  onTick = 0;
  frame = 16_667;
  /** Events to send at the next vblank, with the commit each completes (or null). */
  readonly armed: { event: PendingVblankEvent | null; commit: KmsCommit | null }[] = [];
  timer: TimerHandle | null = null;
  constructor(readonly wake: WaitQueue) {}
}
embeddedStruct(KmsVblank);

export function kmsVblankNew(dev: DrmDevice, name: string): KmsVblank {
  return new KmsVblank(new WaitQueue(dev.sim, `vblank ${name}`));
}

/** The vblank count now: the vblanks since it was turned on, added to the count then. */
export function drmCrtcVblankCount(dev: DrmDevice, v: KmsVblank): number {
  if (!v.on) return v.baseCount;
  return v.baseCount + Math.floor((dev.sim.now - v.onTick) / v.frame);
}

/** The files the armed events go to (the vblank steps write them). */
export function vblankEventFiles(v: KmsVblank): DrmFile[] {
  return v.armed.flatMap((a) => (a.event?.file == null ? [] : [a.event.file]));
}

/**
 * Sends `event` with vblank count `seq`, stamped now (CLOCK_MONOTONIC from the simulated
 * clock); an event whose file is closed is dropped. Its out-fence, if any, signals. The
 * caller's step writes the file and the fence.
 * @see send_vblank_event()
 */
export function drmSendVblankEvent(dev: DrmDevice, event: PendingVblankEvent, seq: number): void {
  const fence = event.fence;
  if (fence !== undefined) {
    // The out-fence signals with the event, and the event lets go of it (drm_send_event_helper()).
    dmaFenceSignal(fence);
    dmaFencePutAtomic(fence);
  }
  const file = event.file;
  if (file === null) return;
  const now = dev.sim.now;
  const type = event.type === DRM_EVENT_FLIP_COMPLETE ? "flip-complete" : "vblank";
  const to = `${type} event, sequence ${seq >>> 0}, user_data ${event.userData}, to ${file.mem.label}`;
  dev.sim.traceDisplay(dev.mem, "vblank-event", event.crtcId, to);
  drmSendEvent(
    file,
    encodeDrmEventVblank({
      type: event.type,
      user_data: event.userData,
      tv_sec: Math.floor(now / 1_000_000),
      tv_usec: now % 1_000_000,
      sequence: seq >>> 0,
      crtc_id: event.crtcId,
    }),
  );
}

/** Sends every armed event with the current count and completes their commits' flips. */
function sendArmed(dev: DrmDevice, v: KmsVblank): void {
  const seq = drmCrtcVblankCount(dev, v);
  for (const { event, commit } of v.armed.splice(0)) {
    if (event !== null) drmSendVblankEvent(dev, event, seq);
    if (commit !== null) kmsCommitFlipDone(commit);
  }
  v.wake.wakeUpAll();
}

/** A commit's flip is on screen: its waiters may go on. @see complete_all(&commit->flip_done) */
export function kmsCommitFlipDone(commit: KmsCommit): void {
  commit.flipsLeft--;
  if (commit.flipsLeft <= 0) commit.flipDone = true;
}

/**
 * Arms `event` (or only the completion of `commit`) for the next vblank; with vblank off
 * (a CRTC being disabled, or one without vblank interrupts) it goes at once with the current
 * count, as drm_atomic_helper_fake_vblank() and a disable's event do. The caller's step
 * writes the device and the event's file.
 * @see drm_crtc_arm_vblank_event()
 */
export function drmCrtcArmVblankEvent(
  dev: DrmDevice,
  crtc: DrmCrtc,
  event: PendingVblankEvent | null,
  commit: KmsCommit | null,
): void {
  const v = crtc.vblank;
  v.armed.push({ event, commit });
  if (!v.on) sendArmed(dev, v);
  else v.wake.wakeUpAll();
}

/**
 * Turns vblank interrupts on for a CRTC showing a mode of `frame` ticks, and starts the
 * timer. The caller's step writes the device. @see drm_crtc_vblank_on()
 */
export function drmCrtcVblankOn(dev: DrmDevice, crtc: DrmCrtc, frame: number): void {
  const v = crtc.vblank;
  if (v.on) return;
  v.on = true;
  v.onTick = dev.sim.now;
  v.frame = frame;
  const handle: TimerHandle = { stopped: false };
  v.timer = handle;
  dev.sim.spawn(`vblank timer crtc-${crtc.index} (${dev.label})`, vblankTimer(dev, crtc, handle));
}

/**
 * Turns vblank interrupts off: every armed event goes now, with the current count (R65),
 * and the timer stops. The caller's step writes the device and the events' files.
 * @see drm_crtc_vblank_off()
 */
export function drmCrtcVblankOff(dev: DrmDevice, crtc: DrmCrtc): void {
  const v = crtc.vblank;
  if (!v.on) return;
  v.baseCount = drmCrtcVblankCount(dev, v);
  v.on = false;
  if (v.timer !== null) v.timer.stopped = true;
  v.timer = null;
  sendArmed(dev, v);
}

/** The device, the files and out-fences of the armed events: what a vblank step writes. */
export function vblankObjects(dev: DrmDevice, crtc: DrmCrtc): KStruct[] {
  const fences = crtc.vblank.armed.flatMap((a) => (a.event?.fence === undefined ? [] : [a.event.fence]));
  return [dev, ...vblankEventFiles(crtc.vblank), ...fences];
}

/**
 * The vblank interrupt: while events are armed, wakes at each vblank and sends them (with
 * their commits' flips done); otherwise sleeps until one is armed. Ends at vblank off.
 * @see drm_crtc_handle_vblank(), vkms_vblank_simulate()
 */
function* vblankTimer(dev: DrmDevice, crtc: DrmCrtc, handle: TimerHandle): Task<void> {
  const again = lookupStep("drm_crtc_handle_vblank", () =>
    handle.stopped ? { reads: [], writes: [] } : { reads: [], writes: vblankObjects(dev, crtc) },
  );
  yield again;
  const v = crtc.vblank;
  const reason = `vblank crtc-${crtc.index} (${dev.label})`;
  while (!handle.stopped) {
    if (v.armed.length === 0) {
      yield* waitEventInterruptible(v.wake, reason, () => handle.stopped || v.armed.length > 0, null, again);
      continue;
    }
    if (modeConfigOf(dev).funcs?.vblankIrq?.(dev) === false) {
      // No more interrupts: what is armed goes out at vblank off.
      yield* waitEventInterruptible(v.wake, reason, () => handle.stopped, null, again);
      continue;
    }
    const count = drmCrtcVblankCount(dev, v);
    const next = v.onTick + (count - v.baseCount + 1) * v.frame;
    const r = yield* waitEventInterruptible(v.wake, reason, () => handle.stopped, next - dev.sim.now, again);
    if (r !== "timed-out" || handle.stopped) continue;
    sendArmed(dev, v);
  }
}
