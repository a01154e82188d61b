/**
 * Masters and authentication (drm_auth.c): the first opener of a primary node becomes master
 * of a new drm_master; later openers share the current master. A master owns the magic
 * numbers its clients get with GET_MAGIC and authenticates them with AUTH_MAGIC. SET_MASTER
 * and DROP_MASTER are allowed to a file that was master once (the model's processes are never
 * CAP_SYS_ADMIN, and a file is used only by the process that opened it).
 *
 * The model has no leases, so a file is the current master when its master is the device's.
 *
 * @see drivers/gpu/drm/drm_auth.c
 */
import { assert } from "../kernel/mod.js";
import {
  DRM_IOCTL_AUTH_MAGIC,
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_GET_MAGIC,
  DRM_IOCTL_SET_MASTER,
  fail,
  ok,
  type ErrnoName,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import type { DrmFile } from "./file.js";

/** struct drm_master: the magic numbers of its clients, and the bus id SET_VERSION sets. */
export class DrmMaster {
  /** magic_map: magic -> the file that asked for it; null once AUTH_MAGIC used it. */
  readonly magicMap = new Map<number, DrmFile | null>();
  /** master->unique, set by drm_set_busid() (SET_VERSION 1.1 and later). */
  unique: string | null = null;
  constructor(readonly dev: DrmDevice) {}
}

/** @see drm_is_current_master() */
export function drmIsCurrentMaster(file: DrmFile): boolean {
  return file.isMaster && file.master !== null && file.master === file.dev.master;
}

/** @see drm_set_master() */
function drmSetMaster(dev: DrmDevice, file: DrmFile): void {
  assert(file.master !== null, "Cannot set master: the file has no drm_master");
  dev.master = file.master;
  file.wasMaster = true;
}

/** A fresh drm_master for `file`, which becomes the device's master. @see drm_new_set_master() */
function drmNewSetMaster(dev: DrmDevice, file: DrmFile): void {
  assert(!file.isMaster, "Cannot make a new master: the file owns one already");
  file.master = new DrmMaster(dev);
  file.isMaster = true;
  file.authenticated = true;
  drmSetMaster(dev, file);
}

/**
 * At open of a primary node: master if there is none, else a client of the current one.
 * @see drm_master_open()
 */
export function drmMasterOpen(file: DrmFile): void {
  const dev = file.dev;
  if (dev.master === null) drmNewSetMaster(dev, file);
  else file.master = dev.master;
}

/**
 * At close of a primary node: its magic goes, and its mastership if current.
 * @see drm_master_release()
 */
export function drmMasterRelease(file: DrmFile): void {
  const master = file.master;
  if (master === null) return;
  if (file.magic !== 0) master.magicMap.delete(file.magic);
  if (drmIsCurrentMaster(file)) file.dev.master = null;
  file.master = null;
}

/**
 * SET_MASTER and DROP_MASTER need the file to have been master before (and the caller to be
 * the process that opened it, always true in the model), or CAP_SYS_ADMIN, which no model
 * process has. @see drm_master_check_perm()
 */
function drmMasterCheckPerm(file: DrmFile): ErrnoName | null {
  return file.wasMaster ? null : "EACCES";
}

/** @see drm_getmagic() */
export function drmGetmagic(file: DrmFile): SysResult<IoctlOutOf<typeof DRM_IOCTL_GET_MAGIC>> {
  const master = file.master;
  assert(master !== null, "Cannot get a magic: a primary client without drm_master");
  if (file.magic === 0) {
    // idr_alloc(magic_map, file, 1, 0): the lowest free id from 1.
    let magic = 1;
    while (master.magicMap.has(magic)) magic++;
    master.magicMap.set(magic, file);
    file.magic = magic;
  }
  return ok({ magic: file.magic });
}

/** Authenticates the file that got `magic` from this file's master. @see drm_authmagic() */
export function drmAuthmagic(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_AUTH_MAGIC>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_AUTH_MAGIC>> {
  const master = file.master;
  assert(master !== null, "Cannot authenticate: a master without drm_master");
  const target = master.magicMap.get(arg.magic);
  if (target === undefined || target === null) return fail("EINVAL");
  target.authenticated = true;
  master.magicMap.set(arg.magic, null); // idr_replace(magic_map, NULL, magic): used up
  return ok({});
}

/** @see drm_setmaster_ioctl() */
export function drmSetmasterIoctl(
  file: DrmFile,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_SET_MASTER>> {
  const dev = file.dev;
  const denied = drmMasterCheckPerm(file);
  if (denied !== null) return fail(denied);
  if (drmIsCurrentMaster(file)) return ok({});
  if (dev.master !== null) return fail("EBUSY");
  if (file.master === null) return fail("EINVAL");
  if (!file.isMaster) drmNewSetMaster(dev, file);
  else drmSetMaster(dev, file);
  return ok({});
}

/** @see drm_dropmaster_ioctl() */
export function drmDropmasterIoctl(
  file: DrmFile,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_DROP_MASTER>> {
  const denied = drmMasterCheckPerm(file);
  if (denied !== null) return fail(denied);
  if (!drmIsCurrentMaster(file)) return fail("EINVAL");
  file.dev.master = null; // drm_drop_master(): the device's reference to the master goes
  return ok({});
}
