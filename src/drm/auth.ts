/**
 * Masters and authentication (drm_auth.c): the first opener of a primary node becomes master
 * of a new drm_master; later openers share the current master. A master owns the magic
 * numbers its clients get with GET_MAGIC and authenticates them with AUTH_MAGIC. SET_MASTER
 * and DROP_MASTER are allowed to a file that was master once (the model's processes are never
 * CAP_SYS_ADMIN, and a file is used only by the process that opened it).
 *
 * A master is an owner (it leases from nobody) or a lessee (drm_lease.ts): a file is the
 * current master when its master, or the owner its master leases from, is the device's.
 *
 * @see drivers/gpu/drm/drm_auth.c
 */
import {
  assert,
  KObject,
  Kref,
  krefGet,
  krefPut,
  lookupStep,
  step,
  type Allocation,
  type Task,
} from "../kernel/mod.js";
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
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { Idr, idrAlloc } from "./idr.js";
import { drmLeaseDestroy, drmLeaseRevoke } from "./drm_lease.js";
import type { IoctlFootprint } from "./ioctl_desc.js";

/**
 * struct drm_master: the magic numbers of its clients and the bus id SET_VERSION sets. It is
 * reference-counted: the file that created it, every client file opened while it was the
 * device's master, and the device while it is current each hold one.
 */
export class DrmMaster extends KObject {
  static readonly fixedFields = ["dev", "ref", "lessor", "lesseeId"];
  readonly ref: Kref;
  /** The ids of the objects leased to it (a lessee's; revocation empties it). */
  readonly leases = new Set<number>();
  /** Its lessees, oldest first (lessor->lessees). */
  readonly lessees: DrmMaster[] = [];
  /** An owner's lessees by lessee id (lessee_idr). */
  readonly lesseeIdr = new Idr<DrmMaster>();
  /** magic_map: magic -> the file that asked for it; null once AUTH_MAGIC used it. */
  readonly magicMap = new Idr<DrmFile | null>();
  /** master->unique, set by drm_set_busid() (SET_VERSION 1.1 and later). */
  unique: string | null = null;
  constructor(
    mem: Allocation,
    readonly dev: DrmDevice,
    /** The master it leases from, null for an owner (set once: no sub-leases). */
    readonly lessor: DrmMaster | null = null,
    /** Its id in the owner's lessee_idr, 0 for an owner. */
    readonly lesseeId = 0,
  ) {
    super(dev.sim, mem);
    this.ref = new Kref(dev.sim, this);
  }
}

/**
 * A new master of `dev`; a lessee of `lessor` (which takes a reference on it) when given.
 * @see drm_master_create(), drm_lease_create()
 */
export function drmMasterCreate(dev: DrmDevice, lessor: DrmMaster | null = null, lesseeId = 0): DrmMaster {
  const what = lessor === null ? "drm_master" : `drm_master lessee ${lesseeId}`;
  const mem = dev.sim.alloc("drm_master", { label: `${what} (${dev.label})`, owner: dev });
  return new DrmMaster(mem, dev, lessor === null ? null : drmMasterGet(lessor), lesseeId);
}

/** @see drm_master_get() */
export function drmMasterGet(master: DrmMaster): DrmMaster {
  krefGet(master.ref);
  return master;
}

/** @see drm_master_put(), drm_master_destroy() */
export function* drmMasterPut(master: DrmMaster): Task<void> {
  yield* krefPut(master.ref, function* () {
    const lessor = master.lessor;
    yield step("drm_master_destroy", [], lessor === null ? [master] : [master, lessor, master.dev]);
    if (drmCoreCheckFeature(master.dev, DRIVER_MODESET)) yield* drmLeaseDestroy(master);
    if (lessor !== null) {
      yield step("drm_lease_destroy", [], [master, lessor]);
      yield* drmMasterPut(lessor); // the lessee's reference on its lessor
    }
    master.dev.sim.free(master.mem, "drm_master_destroy");
  });
}

/** The master at the top of `master`'s lease tree. @see drm_lease_owner() */
export function drmLeaseOwner(master: DrmMaster): DrmMaster {
  let m = master;
  while (m.lessor !== null) m = m.lessor;
  return m;
}

/** @see drm_is_current_master() */
export function drmIsCurrentMaster(file: DrmFile): boolean {
  return file.isMaster && file.master !== null && drmLeaseOwner(file.master) === file.dev.master;
}

/** The device takes a reference to the file's master. @see drm_set_master() */
function drmSetMaster(dev: DrmDevice, file: DrmFile): void {
  assert(file.master !== null, "Cannot set master: the file has no drm_master");
  dev.master = drmMasterGet(file.master);
  file.wasMaster = true;
}

