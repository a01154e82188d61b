/**
 * Handlers of the core ioctls the model implements, with the permission flags of the
 * kernel's drm_ioctls[] table. Arguments and results use the uapi struct member names.
 *
 * Not in the table yet (they reach the gate, so after unplug they still fail with ENODEV, but
 * before it they fail like unknown numbers, EINVAL): PRIME, SYNCOBJ, leases, and KMS calls
 * beyond GETRESOURCES and an ATOMIC commit without objects. They arrive with the buffers and
 * KMS issues.
 *
 * @see drm_ioctls[] in drivers/gpu/drm/drm_ioctl.c; drm_mode_create_dumb_ioctl() in
 *      drm_dumb_buffers.c; drm_mode_atomic_ioctl() in drm_atomic_uapi.c
 */
import { PAGE_SIZE } from "../base/mod.js";
import { lookupStep } from "../kernel/mod.js";
import { DRM_CAP, DRM_CLIENT_CAP, DRM_MODE_ATOMIC_ALLOW_MODESET, DRM_MODE_ATOMIC_NONBLOCK, DRM_MODE_ATOMIC_TEST_ONLY, fail, ioctlByName, iocNr, ok, type IoctlArg, type IoctlOut, type SysResult } from "../uapi/mod.js";
import { DRIVER_ATOMIC, DRIVER_GEM, DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { drmGemCreateMmapOffset, drmGemHandleCreate, drmGemHandleDelete, drmGemObjectInit, drmGemObjectPut } from "./gem.js";
import { DRM_AUTH, DRM_MASTER, DRM_RENDER_ALLOW, type DrmIoctlDesc, type IoctlHandler, type IoctlSyncHandler } from "./ioctl_desc.js";

function num(arg: IoctlArg, key: string, fallback = 0): number {
  const v = arg[key];
  return typeof v === "number" ? v : fallback;
}

type Handler = DrmIoctlDesc["handler"];

/** A handler that never sleeps. */
function sync(run: IoctlSyncHandler): Handler {
  return { sleeps: false, run };
}

/** A handler that may sleep. */
function sleeps(run: IoctlHandler): Handler {
  return { sleeps: true, run };
}

const version = sync((file) => {
  const d = file.dev.driver;
  return ok({ version_major: d.major, version_minor: d.minor, version_patchlevel: d.patchlevel, name: d.name, date: d.date, desc: d.desc, version: `${d.major}.${d.minor}.${d.patchlevel}` });
});

const getUnique = sync((file) => ok({ unique: file.dev.unique ?? "", unique_len: (file.dev.unique ?? "").length }));

const getMagic = sync((file) => {
  if (file.magic === 0) file.magic = file.dev.nextMagic++;
  return ok({ magic: file.magic });
});

const authMagic = sync((file, arg) => {
  const magic = num(arg, "magic");
  for (const f of file.dev.files) {
    if (f.magic !== 0 && f.magic === magic) {
      f.authenticated = true;
      f.magic = 0;
      return ok({});
    }
  }
  return fail("EINVAL");
});

const getCap = sync((file, arg) => {
  const dev = file.dev;
  const cap = num(arg, "capability");
  // Capabilities that make sense without modesetting come first. @see drm_getcap()
  switch (cap) {
    case DRM_CAP.DRM_CAP_TIMESTAMP_MONOTONIC:
      return ok({ value: 1 });
    case DRM_CAP.DRM_CAP_PRIME:
      return ok({ value: 0 });
    case DRM_CAP.DRM_CAP_SYNCOBJ:
    case DRM_CAP.DRM_CAP_SYNCOBJ_TIMELINE:
      return ok({ value: 0 });
  }
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  switch (cap) {
    case DRM_CAP.DRM_CAP_DUMB_BUFFER:
      return ok({ value: drmCoreCheckFeature(dev, DRIVER_GEM) ? 1 : 0 });
    case DRM_CAP.DRM_CAP_VBLANK_HIGH_CRTC:
    case DRM_CAP.DRM_CAP_ADDFB2_MODIFIERS:
    case DRM_CAP.DRM_CAP_CRTC_IN_VBLANK_EVENT:
      return ok({ value: 1 });
    case DRM_CAP.DRM_CAP_DUMB_PREFERRED_DEPTH:
      return ok({ value: 24 });
    case DRM_CAP.DRM_CAP_DUMB_PREFER_SHADOW:
    case DRM_CAP.DRM_CAP_ASYNC_PAGE_FLIP:
    case DRM_CAP.DRM_CAP_PAGE_FLIP_TARGET:
    case DRM_CAP.DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP:
      return ok({ value: 0 });
    case DRM_CAP.DRM_CAP_CURSOR_WIDTH:
    case DRM_CAP.DRM_CAP_CURSOR_HEIGHT:
      return ok({ value: 64 });
    default:
      return fail("EINVAL");
  }
});

const setClientCap = sync((file, arg) => {
  const cap = num(arg, "capability");
  const value = num(arg, "value");
  switch (cap) {
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_UNIVERSAL_PLANES:
      if (value > 1) return fail("EINVAL");
      file.universalPlanes = value === 1;
      return ok({});
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC:
      if (!drmCoreCheckFeature(file.dev, DRIVER_ATOMIC)) return fail("EOPNOTSUPP");
      if (value > 2) return fail("EINVAL");
      file.atomic = value >= 1;
      file.universalPlanes = file.universalPlanes || value >= 1;
      return ok({});
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_STEREO_3D:
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_ASPECT_RATIO:
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS:
    case DRM_CLIENT_CAP.DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT:
      return value > 1 ? fail("EINVAL") : ok({});
    default:
      return fail("EINVAL");
  }
});

const setMaster = sync((file) => {
  const dev = file.dev;
  if (dev.master !== null && dev.master !== file) return fail("EBUSY");
  dev.master = file;
  file.isMaster = true;
  return ok({});
});

const dropMaster = sync((file) => {
  if (!file.isMaster || file.dev.master !== file) return fail("EINVAL");
  file.dev.master = null;
  file.isMaster = false;
  return ok({});
});

const gemClose = sleeps(function* (file, arg) {
  if (!drmCoreCheckFeature(file.dev, DRIVER_GEM)) return fail("EOPNOTSUPP");
  const r = yield* drmGemHandleDelete(file, num(arg, "handle"));
  return r.ok ? ok({}) : fail(r.errno);
});

const getResources = sync((file) => {
  const mc = file.dev.modeConfig;
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET) || mc === null) return fail("EOPNOTSUPP");
  return ok({ count_fbs: mc.fbs.length, count_crtcs: mc.crtcs.length, count_connectors: mc.connectors.length, count_encoders: mc.encoders.length, crtc_ids: mc.crtcs, connector_ids: mc.connectors.map((c) => c.id), encoder_ids: mc.encoders, min_width: 0, max_width: 8192, min_height: 0, max_height: 8192 });
});

