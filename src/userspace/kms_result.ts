/**
 * What the KMS helpers of the compositors give back: a value, or the call that failed with its
 * errno (a compositor decides what a failure means: ENODEV, the device is gone); and the pipe
 * an output is shown through.
 */
import type { DRM_IOCTL_MODE_GETCONNECTOR, ErrnoName, IoctlOutOf } from "../uapi/mod.js";

/** A KMS call that failed: its name (an ioctl's, or mmap/read) and errno. */
export interface KmsFailure {
  readonly ok: false;
  readonly call: string;
  readonly errno: ErrnoName;
}

export type KmsResult<T> = { readonly ok: true; readonly value: T } | KmsFailure;

export function failed(call: string, errno: ErrnoName): KmsFailure {
  return { ok: false, call, errno };
}

export type Mode = IoctlOutOf<typeof DRM_IOCTL_MODE_GETCONNECTOR>["modes_ptr"][number];

/** A connector with the mode it will show and the CRTC (with its index) that will scan it out. */
export interface KmsPipe {
  readonly connectorId: number;
  readonly crtcId: number;
  readonly crtcIndex: number;
  readonly mode: Mode;
}
