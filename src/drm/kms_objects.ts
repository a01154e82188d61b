/**
 * The mode objects a display pipeline is made of, with the state an atomic commit swaps in:
 * CRTCs (enable, active, the mode as a blob), planes (the framebuffer and CRTC they show it
 * on, source and destination rectangles), encoders, and the mode blobs. Each takes an id
 * from the device's mode-object id space, in creation order, as drm_mode_object_add() gives
 * them. They are part of the drm_device (its mode_config), so a step that declares the
 * device declares them.
 *
 * @see drm_crtc.c, drm_plane.c, drm_encoder.c, drm_property.c (blobs) in drivers/gpu/drm
 */
import { dmaFenceContextAlloc, type DmaFence } from "../base/mod.js";
import { embeddedStruct } from "../kernel/mod.js";
import { DRM_FORMAT_XRGB8888, DRM_PLANE_TYPE_PRIMARY, type StructValue } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import type { DrmFile } from "./file.js";
import { modeConfigOf, type ModeConfig } from "./kms.js";
import type { KmsVblank } from "./kms_vblank.js";

/** struct drm_mode_modeinfo's fields (drm_mode_convert_to_umode()). */
export interface ModeInfo extends StructValue {
  readonly clock: number;
  readonly hdisplay: number;
  readonly hsync_start: number;
  readonly hsync_end: number;
  readonly htotal: number;
  readonly hskew: number;
  readonly vdisplay: number;
  readonly vsync_start: number;
  readonly vsync_end: number;
  readonly vtotal: number;
  readonly vscan: number;
  readonly vrefresh: number;
  readonly flags: number;
  readonly type: number;
  readonly name: string;
}

/**
 * The mode the model's virtual displays offer: 1024x768 at 60 Hz with the VESA timings
 * (drm_dmt_modes[]), preferred (DRM_MODE_TYPE_PREFERRED | DRM_MODE_TYPE_DRIVER), -hsync -vsync.
 */
export const MODE_1024X768_60: ModeInfo = {
  clock: 65000,
  hdisplay: 1024,
  hsync_start: 1048,
  hsync_end: 1184,
  htotal: 1344,
  hskew: 0,
  vdisplay: 768,
  vsync_start: 771,
  vsync_end: 777,
  vtotal: 806,
  vscan: 0,
  vrefresh: 60,
  flags: 0x2 | 0x8,
  type: 0x8 | 0x40,
  name: "1024x768",
};

/** A zero-filled struct drm_mode_modeinfo: GETCRTC's mode of a CRTC without one. */
export const MODE_NONE: ModeInfo = {
  clock: 0, hdisplay: 0, hsync_start: 0, hsync_end: 0, htotal: 0, hskew: 0, vdisplay: 0,
  vsync_start: 0, vsync_end: 0, vtotal: 0, vscan: 0, vrefresh: 0, flags: 0, type: 0, name: "",
};

/** One refresh of `mode` in ticks (µs): htotal * vtotal pixels at `clock` kHz. */
export function frameTicks(mode: ModeInfo): number {
  return Math.round((mode.htotal * mode.vtotal * 1000) / mode.clock);
}

/** Whether two modes are the same timings (drm_mode_equal()). */
export function modeEqual(a: ModeInfo, b: ModeInfo): boolean {
  return Object.keys(a).every((k) => k === "name" || k === "type" || a[k] === b[k]);
}

/**
 * A property blob: `length` bytes, a mode when they hold one (what MODE_ID takes); made by
 * a file (CREATEPROPBLOB, `file` until it destroys it or closes) or by the kernel (SETCRTC's
 * mode, `file` null), and kept while a CRTC state uses it. @see drm_property_create_blob()
 */
export class DrmModeBlob {
  constructor(
    readonly id: number,
    readonly mode: ModeInfo | null,
    readonly length: number,
    public file: DrmFile | null,
    /** What its bytes hold, as the model's user memory does: structs drm_mode_modeinfo. */
    readonly data: readonly ModeInfo[] = mode === null ? [] : [mode],
  ) {}
}
embeddedStruct(DrmModeBlob);

/** What an atomic commit sets on a CRTC. @see struct drm_crtc_state */
export interface CrtcState {
  readonly enable: boolean;
  readonly active: boolean;
  /** The MODE_ID blob, 0 for none. */
  readonly modeBlobId: number;
  readonly vrrEnabled: boolean;
}

/** What an atomic commit sets on a plane. @see struct drm_plane_state */
export interface PlaneState {
  readonly crtcId: number;
  readonly fbId: number;
  /** 16.16 fixed point, as SRC_* are. */
  readonly srcX: number;
  readonly srcY: number;
  readonly srcW: number;
  readonly srcH: number;
  readonly crtcX: number;
  readonly crtcY: number;
  readonly crtcW: number;
  readonly crtcH: number;
}

