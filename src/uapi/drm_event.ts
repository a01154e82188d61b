/**
 * The events a DRM file delivers through read(2): a header (type, length in bytes with the
 * header) and, for vblank and flip-complete events, the caller's user_data, the time of the
 * vblank (seconds and microseconds of CLOCK_MONOTONIC), the vblank sequence and the CRTC.
 *
 * @see struct drm_event, struct drm_event_vblank in include/uapi/drm/drm.h
 */
import { __u32, __u64, cstruct, nested } from "./ioctl_struct.js";
import { structFromBytes, structToBytes } from "./struct_bytes.js";

export const DRM_EVENT_VBLANK = 0x01;
export const DRM_EVENT_FLIP_COMPLETE = 0x02;

export const drm_event = cstruct("drm_event", { type: __u32, length: __u32 });

export const drm_event_vblank = cstruct("drm_event_vblank", {
  base: nested(drm_event),
  user_data: __u64,
  tv_sec: __u32,
  tv_usec: __u32,
  sequence: __u32,
  crtc_id: __u32,
});

/** A vblank or flip-complete event, decoded. */
export interface DrmEventVblank {
  readonly type: number;
  readonly length: number;
  readonly user_data: bigint;
  readonly tv_sec: number;
  readonly tv_usec: number;
  readonly sequence: number;
  readonly crtc_id: number;
}

/** The bytes read(2) returns for a vblank-type event. */
export function encodeDrmEventVblank(e: Omit<DrmEventVblank, "length">): Uint8Array {
  const s = drm_event_vblank;
  const { type, ...rest } = e;
  return structToBytes(s, { base: { type, length: s.sizeBytes }, ...rest }, s.sizeBytes);
}

/** The event at the start of `bytes`, or null when they do not hold a whole vblank event. */
export function decodeDrmEventVblank(bytes: Uint8Array): DrmEventVblank | null {
  const s = drm_event_vblank;
  if (bytes.length < s.sizeBytes) return null;
  const f = structFromBytes(s, bytes, Object.keys(s.fields));
  const base = f["base"] as { type: number; length: number };
  if (base.length !== s.sizeBytes) return null;
  return {
    type: base.type,
    length: base.length,
    user_data: f["user_data"] as bigint,
    tv_sec: f["tv_sec"] as number,
    tv_usec: f["tv_usec"] as number,
    sequence: f["sequence"] as number,
    crtc_id: f["crtc_id"] as number,
  };
}