/** Dumb buffers: pitch = width * bytes per pixel, size page-aligned. */
const createDumb = sleeps(function* (file, arg) {
  if (!drmCoreCheckFeature(file.dev, DRIVER_GEM) || !drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const width = num(arg, "width");
  const height = num(arg, "height");
  const bpp = num(arg, "bpp");
  if (width <= 0 || height <= 0 || bpp <= 0 || num(arg, "flags") !== 0) return fail("EINVAL");
  const pitch = width * Math.ceil(bpp / 8);
  const size = Math.ceil((pitch * height) / PAGE_SIZE) * PAGE_SIZE;
  if (size > 2 ** 32) return fail("EINVAL");
  const obj = drmGemObjectInit(file.dev, size);
  const handle = drmGemHandleCreate(file, obj);
  yield* drmGemObjectPut(obj); // the handle keeps it
  return ok({ handle, pitch, size });
});

const mapDumb = sleeps(function* (file, arg) {
  const handle = num(arg, "handle");
  // It finds the object by handle, then writes it and the device's offset manager.
  yield lookupStep("drm_gem_dumb_map_offset", () => {
    const found = file.handles.get(handle);
    return { reads: [file], writes: found === undefined ? [] : [file.dev, found] };
  });
  const obj = file.handles.get(handle);
  if (obj === undefined) return fail("ENOENT");
  const offset = drmGemCreateMmapOffset(file, obj);
  if (offset < 0n) return fail("ENOSPC");
  return ok({ offset: Number(offset) });
});

const destroyDumb = sleeps(function* (file, arg) {
  const r = yield* drmGemHandleDelete(file, num(arg, "handle"));
  return r.ok ? ok({}) : fail(r.errno);
});

const ATOMIC_FLAGS = DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_ATOMIC_ALLOW_MODESET | 0x1 | 0x2; // PAGE_FLIP_EVENT | PAGE_FLIP_ASYNC

/** An atomic commit; the model checks the arguments and commits the empty state. */
const atomic = sync((file, arg) => {
  if (!drmCoreCheckFeature(file.dev, DRIVER_ATOMIC)) return fail("EOPNOTSUPP");
  if (!file.atomic) return fail("EOPNOTSUPP");
  const flags = num(arg, "flags");
  if ((flags & ~ATOMIC_FLAGS) !== 0) return fail("EINVAL");
  if (num(arg, "count_objs") !== 0) return fail("EINVAL");
  return ok({});
});

function entry(name: string, flags: number, handler: Handler): [number, DrmIoctlDesc] {
  const def = ioctlByName(name);
  if (def === undefined) throw new TypeError(`Cannot build ioctl table: unknown ioctl ${name}`);
  // The frame name is the C handler's, e.g. drm_version_ioctl for DRM_IOCTL_VERSION.
  return [iocNr(def.cmd), { name, fn: `${name.toLowerCase().replace("drm_ioctl_", "drm_")}_ioctl`, flags, handler }];
}

/** Core ioctls by number. */
export const CORE_IOCTLS: ReadonlyMap<number, DrmIoctlDesc> = new Map([
  entry("DRM_IOCTL_VERSION", DRM_RENDER_ALLOW, version),
  entry("DRM_IOCTL_GET_UNIQUE", 0, getUnique),
  entry("DRM_IOCTL_GET_MAGIC", 0, getMagic),
  entry("DRM_IOCTL_GEM_CLOSE", DRM_RENDER_ALLOW, gemClose),
  entry("DRM_IOCTL_GET_CAP", DRM_RENDER_ALLOW, getCap),
  entry("DRM_IOCTL_SET_CLIENT_CAP", 0, setClientCap),
  entry("DRM_IOCTL_AUTH_MAGIC", DRM_AUTH | DRM_MASTER, authMagic),
  entry("DRM_IOCTL_SET_MASTER", 0, setMaster),
  entry("DRM_IOCTL_DROP_MASTER", 0, dropMaster),
  entry("DRM_IOCTL_MODE_GETRESOURCES", 0, getResources),
  entry("DRM_IOCTL_MODE_CREATE_DUMB", 0, createDumb),
  entry("DRM_IOCTL_MODE_MAP_DUMB", 0, mapDumb),
  entry("DRM_IOCTL_MODE_DESTROY_DUMB", 0, destroyDumb),
  entry("DRM_IOCTL_MODE_ATOMIC", DRM_MASTER, atomic),
]);
