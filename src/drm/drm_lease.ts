/**
 * DRM leases: a master (the owner) hands some of its connectors, CRTCs and planes to a new
 * master, the lessee, whose file is a second open of the same node (CREATE_LEASE installs it
 * in the caller). A lessee sees and changes only what it leases (ENOENT for the other
 * connectors, CRTCs and planes, EACCES where Linux says so); an owner controls everything.
 * Leases are one level deep (a lessee cannot sub-lease), listed with LIST_LESSEES, read with
 * GET_LEASE, emptied by REVOKE_LEASE (the lessee keeps its file, now with nothing in it) and
 * by the close of a master's file; a lessee's master is destroyed with its file, which tells
 * the owner with a `change` uevent `LEASE=1` on the card (R92).
 *
 * After unplug the lease ioctls fail at the gate with ENODEV in both profiles (R43, R91: the
 * uAPI document asks the same of CREATE_LEASE), and a lessee's file is a file like any other:
 * its ioctls answer as the profile says, its close is clean. The LEASE=1 uevent goes out only
 * while the card's node is registered, as the model's other change events of the card.
 *
 * @see drivers/gpu/drm/drm_lease.c, drm_sysfs_lease_event() in drm_sysfs.c
 */
import { currentProcess, fdInstall, kobjectUevent } from "../base/mod.js";
import { lookupStep, step, type KStruct, type StepYield, type Task } from "../kernel/mod.js";
import {
  DRM_MODE_OBJECT,
  fail,
  O_CLOEXEC,
  O_NONBLOCK,
  ok,
  type DRM_IOCTL_MODE_CREATE_LEASE,
  type DRM_IOCTL_MODE_GET_LEASE,
  type DRM_IOCTL_MODE_LIST_LESSEES,
  type DRM_IOCTL_MODE_REVOKE_LEASE,
  type ErrnoName,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import { drmLeaseOwner, drmMasterCreate, drmMasterPut, type DrmMaster } from "./auth.js";
import type { DrmDevice } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import { drmFileOf, type DrmFile } from "./file.js";
import type { IoctlFootprint } from "./ioctl_desc.js";
import { modeConfigOf, type ModeConfig } from "./kms.js";
import { kmsObjects } from "./kms_commit.js";
import { modeObjectType } from "./kms_property.js";

/** The object types a lease holds: the others are everybody's. @see drm_mode_object_lease_required() */
const LEASED_TYPES: ReadonlySet<number> = new Set([
  DRM_MODE_OBJECT.CONNECTOR,
  DRM_MODE_OBJECT.CRTC,
  DRM_MODE_OBJECT.PLANE,
]);

/**
 * Whether the file's master controls object `id`: always for an owner (and a file without
 * a master), for a lessee only what it leases. @see drm_lease_held()
 */
export function drmLeaseHeld(file: DrmFile, id: number): boolean {
  const master = file.master;
  if (master === null || master.lessor === null) return true;
  return master.leases.has(id);
}

/**
 * A mask of CRTC indices as the file sees it: a lessee's CRTCs renumbered among those it
 * leases. @see drm_lease_filter_crtcs()
 */
export function drmLeaseFilterCrtcs(file: DrmFile, crtcsIn: number): number {
  const master = file.master;
  if (master === null || master.lessor === null) return crtcsIn;
  let out = 0;
  let n = 0;
  for (const [i, crtc] of modeConfigOf(file.dev).crtcs.entries()) {
    if (!master.leases.has(crtc.id)) continue;
    if ((crtcsIn & (1 << i)) !== 0) out |= 1 << n;
    n++;
  }
  return out >>> 0;
}

/**
 * Whether the file may find object `id` of type `type`: a leased type must be held.
 * @see drm_mode_object_find()
 */
export function drmModeObjectVisible(file: DrmFile, type: number, id: number): boolean {
  return !LEASED_TYPES.has(type) || drmLeaseHeld(file, id);
}

/** The file's master, read by a lease check: what a handler's step declares besides the device. */
export function leaseReads(file: DrmFile): IoctlFootprint {
  return { reads: file.master === null ? [] : [file.master], writes: [] };
}

/** A KMS step named `fn` that also reads the file's master (its leases). */
export function kmsLeaseStep(file: DrmFile, fn: string): StepYield {
  return lookupStep(fn, () => ({ reads: leaseReads(file).reads, writes: kmsObjects(file.dev) }));
}

/** The master of a master's file (a primary node's file always has one). */
function fileMaster(file: DrmFile): DrmMaster | ErrnoName {
  return file.master ?? "EINVAL";
}

/** An owner and its lessees: what the lease ioctls of its tree touch. */
function leaseTree(master: DrmMaster | null): KStruct[] {
  if (master === null) return [];
  const owner = drmLeaseOwner(master);
  return [...new Set([master, owner, ...owner.lessees])];
}

/** CREATE_LEASE, LIST_LESSEES and REVOKE_LEASE write the caller's lease tree. */
export function leaseTreeTouches(file: DrmFile): IoctlFootprint {
  return { reads: [], writes: leaseTree(file.master) };
}

/**
 * The ids of a lease request as the lessor may lease them: every id a connector, CRTC or
 * plane the lessor sees (ENOENT for no object, EINVAL for another kind), at least a CRTC and
 * a connector (and a plane, for a lessor with universal planes), no id twice (ENOSPC, from the
 * idr); without universal planes a CRTC brings its primary plane. @see fill_object_idr()
 */
function fillObjectIdr(file: DrmFile, mc: ModeConfig, ids: readonly number[]): Set<number> | ErrnoName {
  const types: number[] = [];
  for (const id of ids) {
    const type = modeObjectType(mc, id);
    if (type === null || !drmModeObjectVisible(file, type, id)) return "ENOENT";
    if (!LEASED_TYPES.has(type)) return "EINVAL";
    types.push(type);
  }
  const has = (t: number): boolean => types.includes(t);
  if (!has(DRM_MODE_OBJECT.CRTC) || !has(DRM_MODE_OBJECT.CONNECTOR)) return "EINVAL";
  if (file.universalPlanes && !has(DRM_MODE_OBJECT.PLANE)) return "EINVAL";
  const leases = new Set<number>();
  for (const [i, id] of ids.entries()) {
    if (leases.has(id)) return "ENOSPC";
    leases.add(id);
    if (types[i] !== DRM_MODE_OBJECT.CRTC || file.universalPlanes) continue;
    const primary = mc.crtcs.find((c) => c.id === id)!.primaryId;
    if (leases.has(primary)) return "ENOSPC";
    leases.add(primary);
  }
  return leases;
}

/**
 * A lessee of `lessor` holding `leases`, or EBUSY when another lessee holds one of them.
 * @see drm_lease_create()
 */
function drmLeaseCreate(lessor: DrmMaster, leases: ReadonlySet<number>): DrmMaster | ErrnoName {
  for (const id of [...leases].sort((a, b) => a - b)) {
    if (lessor.lessees.some((l) => l.leases.has(id))) return "EBUSY";
  }
  const owner = drmLeaseOwner(lessor);
  const id = owner.lesseeIdr.lowestFree();
  const lessee = drmMasterCreate(lessor.dev, lessor, id);
  owner.lesseeIdr.set(id, lessee);
  lessor.lessees.push(lessee);
  for (const o of leases) lessee.leases.add(o);
  return lessee;
}

type CreateLease = typeof DRM_IOCTL_MODE_CREATE_LEASE;

/** The checks and the lessee master, before the file: the master, or the errno. */
function createLeaseMaster(file: DrmFile, arg: IoctlIn<CreateLease>): DrmMaster | ErrnoName {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return "EOPNOTSUPP";
  if ((arg.flags & ~(O_CLOEXEC | O_NONBLOCK)) !== 0) return "EINVAL";
  const lessor = fileMaster(file);
  if (typeof lessor === "string") return lessor;
  if (lessor.lessor !== null) return "EINVAL"; // no sub-leases
  let leases: Set<number> = new Set();
  if (arg.object_count !== 0) {
    if (arg.object_ids.length < arg.object_count) return "EFAULT";
    const filled = fillObjectIdr(file, modeConfigOf(dev), arg.object_ids.slice(0, arg.object_count));
    if (typeof filled === "string") return filled;
    leases = filled;
  }
  return drmLeaseCreate(lessor, leases);
}

/**
 * CREATE_LEASE: a lessee master for the objects, then its file, a clone of the caller's, in
 * the caller's fd table. @see drm_mode_create_lease_ioctl()
 */
export function* drmModeCreateLeaseIoctl(
  file: DrmFile,
  arg: IoctlIn<CreateLease>,
): Task<SysResult<IoctlOutOf<CreateLease>>> {
  const dev = file.dev;
  const lessee = createLeaseMaster(file, arg);
  if (typeof lessee === "string") return fail(lessee);
  const kernel = dev.kernel;
  const process = currentProcess(kernel);
  const cloned = yield* kernel.vfs.cloneOpen(file.kfile, process.pid);
  if (!cloned.ok) {
    yield step("drm_mode_create_lease_ioctl", [], [lessee]);
    yield* drmMasterPut(lessee);
    return fail(cloned.errno);
  }
  const kfile = cloned.value;
  yield lookupStep("drm_mode_create_lease_ioctl", () => {
    const f = drmFileOf(kfile);
    return { reads: [], writes: [kfile, f, lessee, ...(f.master === null ? [] : [f.master])] };
  });
  const lesseeFile = drmFileOf(kfile);
  const clientOf = lesseeFile.master;
  // The new file came as a client of the current master: it becomes the lessee's master.
  lesseeFile.master = lessee;
  lesseeFile.isMaster = true;
  lesseeFile.authenticated = true;
  if (clientOf !== null) yield* drmMasterPut(clientOf);
  const fd = fdInstall(kernel, kfile, arg.flags & O_CLOEXEC);
  return ok({ lessee_id: lessee.lesseeId, fd });
}

/**
 * LIST_LESSEES: the ids of the caller's lessees whose lease is not revoked.
 * @see drm_mode_list_lessees_ioctl()
 */
export function drmModeListLesseesIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_LIST_LESSEES>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_LIST_LESSEES>> {
  if (arg.pad !== 0) return fail("EINVAL");
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const lessor = fileMaster(file);
  if (typeof lessor === "string") return fail(lessor);
  const ids = lessor.lessees.filter((l) => l.leases.size > 0).map((l) => l.lesseeId);
  return ok({ lessees_ptr: ids.slice(0, arg.count_lessees), count_lessees: ids.length });
}

/** Every mode object id of the device, ascending: what an owner controls. */
function allObjectIds(mc: ModeConfig): number[] {
  const ids = [
    ...mc.properties.values(), ...mc.connectors.map((c) => c.id), ...mc.crtcs.map((c) => c.id),
    ...mc.planes.map((p) => p.id), ...mc.encoders.map((e) => e.id), ...mc.fbs.map((f) => f.id),
    ...mc.blobs.keys(),
  ];
  return ids.sort((a, b) => a - b);
}

/**
 * GET_LEASE: the objects the caller's master controls, ascending: a lessee's leases, or
 * for an owner every object of the device. @see drm_mode_get_lease_ioctl()
 */
export function drmModeGetLeaseIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_GET_LEASE>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GET_LEASE>> {
  if (arg.pad !== 0) return fail("EINVAL");
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const master = fileMaster(file);
  if (typeof master === "string") return fail(master);
  const ids =
    master.lessor === null
      ? allObjectIds(modeConfigOf(file.dev))
      : [...master.leases].sort((a, b) => a - b);
  return ok({ objects_ptr: ids.slice(0, arg.count_objects), count_objects: ids.length });
}

/**
 * Empties the leases of `top` and of every lessee below it; the caller's step writes them.
 * @see drm_lease_revoke(), _drm_lease_revoke()
 */
export function drmLeaseRevoke(top: DrmMaster): void {
  top.leases.clear();
  for (const lessee of top.lessees) drmLeaseRevoke(lessee);
}

/**
 * REVOKE_LEASE: empties lessee `lessee_id`'s lease (ENOENT for no such lessee, EACCES for
 * one that is not the caller's). @see drm_mode_revoke_lease_ioctl()
 */
export function drmModeRevokeLeaseIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_MODE_REVOKE_LEASE>,
): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_REVOKE_LEASE>> {
  if (!drmCoreCheckFeature(file.dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const lessor = fileMaster(file);
  if (typeof lessor === "string") return fail(lessor);
  const lessee = drmLeaseOwner(lessor).lesseeIdr.get(arg.lessee_id);
  if (lessee === undefined) return fail("ENOENT");
  if (lessee.lessor !== lessor) return fail("EACCES");
  drmLeaseRevoke(lessee);
  return ok({});
}

/**
 * `change` on the card with LEASE=1: the owner should look at its lessees again.
 * @see drm_sysfs_lease_event()
 */
export function* drmSysfsLeaseEvent(dev: DrmDevice): Task<void> {
  const primary = dev.primary;
  if (primary === null) return;
  yield lookupStep("drm_sysfs_lease_event", () => ({
    reads: primary.kdev === null ? [dev, primary] : [dev, primary, primary.kdev],
    writes: [],
  }));
  const kdev = primary.kdev;
  if (kdev === null || !kdev.added) return;
  yield* kobjectUevent(kdev, "change", [["LEASE", "1"]]);
}

/**
 * A master is destroyed: it leaves its owner's lessee table and its lessor's list, and a
 * lessee's end is announced (LEASE=1). The caller's step writes the master and its lessor;
 * the caller then drops the lessee's reference on its lessor. @see drm_lease_destroy()
 */
export function* drmLeaseDestroy(master: DrmMaster): Task<void> {
  const lessor = master.lessor;
  if (lessor === null) return;
  const owner = drmLeaseOwner(master);
  if (master.lesseeId !== 0) owner.lesseeIdr.delete(master.lesseeId);
  const i = lessor.lessees.indexOf(master);
  if (i >= 0) lessor.lessees.splice(i, 1);
  yield* drmSysfsLeaseEvent(master.dev);
}
