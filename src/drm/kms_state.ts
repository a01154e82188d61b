/**
 * An atomic request: the new state of each object it changes (struct drm_atomic_state),
 * with the CRTCs its planes and connectors pull in, and the checks a commit must pass
 * before anything changes (drm_atomic_check_only() with the helpers' checks).
 *
 * @see drm_atomic.c (drm_atomic_check_only(), drm_atomic_crtc_check(),
 *      drm_atomic_plane_check()), drm_atomic_helper.c (drm_atomic_helper_check_modeset())
 */
import type { DmaFence } from "../base/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { modeConfigOf, type DrmConnector, type ModeConfig } from "./kms.js";
import { drmFramebufferLookup } from "./kms_fb.js";
import {
  crtcStateMode,
  modeEqual,
  type CrtcState,
  type DrmCrtc,
  type DrmPlane,
  type PendingVblankEvent,
  type PlaneState,
} from "./kms_objects.js";

export class AtomicState {
  readonly crtcs = new Map<DrmCrtc, CrtcState>();
  readonly planes = new Map<DrmPlane, PlaneState>();
  /** Each connector's new CRTC id (0: none). */
  readonly connectors = new Map<DrmConnector, number>();
  /** The event each CRTC sends when the commit is on screen. */
  readonly events = new Map<DrmCrtc, PendingVblankEvent>();
  /** Each CRTC's OUT_FENCE_PTR (a user address; -1 written there already). */
  readonly outFencePtrs = new Map<DrmCrtc, bigint>();
  /** Each plane's IN_FENCE_FD fence (a reference held), waited for before the hardware. */
  readonly inFences = new Map<DrmPlane, DmaFence>();
  constructor(
    readonly dev: DrmDevice,
    readonly allowModeset: boolean,
  ) {}
}

export function crtcById(mc: ModeConfig, id: number): DrmCrtc | undefined {
  return mc.crtcs.find((c) => c.id === id);
}

/** The CRTC's state in the request (its current state if the request leaves it). */
export function newCrtcState(st: AtomicState, crtc: DrmCrtc): CrtcState {
  return st.crtcs.get(crtc) ?? crtc.state;
}

export function newPlaneState(st: AtomicState, plane: DrmPlane): PlaneState {
  return st.planes.get(plane) ?? plane.state;
}

/** The connector's CRTC in the request. */
export function newConnectorCrtc(st: AtomicState, c: DrmConnector): number {
  return st.connectors.get(c) ?? c.crtcId;
}

/** Adds the CRTCs the request's planes and connectors leave or join. @see drm_atomic_get_crtc_state() */
export function addAffectedCrtcs(st: AtomicState): void {
  const mc = modeConfigOf(st.dev);
  const ids = new Set<number>();
  for (const [p, s] of st.planes) ids.add(s.crtcId).add(p.state.crtcId);
  for (const [c, crtcId] of st.connectors) ids.add(crtcId).add(c.crtcId);
  for (const id of ids) {
    const crtc = crtcById(mc, id);
    if (crtc !== undefined && !st.crtcs.has(crtc)) st.crtcs.set(crtc, crtc.state);
  }
}

/** Whether the CRTC's change is a modeset: on/off, another mode, other connectors. @see drm_atomic_crtc_needs_modeset() */
export function needsModeset(st: AtomicState, crtc: DrmCrtc): boolean {
  const mc = modeConfigOf(st.dev);
  const o = crtc.state;
  const n = newCrtcState(st, crtc);
  if (o.enable !== n.enable || o.active !== n.active) return true;
  const om = crtcStateMode(mc, o);
  const nm = crtcStateMode(mc, n);
  if (om !== null && nm !== null ? !modeEqual(om, nm) : om !== nm) return true;
  return mc.connectors.some(
    (c) => (c.crtcId === crtc.id) !== (newConnectorCrtc(st, c) === crtc.id),
  );
}

function checkCrtc(st: AtomicState, crtc: DrmCrtc): ErrnoName | null {
  const mc = modeConfigOf(st.dev);
  const n = newCrtcState(st, crtc);
  if (n.active && !n.enable) return "EINVAL";
  if (n.enable !== (n.modeBlobId !== 0)) return "EINVAL";
  if (n.modeBlobId !== 0 && crtcStateMode(mc, n) === null) return "EINVAL";
  if (needsModeset(st, crtc) && !st.allowModeset) return "EINVAL";
  // An event can only come from a CRTC that is on before or after (drm_atomic_crtc_check()).
  if (st.events.has(crtc) && !n.active && !crtc.state.active) return "EINVAL";
  const routed = mc.connectors.filter((c) => newConnectorCrtc(st, c) === crtc.id);
  if (n.enable !== routed.length > 0) return "EINVAL";
  // R63: no CRTC goes on through a connector that is unregistered (its device is gone).
  if (n.active && routed.some((c) => !c.registered)) return "EINVAL";
  // The simple pipe: the primary plane is on the CRTC exactly while the CRTC is enabled
  // (drm_simple_kms_crtc_check()).
  const primary = mc.planes.find((p) => p.id === crtc.primaryId);
  const shown = primary !== undefined && newPlaneState(st, primary).crtcId === crtc.id;
  if (n.enable !== shown) return "EINVAL";
  return null;
}

function checkPlane(st: AtomicState, plane: DrmPlane, s: PlaneState): ErrnoName | null {
  const mc = modeConfigOf(st.dev);
  if ((s.crtcId === 0) !== (s.fbId === 0)) return "EINVAL";
  if (s.crtcId === 0) return null;
  const crtc = crtcById(mc, s.crtcId);
  if (crtc === undefined || (plane.possibleCrtcs & (1 << crtc.index)) === 0) return "EINVAL";
  const fb = drmFramebufferLookup(st.dev, s.fbId);
  if (fb === null || !plane.formats.includes(fb.format)) return "EINVAL";
  const fbW = fb.width * 65536;
  const fbH = fb.height * 65536;
  if (s.srcW > fbW || s.srcX > fbW - s.srcW || s.srcH > fbH || s.srcY > fbH - s.srcH) return "ENOSPC";
  // No scaling, and the plane covers the CRTC's mode (drm_atomic_helper_check_plane_state()).
  if (s.srcW !== s.crtcW * 65536 || s.srcH !== s.crtcH * 65536) return "EINVAL";
  const mode = crtcStateMode(mc, newCrtcState(st, crtc));
  if (mode !== null && (s.crtcX !== 0 || s.crtcY !== 0 || s.crtcW !== mode.hdisplay || s.crtcH !== mode.vdisplay)) return "EINVAL";
  return null;
}

/**
 * Every check of the request, after adding the CRTCs it affects: the errno of the first that
 * fails, or null. Nothing changes either way. @see drm_atomic_check_only()
 */
export function drmAtomicCheckOnly(st: AtomicState): ErrnoName | null {
  const mc = modeConfigOf(st.dev);
  addAffectedCrtcs(st);
  for (const [plane, s] of st.planes) {
    const bad = checkPlane(st, plane, s);
    if (bad !== null) return bad;
  }
  for (const [c, crtcId] of st.connectors) {
    if (crtcId === 0) continue;
    const crtc = crtcById(mc, crtcId);
    const drivable = mc.encoders.some((e) => c.encoderIds.includes(e.id) && crtc !== undefined && (e.possibleCrtcs & (1 << crtc.index)) !== 0);
    if (!drivable) return "EINVAL";
  }
  for (const crtc of st.crtcs.keys()) {
    const bad = checkCrtc(st, crtc);
    if (bad !== null) return bad;
  }
  return null;
}
