/**
 * The legacy modesetting ioctls, done as the atomic helpers do them: SETCRTC (a mode, a
 * framebuffer and connectors on a CRTC, or the CRTC off) as one blocking atomic commit that
 * may modeset, and PAGE_FLIP (another framebuffer on the CRTC's primary plane at the next
 * vblank, optionally with a flip-complete event) as a non-blocking one: EBUSY while the
 * previous flip is still pending.
 *
 * After unplug (uapi-doc profile only) both succeed without changing anything, the flip's
 * event sent at once (D3, R42).
 *
 * @see drm_mode_setcrtc() in drm_crtc.c, drm_mode_page_flip_ioctl() in drm_plane.c,
 *      drm_atomic_helper_set_config(), drm_atomic_helper_page_flip() in drm_atomic_helper.c
 */
import type { Task } from "../kernel/mod.js";
import {
  DRM_EVENT_FLIP_COMPLETE,
  DRM_MODE_PAGE_FLIP_EVENT,
  fail,
  ok,
  type DRM_IOCTL_MODE_PAGE_FLIP,
  type DRM_IOCTL_MODE_SETCRTC,
  type ErrnoName,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import { drmDevIsUnplugged } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { modeConfigOf, type ModeConfig } from "./kms.js";
import { drmLeaseHeld, kmsLeaseStep } from "./drm_lease.js";
import { drmAtomicHelperCommit } from "./kms_commit.js";
import { drmFramebufferLookup, type DrmFramebuffer } from "./kms_fb.js";
import { CRTC_OFF, crtcStateMode, drmModeBlobFor, PLANE_OFF, type DrmCrtc, type ModeInfo } from "./kms_objects.js";
import { AtomicState, crtcById, drmAtomicCheckOnly } from "./kms_state.js";
import { kmsFakeFlipEvents } from "./kms_unplug.js";

/** DRM_MODE_PAGE_FLIP_EVENT | ASYNC | TARGET_ABSOLUTE | TARGET_RELATIVE. */
const PAGE_FLIP_FLAGS = 0x1 | 0x2 | 0x4 | 0x8;

/** Timings that make sense: each sync inside its total, nothing zero. @see drm_mode_validate_basic() */
function modeValid(m: ModeInfo): boolean {
  return (
    m.clock > 0 && m.hdisplay > 0 && m.hdisplay <= m.hsync_start && m.hsync_start <= m.hsync_end &&
    m.hsync_end <= m.htotal && m.vdisplay > 0 && m.vdisplay <= m.vsync_start &&
    m.vsync_start <= m.vsync_end && m.vsync_end <= m.vtotal
  );
}

/** Whether `fb` covers `mode` from (x, y). @see drm_crtc_check_viewport() */
function coversViewport(fb: DrmFramebuffer, mode: ModeInfo, x: number, y: number): boolean {
  return mode.hdisplay <= fb.width && x <= fb.width - mode.hdisplay && mode.vdisplay <= fb.height && y <= fb.height - mode.vdisplay;
}

/** The plane state showing `fb` from (x, y) over the whole of `mode`. */
function planeShowing(crtc: DrmCrtc, fb: DrmFramebuffer, mode: ModeInfo, x: number, y: number) {
  return {
    crtcId: crtc.id, fbId: fb.id, srcX: x * 65536, srcY: y * 65536,
    srcW: mode.hdisplay * 65536, srcH: mode.vdisplay * 65536,
    crtcX: 0, crtcY: 0, crtcW: mode.hdisplay, crtcH: mode.vdisplay,
  };
}

type SetcrtcArgs = IoctlIn<typeof DRM_IOCTL_MODE_SETCRTC>;

/** SETCRTC's request as an atomic state: the errno, or the state. @see drm_atomic_helper_set_config() */
function setConfigRequest(file: DrmFile, mc: ModeConfig, crtc: DrmCrtc, r: SetcrtcArgs): AtomicState | ErrnoName {
  const st = new AtomicState(file.dev, true);
  const primary = mc.planes.find((p) => p.id === crtc.primaryId);
  if (primary === undefined) return "EINVAL";
  const routed = new Set(mc.connectors.filter((c) => c.crtcId === crtc.id));
  if (r.mode_valid === 0) {
    // Without a mode, fb_id is not read at all (drm_mode_setcrtc() looks it up with the mode).
    if (r.count_connectors !== 0) return "EINVAL";
    st.crtcs.set(crtc, CRTC_OFF);
    st.planes.set(primary, PLANE_OFF);
    for (const c of routed) st.connectors.set(c, 0);
    return st;
  }
  if (r.count_connectors === 0) return "EINVAL";
  if (r.set_connectors_ptr.length < r.count_connectors) return "EFAULT";
  const mode = r.mode as ModeInfo;
  if (!modeValid(mode)) return "EINVAL";
  // fb_id -1: keep the framebuffer the primary plane shows.
  const fb = r.fb_id === 0xffffffff ? drmFramebufferLookup(file.dev, primary.state.fbId) : drmFramebufferLookup(file.dev, r.fb_id);
  if (fb === null) return r.fb_id === 0xffffffff ? "EINVAL" : "ENOENT";
  if (!coversViewport(fb, mode, r.x, r.y)) return "ENOSPC";
  for (const id of r.set_connectors_ptr.slice(0, r.count_connectors)) {
    const c = mc.connectors.find((x) => x.id === id);
    if (c === undefined || !drmLeaseHeld(file, c.id)) return "ENOENT";
    st.connectors.set(c, crtc.id);
    routed.delete(c);
  }
  for (const c of routed) st.connectors.set(c, 0);
  const blob = drmModeBlobFor(mc, mode);
  st.crtcs.set(crtc, { enable: true, active: true, modeBlobId: blob.id, vrrEnabled: crtc.state.vrrEnabled });
  st.planes.set(primary, planeShowing(crtc, fb, mode, r.x, r.y));
  return st;
}

/** @see drm_mode_setcrtc() */
export function* drmModeSetcrtc(file: DrmFile, r: SetcrtcArgs): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_SETCRTC>>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  if ((r.x & 0xffff0000) !== 0 || (r.y & 0xffff0000) !== 0) return fail("ERANGE");
  yield kmsLeaseStep(file, "drm_mode_setcrtc");
  const mc = modeConfigOf(dev);
  const crtc = crtcById(mc, r.crtc_id);
  if (crtc === undefined || !drmLeaseHeld(file, crtc.id)) return fail("ENOENT");
  // A lessee may turn a CRTC off without its primary plane, not light it.
  if (r.mode_valid !== 0 && !drmLeaseHeld(file, crtc.primaryId)) return fail("EACCES");
  if (drmDevIsUnplugged(dev)) return ok({});
  const st = setConfigRequest(file, mc, crtc, r);
  if (typeof st === "string") return fail(st);
  const bad = drmAtomicCheckOnly(st);
  if (bad !== null) return fail(bad);
  const c = yield* drmAtomicHelperCommit(st, false);
  return c.ok ? ok({}) : c;
}