/** The device drops its reference to its master. @see drm_drop_master() */
function* drmDropMaster(dev: DrmDevice): Task<void> {
  const master = dev.master;
  assert(master !== null, "Cannot drop master: the device has none");
  dev.master = null;
  yield* drmMasterPut(master);
}

/** A fresh drm_master for `file`, which becomes the device's master. @see drm_new_set_master() */
function* drmNewSetMaster(dev: DrmDevice, file: DrmFile): Task<void> {
  assert(!file.isMaster, "Cannot make a new master: the file owns one already");
  const old = file.master;
  file.master = drmMasterCreate(dev);
  file.isMaster = true;
  file.authenticated = true;
  drmSetMaster(dev, file);
  if (old !== null) yield* drmMasterPut(old);
}

/**
 * At open of a primary node: master if there is none, else a client of the current one.
 * @see drm_master_open()
 */
export function* drmMasterOpen(file: DrmFile): Task<void> {
  const dev = file.dev;
  yield lookupStep("drm_master_open", () => ({
    reads: [],
    writes: dev.master === null ? [dev, file] : [dev, file, dev.master],
  }));
  if (dev.master === null) yield* drmNewSetMaster(dev, file);
  else file.master = drmMasterGet(dev.master);
}

/**
 * At close of a primary node: its magic goes, its mastership if current, and its reference
 * to its master. @see drm_master_release()
 */
export function* drmMasterRelease(file: DrmFile): Task<void> {
  const dev = file.dev;
  const master = file.master;
  if (master === null) return;
  yield lookupStep("drm_master_release", () => ({ reads: [], writes: [dev, file, master, ...master.lessees] }));
  if (file.magic !== 0) master.magicMap.delete(file.magic);
  const current = drmIsCurrentMaster(file) && dev.master === master;
  file.master = null;
  // The leases of its tree end with the file that made the master (lessee or owner).
  if (file.isMaster && drmCoreCheckFeature(dev, DRIVER_MODESET)) drmLeaseRevoke(master);
  // The device's reference (if current) cannot be the last: the file still holds its own.
  if (current) yield* drmDropMaster(dev);
  yield* drmMasterPut(master);
}

/** What a handler of this file touches besides the calling file and its device. */
type Touches = IoctlFootprint;
const NOTHING: Touches = { reads: [], writes: [] };

/** GET_MAGIC and SET_VERSION write the file's master (its magic map, its bus id). */
export function writesFileMaster(file: DrmFile): Touches {
  return file.master === null ? NOTHING : { reads: [], writes: [file.master] };
}

/** GET_UNIQUE reads the file's master (its bus id). */
export function readsFileMaster(file: DrmFile): Touches {
  return file.master === null ? NOTHING : { reads: [file.master], writes: [] };
}

/** AUTH_MAGIC writes the master's magic map and the file the magic names. */
export function drmAuthmagicTouches(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_AUTH_MAGIC>,
): Touches {
  const master = file.master;
  if (master === null) return NOTHING;
  const target = master.magicMap.get(arg.magic);
  return {
    reads: [],
    writes: target === undefined || target === null ? [master] : [master, target],
  };
}

/** SET_MASTER and DROP_MASTER write the device's master pointer and the masters' counts. */
export function drmMasterIoctlTouches(file: DrmFile): Touches {
  const dev = file.dev;
  const masters = [file.master, dev.master].filter((m): m is DrmMaster => m !== null);
  return { reads: [], writes: [dev, ...new Set(masters)] };
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
    file.magic = idrAlloc(master.magicMap, file);
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
export function* drmSetmasterIoctl(
  file: DrmFile,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_SET_MASTER>>> {
  const dev = file.dev;
  const denied = drmMasterCheckPerm(file);
  if (denied !== null) return fail(denied);
  if (drmIsCurrentMaster(file)) return ok({});
  if (dev.master !== null) return fail("EBUSY");
  if (file.master === null) return fail("EINVAL");
  if (!file.isMaster) yield* drmNewSetMaster(dev, file);
  else if (file.master.lessor !== null) return fail("EINVAL"); // a lessee is never the device's master
  else drmSetMaster(dev, file);
  return ok({});
}

/** @see drm_dropmaster_ioctl() */
export function* drmDropmasterIoctl(
  file: DrmFile,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_DROP_MASTER>>> {
  const denied = drmMasterCheckPerm(file);
  if (denied !== null) return fail(denied);
  if (!drmIsCurrentMaster(file)) return fail("EINVAL");
  if (file.master?.lessor != null) return fail("EINVAL"); // a lessee cannot drop its owner
  yield* drmDropMaster(file.dev);
  return ok({});
}
