/**
 * The ioctls that tell userspace who it talks to: the driver's name and version (VERSION),
 * the bus id of the master (GET_UNIQUE, set by SET_VERSION 1.1 and later), and the calling
 * client (GET_CLIENT).
 *
 * A string goes to userspace as drm_copy_field() copies it: at most as many bytes as the
 * length field says, and the length field is set to the whole string's length, so a caller
 * asks once for the lengths and again with room for the strings (as libdrm's drmGetVersion()
 * does).
 *
 * @see drm_version(), drm_getunique(), drm_setversion(), drm_getclient(), drm_copy_field()
 *      in drivers/gpu/drm/drm_ioctl.c
 */
import { assert } from "../kernel/mod.js";
import {
  DRM_IF_MAJOR,
  DRM_IF_MINOR,
  fail,
  ok,
  u64Of,
  type DRM_IOCTL_GET_CLIENT,
  type DRM_IOCTL_GET_UNIQUE,
  type DRM_IOCTL_SET_VERSION,
  type DRM_IOCTL_VERSION,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmDriver } from "./drm_driver.js";
import type { DrmFile } from "./file.js";

/** overflowuid: what GET_CLIENT reports as every client's uid. */
const OVERFLOW_UID = 65534n;

/** The part of `value` a buffer of `bufLen` bytes receives. @see drm_copy_field() */
function copyField(value: string, bufLen: bigint): string {
  return u64Of(value.length) <= bufLen ? value : value.slice(0, Number(bufLen));
}

type VersionResult = SysResult<IoctlOutOf<typeof DRM_IOCTL_VERSION>>;

/**
 * The last VERSION answer per driver and buffer lengths: the answer depends on nothing else,
 * so a program asking again (a loop, a benchmark) gets the same object, made once.
 */
const lastVersion = new WeakMap<
  DrmDriver,
  { readonly arg: IoctlIn<typeof DRM_IOCTL_VERSION>; readonly r: VersionResult }
>();

/** @see drm_version() */
export function drmVersion(file: DrmFile, arg: IoctlIn<typeof DRM_IOCTL_VERSION>): VersionResult {
  const d = file.dev.driver;
  const last = lastVersion.get(d);
  if (
    last !== undefined &&
    last.arg.name_len === arg.name_len &&
    last.arg.date_len === arg.date_len &&
    last.arg.desc_len === arg.desc_len
  )
    return last.r;
  const r = versionOf(d, arg);
  lastVersion.set(d, { arg, r });
  return r;
}

function versionOf(d: DrmDriver, arg: IoctlIn<typeof DRM_IOCTL_VERSION>): VersionResult {
  return ok({
    version_major: d.major,
    version_minor: d.minor,
    version_patchlevel: d.patchlevel,
    name_len: u64Of(d.name.length),
    name: copyField(d.name, arg.name_len),
    date_len: u64Of(d.date.length),
    date: copyField(d.date, arg.date_len),
    desc_len: u64Of(d.desc.length),
    desc: copyField(d.desc, arg.desc_len),
  });
}

/** The master's bus id, copied only if the caller's buffer holds all of it. @see drm_getunique() */
export function drmGetunique(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_GET_UNIQUE>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_GET_UNIQUE>> {
  const master = file.master;
  assert(master !== null, "Cannot get the bus id: a primary client without drm_master");
  const unique = master.unique ?? "";
  const len = u64Of(unique.length);
  return ok({ unique_len: len, unique: arg.unique_len >= len ? unique : "" });
}

/**
 * The master's bus id: "pci:DDDD:BB:SS.F" for a PCI device.
 * @see drm_set_busid(), drm_pci_set_busid()
 */
function drmSetBusid(file: DrmFile): void {
  const master = file.master;
  assert(master !== null, "Cannot set the bus id: a primary client without drm_master");
  const dev = file.dev;
  master.unique = dev.parent.subsystem === "pci" ? `pci:${dev.parent.name}` : dev.unique;
}

/**
 * Negotiates the interface version: a requested DRM interface 1.x (x <= DRM_IF_MINOR), or -1
 * for none, and a driver version up to the driver's. Interface 1.1 and later set the master's
 * bus id. The versions in effect are written back.
 * @see drm_setversion()
 */
export function drmSetversion(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_SET_VERSION>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_SET_VERSION>> {
  const d = file.dev.driver;
  if (arg.drm_di_major !== -1) {
    if (
      arg.drm_di_major !== DRM_IF_MAJOR ||
      arg.drm_di_minor < 0 ||
      arg.drm_di_minor > DRM_IF_MINOR
    )
      return fail("EINVAL");
    if (arg.drm_di_minor >= 1) drmSetBusid(file);
  }
  if (
    arg.drm_dd_major !== -1 &&
    (arg.drm_dd_major !== d.major || arg.drm_dd_minor < 0 || arg.drm_dd_minor > d.minor)
  )
    return fail("EINVAL");
  return ok({
    drm_di_major: DRM_IF_MAJOR,
    drm_di_minor: DRM_IF_MINOR,
    drm_dd_major: d.major,
    drm_dd_minor: d.minor,
  });
}

/** Only client 0, the caller itself, is reported. @see drm_getclient() */
export function drmGetclient(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_GET_CLIENT>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_GET_CLIENT>> {
  if (arg.idx !== 0) return fail("EINVAL");
  return ok({
    auth: file.authenticated ? 1 : 0,
    pid: BigInt(file.kfile.pid),
    uid: OVERFLOW_UID,
    magic: 0n,
    iocs: 0n,
  });
}