export const CRTC_OFF: CrtcState = { enable: false, active: false, modeBlobId: 0, vrrEnabled: false };
export const PLANE_OFF: PlaneState = {
  crtcId: 0, fbId: 0, srcX: 0, srcY: 0, srcW: 0, srcH: 0, crtcX: 0, crtcY: 0, crtcW: 0, crtcH: 0,
};

export class DrmCrtc {
  state: CrtcState = CRTC_OFF;
  /** The commit whose flip has not completed yet (crtc->commit_list's newest), or null. */
  commit: KmsCommit | null = null;
  /** The seqno of its last out-fence (crtc->fence_seqno). */
  fenceSeqno = 0n;
  constructor(
    readonly id: number,
    readonly index: number,
    readonly primaryId: number,
    readonly vblank: KmsVblank,
    /** The timeline of its out-fences (crtc->fence_context). */
    readonly fenceContext: bigint,
  ) {}

  get name(): string {
    return `crtc-${this.index}`;
  }
}
embeddedStruct(DrmCrtc);

export class DrmPlane {
  state: PlaneState = PLANE_OFF;
  readonly formats: readonly number[] = [DRM_FORMAT_XRGB8888];
  constructor(
    readonly id: number,
    readonly type: number,
    readonly possibleCrtcs: number,
  ) {}
}
embeddedStruct(DrmPlane);

export class DrmEncoder {
  constructor(
    readonly id: number,
    readonly type: number,
    readonly possibleCrtcs: number,
  ) {}
}
embeddedStruct(DrmEncoder);

/** An event a commit or page flip will send (drm_pending_vblank_event). */
export interface PendingVblankEvent {
  /** The file it goes to; null once that file is closed (it is then dropped). */
  file: DrmFile | null;
  readonly type: number;
  readonly userData: bigint;
  readonly crtcId: number;
  /** The CRTC's out-fence it signals when sent (OUT_FENCE_PTR; the event holds a reference). */
  readonly fence?: DmaFence;
}

/**
 * A commit in flight on its CRTCs (struct drm_crtc_commit): hw_done once the hardware is
 * programmed, flip_done once the new state is on screen (its events sent).
 */
export class KmsCommit {
  hwDone = false;
  flipDone = false;
  /** The CRTCs whose flip is still to come. */
  flipsLeft = 0;
  /** The events it sends when its flip is done, one per CRTC that asked for one. */
  readonly events: PendingVblankEvent[] = [];
  constructor(readonly seq: number) {}
}
embeddedStruct(KmsCommit);

/** Creates the pipeline's plane (primary, for CRTC index `crtcIndex`). @see drm_universal_plane_init() */
export function drmPrimaryPlaneInit(dev: DrmDevice, crtcIndex: number): DrmPlane {
  const mc = modeConfigOf(dev);
  const plane = new DrmPlane(mc.allocObjectId(), DRM_PLANE_TYPE_PRIMARY, 1 << crtcIndex);
  mc.planes.push(plane);
  return plane;
}

/** Creates a CRTC scanning out `primary`. @see drm_crtc_init_with_planes() */
export function drmCrtcInitWithPlanes(dev: DrmDevice, primary: DrmPlane, vblank: KmsVblank): DrmCrtc {
  const mc = modeConfigOf(dev);
  const crtc = new DrmCrtc(mc.allocObjectId(), mc.crtcs.length, primary.id, vblank, dmaFenceContextAlloc(dev.kernel, 1));
  mc.crtcs.push(crtc);
  return crtc;
}

/** Creates an encoder of `type` that can drive the CRTCs of mask `possibleCrtcs`. @see drm_encoder_init() */
export function drmEncoderInitType(dev: DrmDevice, type: number, possibleCrtcs: number): DrmEncoder {
  const mc = modeConfigOf(dev);
  const encoder = new DrmEncoder(mc.allocObjectId(), type, possibleCrtcs);
  mc.encoders.push(encoder);
  return encoder;
}

/** sizeof(struct drm_mode_modeinfo). */
export const MODEINFO_BYTES = 68;

/** Drops the blobs nobody holds: no file owns them and no CRTC state uses them. */
export function drmModeBlobsGc(mc: ModeConfig): void {
  for (const [id, b] of [...mc.blobs]) {
    if (b.file === null && !mc.crtcs.some((c) => c.state.modeBlobId === id)) mc.blobs.delete(id);
  }
}

/** The kernel's blob holding `mode`: an existing one with the same timings, or a new one. */
export function drmModeBlobFor(mc: ModeConfig, mode: ModeInfo): DrmModeBlob {
  for (const b of mc.blobs.values()) {
    if (b.file === null && b.mode !== null && modeEqual(b.mode, mode) && b.mode.name === mode.name) return b;
  }
  const blob = new DrmModeBlob(mc.allocObjectId(), mode, MODEINFO_BYTES, null);
  mc.blobs.set(blob.id, blob);
  return blob;
}

/** The mode of a CRTC state, or null when it has none. */
export function crtcStateMode(mc: ModeConfig, s: CrtcState): ModeInfo | null {
  return s.modeBlobId === 0 ? null : (mc.blobs.get(s.modeBlobId)?.mode ?? null);
}
