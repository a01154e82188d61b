/**
 * What the device can do (GET_CAP) and what a client declares it understands (SET_CLIENT_CAP).
 * Capabilities that make sense without modesetting are answered for every driver; the others
 * need DRIVER_MODESET (EOPNOTSUPP otherwise), as does every client capability.
 *
 * Not modelled: drm_setclientcap() refusing ATOMIC=1 to a process whose name starts with 'X'.
 *
 * @see drm_getcap(), drm_setclientcap() in drivers/gpu/drm/drm_ioctl.c
 */
import {
  DRM_CAP,
  DRM_CLIENT_CAP,
  DRM_PRIME_CAP_EXPORT,
  DRM_PRIME_CAP_IMPORT,
  fail,
  ok,
  type DRM_IOCTL_GET_CAP,
  type DRM_IOCTL_SET_CLIENT_CAP,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import {
  DRIVER_ATOMIC,
  DRIVER_CURSOR_HOTSPOT,
  DRIVER_MODESET,
  DRIVER_SYNCOBJ,
  DRIVER_SYNCOBJ_TIMELINE,
  drmCoreCheckFeature,
} from "./drm_driver.js";
import type { DrmFile } from "./file.js";

type GetCapResult = SysResult<IoctlOutOf<typeof DRM_IOCTL_GET_CAP>>;

/** The mode config values GET_CAP reports (the model's drivers all use these). */
const DUMB_PREFERRED_DEPTH = 24n;
const CURSOR_SIZE_DEFAULT = 64n;

/**
 * The answer `v` (true/false as 1/0). Answers are few and never change, so each is made once
 * and shared: GET_CAP in a loop allocates nothing.
 */
const answers = new Map<bigint, GetCapResult>();
function value(v: bigint | boolean): GetCapResult {
  const n = typeof v === "bigint" ? v : v ? 1n : 0n;
  let r = answers.get(n);
  if (r === undefined) {
    r = Object.freeze(ok(Object.freeze({ value: n })));
    answers.set(n, r);
  }
  return r;
}

/** Capabilities answered without modesetting, or null if `cap` is not one of them. */
function genericCap(dev: DrmDevice, cap: bigint): GetCapResult | null {
  switch (cap) {
    case DRM_CAP.DRM_CAP_TIMESTAMP_MONOTONIC:
      return value(1n);
    case DRM_CAP.DRM_CAP_PRIME:
      return value(DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT);
    case DRM_CAP.DRM_CAP_SYNCOBJ:
      return value(drmCoreCheckFeature(dev, DRIVER_SYNCOBJ));
    case DRM_CAP.DRM_CAP_SYNCOBJ_TIMELINE:
      return value(drmCoreCheckFeature(dev, DRIVER_SYNCOBJ_TIMELINE));
    default:
      return null;
  }
}

/** @see drm_getcap() */
export function drmGetcap(file: DrmFile, arg: IoctlIn<typeof DRM_IOCTL_GET_CAP>): GetCapResult {
  const dev = file.dev;
  const cap = arg.capability;
  const generic = genericCap(dev, cap);
  if (generic !== null) return generic;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  switch (cap) {
    case DRM_CAP.DRM_CAP_DUMB_BUFFER:
      return value(dev.driver.dumbCreate !== undefined);
    case DRM_CAP.DRM_CAP_VBLANK_HIGH_CRTC:
    case DRM_CAP.DRM_CAP_ADDFB2_MODIFIERS:
    case DRM_CAP.DRM_CAP_CRTC_IN_VBLANK_EVENT:
      return value(1n);
    case DRM_CAP.DRM_CAP_DUMB_PREFERRED_DEPTH:
      return value(DUMB_PREFERRED_DEPTH);
    // No prefer_shadow, no async page flip, and no CRTC with page_flip_target in the model.
    case DRM_CAP.DRM_CAP_DUMB_PREFER_SHADOW:
    case DRM_CAP.DRM_CAP_ASYNC_PAGE_FLIP:
    case DRM_CAP.DRM_CAP_PAGE_FLIP_TARGET:
    case DRM_CAP.DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP:
      return value(0n);
    case DRM_CAP.DRM_CAP_CURSOR_WIDTH:
    case DRM_CAP.DRM_CAP_CURSOR_HEIGHT:
      return value(CURSOR_SIZE_DEFAULT);
    default:
      return fail("EINVAL");
  }
}

type SetClientCapResult = SysResult<IoctlOutOf<typeof DRM_IOCTL_SET_CLIENT_CAP>>;

/** Client capabilities that need atomic first: writeback connectors, cursor hotspots. */
function atomicOnlyCap(file: DrmFile, cap: bigint, v: bigint): SetClientCapResult {
  if (
    cap === DRM_CLIENT_CAP.DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT &&
    !drmCoreCheckFeature(file.dev, DRIVER_CURSOR_HOTSPOT)
  )
    return fail("EOPNOTSUPP");
  if (!file.atomic) return fail("EINVAL");
  if (v > 1n) return fail("EINVAL");
  if (cap === DRM_CLIENT_CAP.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS)
    file.writebackConnectors = v === 1n;
  else file.supportsVirtualizedCursorPlane = v === 1n;
  return ok({});
}

/** @see drm_setclientcap() */
export function drmSetclientcap(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_SET_CLIENT_CAP>,
): SetClientCapResult {
  const { capability: cap, value: v } = arg;
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  switch (cap) {
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_STEREO_3D:
      if (v > 1n) return fail("EINVAL");
      file.stereoAllowed = v === 1n;
      return ok({});
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_UNIVERSAL_PLANES:
      if (v > 1n) return fail("EINVAL");
      file.universalPlanes = v === 1n;
      return ok({});
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC:
      if (!drmCoreCheckFeature(file.dev, DRIVER_ATOMIC)) return fail("EOPNOTSUPP");
      if (v > 2n) return fail("EINVAL");
      // 2 also asks for aspect ratios; every non-zero value turns on universal planes.
      file.atomic = v !== 0n;
      file.universalPlanes = v !== 0n;
      file.aspectRatioAllowed = v !== 0n;
      return ok({});
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_ASPECT_RATIO:
      if (v > 1n) return fail("EINVAL");
      file.aspectRatioAllowed = v === 1n;
      return ok({});
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS:
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT:
      return atomicOnlyCap(file, cap, v);
    default:
      return fail("EINVAL");
  }
}