type PageFlipArgs = IoctlIn<typeof DRM_IOCTL_MODE_PAGE_FLIP>;

/** The flip's checks before any commit: the errno, or null. */
function pageFlipCheck(file: DrmFile, crtc: DrmCrtc, fb: DrmFramebuffer | null): ErrnoName | null {
  const mc = modeConfigOf(file.dev);
  const primary = mc.planes.find((p) => p.id === crtc.primaryId);
  const current = primary === undefined ? null : drmFramebufferLookup(file.dev, primary.state.fbId);
  if (current === null || primary?.state.crtcId !== crtc.id) return "EBUSY"; // nothing shown: no flip
  if (fb === null) return "ENOENT";
  const mode = crtcStateMode(mc, crtc.state);
  if (mode !== null && !coversViewport(fb, mode, primary.state.srcX >>> 16, primary.state.srcY >>> 16)) return "ENOSPC";
  return current.format === fb.format ? null : "EINVAL";
}

/** @see drm_mode_page_flip_ioctl(), drm_atomic_helper_page_flip() */
export function* drmModePageFlipIoctl(file: DrmFile, r: PageFlipArgs): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_PAGE_FLIP>>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  // No model device flips asynchronously or to a target vblank.
  if ((r.flags & ~PAGE_FLIP_FLAGS) !== 0 || r.reserved !== 0 || (r.flags & ~DRM_MODE_PAGE_FLIP_EVENT) !== 0) return fail("EINVAL");
  yield kmsLeaseStep(file, "drm_mode_page_flip_ioctl");
  const mc = modeConfigOf(dev);
  const crtc = crtcById(mc, r.crtc_id);
  if (crtc === undefined || !drmLeaseHeld(file, crtc.id)) return fail("ENOENT");
  if (!drmLeaseHeld(file, crtc.primaryId)) return fail("EACCES");
  const wantsEvent = (r.flags & DRM_MODE_PAGE_FLIP_EVENT) !== 0;
  if (drmDevIsUnplugged(dev)) {
    if (wantsEvent) kmsFakeFlipEvents(file, [crtc], r.user_data);
    return ok({});
  }
  const fb = drmFramebufferLookup(dev, r.fb_id);
  const bad = pageFlipCheck(file, crtc, fb);
  if (bad !== null || fb === null) return fail(bad ?? "ENOENT");
  const primary = mc.planes.find((p) => p.id === crtc.primaryId)!;
  const st = new AtomicState(dev, false);
  st.planes.set(primary, { ...primary.state, fbId: fb.id });
  st.crtcs.set(crtc, crtc.state);
  if (wantsEvent) st.events.set(crtc, { file, type: DRM_EVENT_FLIP_COMPLETE, userData: r.user_data, crtcId: crtc.id });
  const invalid = drmAtomicCheckOnly(st);
  if (invalid !== null) return fail(invalid);
  const c = yield* drmAtomicHelperCommit(st, true);
  return c.ok ? ok({}) : c;
}
