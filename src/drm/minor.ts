/**
 * DRM minors: the card, renderD and accel nodes of a device. A minor is allocated with the
 * device (its index reserved), registered (device_add, then published so open() can find it),
 * unregistered (unpublished, device_del) and finally released at the last drm_dev_put(),
 * which is when its number becomes reusable (R29).
 *
 * @see drm_minor_alloc(), drm_minor_register(), drm_minor_unregister(), drm_minor_acquire()
 *      in drivers/gpu/drm/drm_drv.c
 */
import { Device, deviceAdd, deviceDel, putDevice } from "../base/mod.js";
import { assert, KObject, lookupStep, step, type KStruct, type Task } from "../kernel/mod.js";
import { DRM_MAJOR, fail, ok, type ErrnoName, type SysResult } from "../uapi/mod.js";
import { ACCEL_MAJOR, drmCore } from "./drm_core.js";
import { drmDevGet, drmDevIsUnplugged, drmDevPut, type DrmDevice } from "./device.js";
import { drmmAddActionOrReset, drmmKzalloc } from "./managed.js";
import { DRM_MINOR_ACCEL, DRM_MINOR_PRIMARY, DRM_MINOR_RENDER, type DrmMinorType, type MinorTable } from "./minor_table.js";

export class DrmMinor extends KObject {
  static readonly fixedFields = ["dev", "type", "index"];
  kdev: Device | null = null;
  registered = false;
  constructor(
    mem: KStruct["mem"],
    readonly dev: DrmDevice,
    readonly type: DrmMinorType,
    readonly index: number,
  ) {
    super(dev.sim, mem);
  }

  get name(): string {
    return minorName(this.type, this.index);
  }
}

export function minorName(type: DrmMinorType, index: number): string {
  switch (type) {
    case DRM_MINOR_PRIMARY:
      return `card${index}`;
    case DRM_MINOR_RENDER:
      return `renderD${index}`;
    case DRM_MINOR_ACCEL:
      return `accel${index}`;
  }
}

/** The minor's link in its class directory, e.g. /sys/class/drm/card0. */
function classLink(minor: DrmMinor): string {
  return `/sys/class/${minor.type === DRM_MINOR_ACCEL ? "accel" : "drm"}/${minor.name}`;
}

function tableFor(dev: DrmDevice, type: DrmMinorType): MinorTable {
  const core = drmCore(dev.kernel);
  return type === DRM_MINOR_ACCEL ? core.accelMinors : core.minors;
}

/** Allocates a minor (drmm memory) and reserves its index; its release erases the index. */
export function* drmMinorAlloc(dev: DrmDevice, type: DrmMinorType): Task<0 | ErrnoName> {
  const table = tableFor(dev, type);
  yield step("drm_minor_alloc", [], [dev, table]);
  const buf = drmmKzalloc(dev, 64, "drm_minor");
  if (buf === null) return "ENOMEM";
  const index = table.alloc(type);
  if (index === null) return "ENOSPC";
  assert(table.isReserved(index) && table.lookup(index) === null, `Cannot allocate minor ${index}: not reserved by alloc()`);
  const minor = new DrmMinor(buf.mem, dev, type, index);
  dev.sim.relabel(buf.mem, `drm_minor ${minor.name} (${dev.label})`);
  const err = yield* drmmAddActionOrReset(dev, "drm_minor_alloc_release", function* () {
    yield lookupStep("drm_minor_alloc_release", () => ({ reads: [], writes: minor.kdev === null ? [table, minor] : [table, minor, minor.kdev] }));
    const kdev = minor.kdev;
    // The number becomes reusable only here, at the final put (R29).
    table.erase(index);
    if (kdev !== null) putDevice(kdev);
  });
  if (err !== 0) return err;
  const accel = type === DRM_MINOR_ACCEL;
  minor.kdev = new Device(dev.kernel, {
    name: minor.name,
    parent: dev.parent,
    subsystem: accel ? "accel" : "drm",
    classDir: accel ? "accel" : "drm",
    devtype: accel ? "accel_minor" : "drm_minor",
    devt: { major: accel ? ACCEL_MAJOR : DRM_MAJOR, minor: index },
    devnode: accel ? `accel/${minor.name}` : `dri/${minor.name}`,
  });
  if (type === DRM_MINOR_PRIMARY) dev.primary = minor;
  else if (type === DRM_MINOR_RENDER) dev.render = minor;
  else dev.accel = minor;
  return 0;
}

/** device_add (the `add` uevent), then publication: from here open() can succeed (R3). */
export function* drmMinorRegister(dev: DrmDevice, minor: DrmMinor | null): Task<void> {
  if (minor === null) return;
  const table = tableFor(dev, minor.type);
  yield step("drm_minor_register", [dev], [minor]);
  if (minor.kdev === null) return;
  assert(!minor.registered && minor.dev === dev, `Cannot register ${minor.name}: registered already, or of another device`);
  yield* deviceAdd(minor.kdev, classLink(minor));
  yield step("drm_minor_register", [dev], [minor, table]);
  table.publish(minor.index, minor);
  minor.registered = true;
}

/** Unpublishes (the index stays reserved), then device_del (the `remove` uevent). */
export function* drmMinorUnregister(dev: DrmDevice, minor: DrmMinor | null): Task<void> {
  if (minor === null) return;
  const table = tableFor(dev, minor.type);
  yield step("drm_minor_unregister", [dev], [minor, table]);
  if (!minor.registered || minor.kdev === null) return;
  table.unpublish(minor.index);
  yield* deviceDel(minor.kdev, classLink(minor));
  yield step("drm_minor_unregister", [dev], [minor]);
  minor.registered = false;
}

/**
 * Looks a minor up for open(): ENODEV if it is not published or its device is unplugged
 * (R35). On success the caller holds a device reference.
 */
export function* drmMinorAcquire(table: MinorTable, index: number): Task<SysResult<DrmMinor>> {
  yield lookupStep("drm_minor_acquire", () => {
    const found = table.lookup(index);
    return { reads: found === null ? [table] : [table, found], writes: found === null ? [] : [found.dev, found.dev.unplugSrcu] };
  });
  const minor = table.lookup(index);
  if (minor === null) return fail("ENODEV");
  drmDevGet(minor.dev);
  if (drmDevIsUnplugged(minor.dev)) {
    yield* drmDevPut(minor.dev);
    return fail("ENODEV");
  }
  return ok(minor);
}
