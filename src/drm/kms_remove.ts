/**
 * Taking things off the screen without a client's request: a framebuffer removed (RMFB, or
 * the close of the file that made it) is first taken off every plane that shows it, and its
 * CRTC turned off when that plane is the CRTC's primary; at a driver's remove() every CRTC
 * is turned off (drm_atomic_helper_shutdown()). Both are blocking commits made by the
 * kernel; on an unplugged device they run in software only (the drivers' hardware work is
 * inside drm_dev_enter()), and the disables send the events still waiting for a vblank.
 *
 * A closed file's events still pending are dropped when they come (their file is gone).
 *
 * @see drm_framebuffer_remove(), drm_fb_release() in drm_framebuffer.c;
 *      drm_atomic_helper_shutdown() in drm_atomic_helper.c; drm_events_release() in drm_file.c
 */
import { step, type Task } from "../kernel/mod.js";
import { fail, ok, type DRM_IOCTL_MODE_RMFB, type IoctlIn, type IoctlOutOf, type SysResult } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { modeConfigOf } from "./kms.js";
import { drmPropertyDestroyUserBlobs } from "./kms_blob.js";
import { drmAtomicHelperCommit, kmsObjects, kmsStep } from "./kms_commit.js";
import { drmFramebufferPut, type DrmFramebuffer } from "./kms_fb.js";
import { CRTC_OFF, PLANE_OFF } from "./kms_objects.js";
import { AtomicState, crtcById } from "./kms_state.js";

/** A request that turns off `crtcIds` (with their planes and connectors) and the planes `planeIds`. */
function disableRequest(dev: DrmDevice, crtcIds: ReadonlySet<number>, planeIds: ReadonlySet<number>): AtomicState {
  const mc = modeConfigOf(dev);
  const st = new AtomicState(dev, true);
  for (const id of crtcIds) {
    const crtc = crtcById(mc, id);
    if (crtc !== undefined) st.crtcs.set(crtc, CRTC_OFF);
  }
  for (const p of mc.planes) if (planeIds.has(p.id) || crtcIds.has(p.state.crtcId)) st.planes.set(p, PLANE_OFF);
  for (const c of mc.connectors) if (crtcIds.has(c.crtcId)) st.connectors.set(c, 0);
  return st;
}

/**
 * Takes `fb` off every plane that shows it (the CRTC too when the plane is its primary),
 * in a blocking commit. @see drm_framebuffer_remove(), atomic_remove_fb()
 */
function* drmFramebufferRemove(dev: DrmDevice, fb: DrmFramebuffer): Task<void> {
  const mc = modeConfigOf(dev);
  const planes = mc.planes.filter((p) => p.state.fbId === fb.id);
  if (planes.length > 0) {
    const crtcIds = new Set(mc.crtcs.filter((c) => planes.some((p) => p.id === c.primaryId)).map((c) => c.id));
    const st = disableRequest(dev, crtcIds, new Set(planes.map((p) => p.id)));
    yield* drmAtomicHelperCommit(st, false);
    yield kmsStep(dev, "drm_framebuffer_remove");
  }
  fb.file = null;
  yield* drmFramebufferPut(dev, fb);
}

/** RMFB: removes one of the caller's own framebuffers (ENOENT for another's). @see drm_mode_rmfb() */
export function* drmModeRmfbIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_RMFB>,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_RMFB>>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  yield kmsStep(dev, "drm_mode_rmfb");
  const fb = modeConfigOf(dev).fbs.find((f) => f.id === arg.fb_id && f.file === file);
  if (fb === undefined) return fail("ENOENT");
  yield* drmFramebufferRemove(dev, fb);
  return ok({});
}

/**
 * At close: the file's framebuffers are removed (R44), its blobs let go of, and its events
 * still to come dropped when they come. @see drm_fb_release(), drm_events_release()
 */
export function* drmKmsFileRelease(file: DrmFile): Task<void> {
  const dev = file.dev;
  const mc = dev.modeConfig;
  if (mc === null) return;
  yield step("drm_fb_release", [], kmsObjects(dev));
  for (const crtc of mc.crtcs) {
    for (const a of crtc.vblank.armed) if (a.event?.file === file) a.event.file = null;
    for (const e of crtc.commit?.events ?? []) if (e.file === file) e.file = null;
  }
  drmPropertyDestroyUserBlobs(file);
  for (const fb of mc.fbs.filter((f) => f.file === file)) {
    yield* drmFramebufferRemove(dev, fb);
    yield kmsStep(dev, "drm_fb_release");
  }
}

/**
 * Turns every CRTC off, with its planes and connectors: what a driver's remove() does after
 * drm_dev_unplug(). @see drm_atomic_helper_shutdown()
 */
export function* drmAtomicHelperShutdown(dev: DrmDevice): Task<void> {
  yield kmsStep(dev, "drm_atomic_helper_shutdown");
  const mc = dev.modeConfig;
  if (mc === null) return;
  const st = disableRequest(dev, new Set(mc.crtcs.map((c) => c.id)), new Set(mc.planes.map((p) => p.id)));
  yield* drmAtomicHelperCommit(st, false);
}
