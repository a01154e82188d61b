/**
 * Framebuffers: a GEM object seen as an image of a size and pixel format (ADDFB2 from GEM
 * handles), owned by the file that made it (file->fbs) and found by id by any file of the
 * device. A framebuffer holds a reference on its objects; a plane showing it holds one on
 * the framebuffer, so the image outlives RMFB until the plane lets go.
 *
 * Legacy ADDFB names the format by bits per pixel and depth and one plane; it is ADDFB2 with
 * the fourcc those map to, and fails the same ways.
 *
 * @see drm_framebuffer.c (drm_mode_addfb(), drm_mode_addfb2(), framebuffer_check(), drm_framebuffer_lookup(),
 *      drm_framebuffer_put()), drm_gem_framebuffer_helper.c (drm_gem_fb_create())
 */
import { embeddedStruct, step, type KStruct, type Task } from "../kernel/mod.js";
import {
  DRM_FORMAT_ARGB8888,
  DRM_FORMAT_C1,
  DRM_FORMAT_C2,
  DRM_FORMAT_C4,
  DRM_FORMAT_C8,
  DRM_FORMAT_INVALID,
  DRM_FORMAT_RGB565,
  DRM_FORMAT_RGB888,
  DRM_FORMAT_XRGB1555,
  DRM_FORMAT_XRGB2101010,
  DRM_FORMAT_XRGB8888,
  DRM_MODE_FB_MODIFIERS,
  fail,
  ok,
  type DRM_IOCTL_MODE_ADDFB,
  type DRM_IOCTL_MODE_ADDFB2,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { drmGemObjectGet, drmGemObjectPut, type GemObject } from "./gem.js";
import type { IoctlFootprint } from "./ioctl_desc.js";
import { modeConfigOf } from "./kms.js";

/** DRM_MODE_FB_INTERLACED | DRM_MODE_FB_MODIFIERS: the flags ADDFB2 knows. */
const FB_FLAGS = 0x1 | DRM_MODE_FB_MODIFIERS;

/** Bytes per pixel of the formats the model's planes scan out. @see drm_format_info() */
const FORMAT_CPP: ReadonlyMap<number, number> = new Map([[DRM_FORMAT_XRGB8888, 4]]);

export class DrmFramebuffer {
  /** References: the id's own (until RMFB or close), and each plane state showing it. */
  refs = 1;
  constructor(
    readonly id: number,
    /** The file that made it; null once removed from it (RMFB, close). */
    public file: DrmFile | null,
    readonly width: number,
    readonly height: number,
    readonly format: number,
    readonly pitch: number,
    readonly offset: number,
    readonly obj: GemObject,
  ) {}
}
embeddedStruct(DrmFramebuffer);

/** The framebuffer `id` names, or null. @see drm_framebuffer_lookup() */
export function drmFramebufferLookup(dev: DrmDevice, id: number): DrmFramebuffer | null {
  return dev.modeConfig?.fbs.find((fb) => fb.id === id) ?? null;
}

/** ADDFB2 writes the device (its framebuffer list) and the object its first handle names. */
export function drmModeAddfb2Touches(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_ADDFB2>,
): IoctlFootprint {
  const obj = file.handles.get(arg.handles[0] ?? 0);
  return { reads: [], writes: obj === undefined ? [file.dev] : [file.dev, obj] };
}

/** Why the request is not a framebuffer the planes could show: the errno, or null. @see framebuffer_check() */
function framebufferCheck(dev: DrmDevice, r: IoctlIn<typeof DRM_IOCTL_MODE_ADDFB2>): "EINVAL" | null {
  const mc = modeConfigOf(dev);
  if ((r.flags & ~FB_FLAGS) !== 0) return "EINVAL";
  if (r.width < 1 || r.width > mc.maxWidth || r.height < 1 || r.height > mc.maxHeight) return "EINVAL";
  // No plane takes the format (drm_any_plane_has_format()); unknown formats included.
  if (!mc.planes.some((p) => p.formats.includes(r.pixel_format))) return "EINVAL";
  const cpp = FORMAT_CPP.get(r.pixel_format) ?? 0;
  if (r.handles[0] === 0 || r.pitches[0]! < r.width * cpp) return "EINVAL";
  // The planes scan out linear buffers only (DRM_FORMAT_MOD_LINEAR is 0); a modifier
  // without the flag is refused too.
  if (r.modifier.some((m) => m !== 0n)) return "EINVAL";
  // A single-plane format: the other planes' entries must be zero.
  for (let i = 1; i < 4; i++) {
    if (r.handles[i] !== 0 || r.pitches[i] !== 0 || r.offsets[i] !== 0) return "EINVAL";
  }
  return null;
}

/**
 * Makes a framebuffer of the object `handles[0]` names, owned by the calling file.
 * @see drm_mode_addfb2_ioctl(), drm_gem_fb_create()
 */
export function drmModeAddfb2Ioctl(
  file: DrmFile,
  r: IoctlIn<typeof DRM_IOCTL_MODE_ADDFB2>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_ADDFB2>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const bad = framebufferCheck(dev, r);
  if (bad !== null) return fail(bad);
  const obj = file.handles.get(r.handles[0]!);
  if (obj === undefined) return fail("ENOENT");
  const pitch = r.pitches[0]!;
  const offset = r.offsets[0]!;
  const minSize = (r.height - 1) * pitch + r.width * (FORMAT_CPP.get(r.pixel_format) ?? 0) + offset;
  if (obj.sizeBytes < minSize) return fail("EINVAL");
  const mc = modeConfigOf(dev);
  drmGemObjectGet(obj);
  const fb = new DrmFramebuffer(mc.allocObjectId(), file, r.width, r.height, r.pixel_format, pitch, offset, obj);
  mc.fbs.push(fb);
  return ok({ fb_id: fb.id });
}

/**
 * The fourcc a legacy bits-per-pixel and depth pair names, DRM_FORMAT_INVALID for any other
 * pair (x86 is little-endian and no modelled driver sets the 30 bpp quirk).
 * @see drm_mode_legacy_fb_format(), drm_driver_legacy_fb_format() in drm_fourcc.c
 */
export function drmModeLegacyFbFormat(bpp: number, depth: number): number {
  const formats: Readonly<Record<number, Readonly<Record<number, number>>>> = {
    1: { 1: DRM_FORMAT_C1 },
    2: { 2: DRM_FORMAT_C2 },
    4: { 4: DRM_FORMAT_C4 },
    8: { 8: DRM_FORMAT_C8 },
    16: { 15: DRM_FORMAT_XRGB1555, 16: DRM_FORMAT_RGB565 },
    24: { 24: DRM_FORMAT_RGB888 },
    32: { 24: DRM_FORMAT_XRGB8888, 30: DRM_FORMAT_XRGB2101010, 32: DRM_FORMAT_ARGB8888 },
  };
  return formats[bpp]?.[depth] ?? DRM_FORMAT_INVALID;
}

/** The ADDFB2 request a legacy ADDFB stands for: one plane, no flags, no modifier. */
function addfb2Request(or: IoctlIn<typeof DRM_IOCTL_MODE_ADDFB>, format: number): IoctlIn<typeof DRM_IOCTL_MODE_ADDFB2> {
  return {
    width: or.width,
    height: or.height,
    pixel_format: format,
    flags: 0,
    handles: [or.handle, 0, 0, 0],
    pitches: [or.pitch, 0, 0, 0],
    offsets: [0, 0, 0, 0],
    modifier: [0n, 0n, 0n, 0n],
  };
}

/** ADDFB touches what ADDFB2 does: the device and the object `handle` names. */
export function drmModeAddfbTouches(file: DrmFile, or: IoctlIn<typeof DRM_IOCTL_MODE_ADDFB>): IoctlFootprint {
  return drmModeAddfb2Touches(file, addfb2Request(or, DRM_FORMAT_INVALID));
}

/**
 * Legacy ADDFB: a pair drm_mode_legacy_fb_format() does not know is EINVAL; the rest is
 * ADDFB2's (a format no plane scans out is EINVAL there). @see drm_mode_addfb()
 */
export function drmModeAddfbIoctl(
  file: DrmFile,
  or: IoctlIn<typeof DRM_IOCTL_MODE_ADDFB>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_ADDFB>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const format = drmModeLegacyFbFormat(or.bpp, or.depth);
  if (format === DRM_FORMAT_INVALID) return fail("EINVAL");
  const r = drmModeAddfb2Ioctl(file, addfb2Request(or, format));
  return r.ok ? ok({ fb_id: r.value.fb_id }) : r;
}

/** What dropping a reference on `fb` may touch: the device and its object. */
export function fbObjects(dev: DrmDevice, fb: DrmFramebuffer | null): KStruct[] {
  return fb === null ? [dev] : [dev, fb.obj];
}

/** Takes a reference (a plane state shows it). @see drm_framebuffer_get() */
export function drmFramebufferGet(fb: DrmFramebuffer): void {
  fb.refs++;
}

/**
 * Drops a reference; the last one takes the framebuffer off the device and lets go of its
 * object. @see drm_framebuffer_put(), drm_framebuffer_free()
 */
export function* drmFramebufferPut(dev: DrmDevice, fb: DrmFramebuffer): Task<void> {
  yield step("drm_framebuffer_put", [], fbObjects(dev, fb));
  fb.refs--;
  if (fb.refs > 0) return;
  const mc = modeConfigOf(dev);
  const i = mc.fbs.indexOf(fb);
  if (i >= 0) mc.fbs.splice(i, 1);
  yield* drmGemObjectPut(fb.obj);
}
