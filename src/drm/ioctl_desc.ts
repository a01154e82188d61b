/**
 * Ioctl table entries and their permission flags (struct drm_ioctl_desc).
 * @see include/drm/drm_ioctl.h
 */
import type { Task } from "../kernel/mod.js";
import type { IoctlArg, IoctlOut, SysResult } from "../uapi/mod.js";
import type { DrmFile } from "./file.js";

export const DRM_AUTH = 0x1;
export const DRM_MASTER = 0x2;
export const DRM_ROOT_ONLY = 0x4;
export const DRM_RENDER_ALLOW = 0x20;

export type IoctlHandler = (file: DrmFile, arg: IoctlArg) => Task<SysResult<IoctlOut>>;

/** A handler that never sleeps: it is called directly, without a generator. */
export type IoctlSyncHandler = (file: DrmFile, arg: IoctlArg) => SysResult<IoctlOut>;

export interface DrmIoctlDesc {
  readonly name: string;
  /** The kernel function that handles it, for the simulated backtrace. */
  readonly fn: string;
  readonly flags: number;
  /** A handler that may sleep (a scheduling point), or one that never does. */
  readonly handler: { readonly sleeps: true; readonly run: IoctlHandler } | { readonly sleeps: false; readonly run: IoctlSyncHandler };
}
