/**
 * struct drm_device and its lifetime: allocation, register, unregister, unplug, the
 * enter/exit critical section, references and the final release, in the order of
 * docs/requirements.md#r1.
 *
 * Holding a reference (drmDevGet) keeps the memory valid; being inside drmDevEnter() is what
 * allows touching the hardware. They are separate ideas with separate calls.
 *
 * @see drivers/gpu/drm/drm_drv.c
 */
import { AddressSpace, devmAddActionOrReset, getDevice, putDevice, unmapMappingRange, type Device, type Kernel } from "../base/mod.js";
import { KObject, Kref, krefGet, krefPut, srcuReadLock, srcuReadUnlock, step, synchronizeSrcu, type Allocation, type Sim, type SrcuStruct, type SrcuToken, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DrmMaster } from "./auth.js";
import { drmCore } from "./drm_core.js";
import { DRIVER_COMPUTE_ACCEL, DRIVER_GEM, DRIVER_MODESET, DRIVER_RENDER, drmCoreCheckFeature, type DrmDriver } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { drmGemInit, type GemState } from "./gem.js";
import { drmModesetRegisterAll, drmModesetUnregisterAll, type ModeConfig } from "./kms.js";
import { DrmManaged, drmManagedRelease, drmmAddAction, drmmKstrdup } from "./managed.js";
import { DrmMinor, drmMinorAlloc, drmMinorRegister, drmMinorUnregister } from "./minor.js";
import { DRM_MINOR_ACCEL, DRM_MINOR_PRIMARY, DRM_MINOR_RENDER } from "./minor_table.js";

export class DrmDevice extends KObject {
  static readonly fixedFields = ["sim", "ref", "kernel", "driver", "parent", "id", "unplugSrcu"];
  readonly sim: Sim;
  readonly ref: Kref;
  readonly managed = new DrmManaged();
  /** The open files (dev->filelist); their number is dev->open_count. */
  readonly files = new Set<DrmFile>();
  registered = false;
  unplugged = false;
  /**
   * The recovery methods of the wedged event the driver sent (not `none`), or null: the
   * device is wedged until recovery makes a new one (R78). @see drmDevWedgedEvent()
   */
  wedged: string | null = null;
  primary: DrmMinor | null = null;
  render: DrmMinor | null = null;
  accel: DrmMinor | null = null;
  /** dev->anon_inode->i_mapping: every mapping made through this device's files. */
  anonMapping: AddressSpace | null = null;
  unique: string | null = null;
  /** The current master (dev->master), null while none. */
  master: DrmMaster | null = null;
  modeConfig: ModeConfig | null = null;
  gem: GemState | null = null;
  /** The driver's own state in the container. */
  driverData: unknown = null;
  readonly id: number;
  /** drm_unplug_srcu of the DRM core, shared by every device (looked up once: enter/exit is hot). */
  readonly unplugSrcu: SrcuStruct;

  constructor(
    /** The container the drm_device is embedded in. */
    mem: Allocation,
    readonly kernel: Kernel,
    readonly driver: DrmDriver,
    readonly parent: Device,
  ) {
    super(kernel.sim, mem);
    this.sim = kernel.sim;
    this.ref = new Kref(kernel.sim, this);
    const core = drmCore(kernel);
    this.id = core.allocDeviceId();
    this.unplugSrcu = core.unplugSrcu;
  }

  get label(): string {
    return `drm_device#${this.id} (${this.primary?.name ?? this.render?.name ?? this.parent.name})`;
  }
}

/**
 * Initialises a drm_device inside `mem` (drm_dev_init). On failure every drmm entry
 * registered so far runs, newest first, before the error returns (R25).
 */
export function* drmDevInit(kernel: Kernel, mem: Allocation, driver: DrmDriver, parent: Device | null): Task<DrmDevice | ErrnoName> {
  const sim = kernel.sim;
  const core = drmCore(kernel);
  yield step("drm_dev_init", [], parent === null ? [core] : [core, parent]);
  if (parent === null) {
    sim.warn("drm_dev_init: no parent device");
    return "EINVAL";
  }
  const dev = new DrmDevice(mem, kernel, driver, parent);
  getDevice(parent); // held until drm_dev_init_release
  const fail = function* (err: ErrnoName): Task<ErrnoName> {
    yield* drmManagedRelease(dev);
    return err;
  };
  if (drmCoreCheckFeature(dev, DRIVER_COMPUTE_ACCEL) && drmCoreCheckFeature(dev, DRIVER_RENDER | DRIVER_MODESET)) {
    putDevice(parent);
    return "EINVAL";
  }
  // Registered first, so it runs last at the final put.
  let err = drmmAddAction(dev, "drm_dev_init_release", function* () {
    const mapping = dev.anonMapping;
    yield step("drm_dev_init_release", [], mapping === null ? [dev, parent] : [dev, parent, mapping]);
    if (mapping !== null) sim.free(mapping.mem, "iput");
    dev.anonMapping = null;
    putDevice(parent);
  });
  if (err !== 0) {
    putDevice(parent);
    return err;
  }
  const inode = sim.alloc("inode", { label: `anon_inode:drm (${dev.label})`, owner: dev });
  dev.anonMapping = new AddressSpace(sim, inode, `anon_inode:drm (${dev.label})`);
  if (drmCoreCheckFeature(dev, DRIVER_COMPUTE_ACCEL)) {
    err = yield* drmMinorAlloc(dev, DRM_MINOR_ACCEL);
    if (err !== 0) return yield* fail(err);
  } else {
    if (drmCoreCheckFeature(dev, DRIVER_RENDER)) {
      err = yield* drmMinorAlloc(dev, DRM_MINOR_RENDER);
      if (err !== 0) return yield* fail(err);
    }
    err = yield* drmMinorAlloc(dev, DRM_MINOR_PRIMARY);
    if (err !== 0) return yield* fail(err);
  }
  yield step("drm_dev_init", [], [dev]);
  if (drmCoreCheckFeature(dev, DRIVER_GEM)) {
    err = drmGemInit(dev);
    if (err !== 0) return yield* fail(err);
  }
  const unique = drmmKstrdup(dev, parent.name);
  if (unique === null) return yield* fail("ENOMEM");
  dev.unique = unique.value;
  sim.relabel(mem, `${mem.type} [${dev.label}]`);
  return dev;
}

/**
 * The recommended allocation: the container is plain kzalloc memory freed at the final put
 * (final_kfree); only the drop of the initial reference is devres-managed (R27).
 * Fault point "kzalloc" fails the container allocation.
 * @see devm_drm_dev_alloc()
 */
export function* devmDrmDevAlloc(parent: Device, driver: DrmDriver, containerType: string): Task<DrmDevice | ErrnoName> {
  const kernel = parent.kernel;
  yield step("devm_drm_dev_alloc", [parent]);
  if (kernel.faults.shouldFail("kzalloc")) return "ENOMEM";
  const mem = kernel.sim.alloc(containerType, { label: `${containerType} (${parent.name})` });
  const dev = yield* drmDevInit(kernel, mem, driver, parent);
  if (typeof dev === "string") {
    kernel.sim.free(mem, "devm_drm_dev_alloc");
    return dev;
  }
  yield step("devm_drm_dev_alloc", [], [parent, dev]);
  const err = yield* devmAddActionOrReset(parent, "devm_drm_dev_init_release", () => drmDevPut(dev));
  if (err !== 0) {
    // The reset dropped the only reference, but final_kfree is not set yet: free the container here.
    kernel.sim.free(mem, "devm_drm_dev_alloc");
    return err;
  }
  dev.managed.finalKfree = mem;
  return dev;
}

/**
 * The deprecated plain allocation: no subclassing and no devres; the caller owns the initial
 * reference and must drop it with drmDevPut().
 * @see drm_dev_alloc()
 */
export function* drmDevAlloc(driver: DrmDriver, parent: Device): Task<DrmDevice | ErrnoName> {
  const kernel = parent.kernel;
  yield step("drm_dev_alloc", [parent]);
  if (kernel.faults.shouldFail("kzalloc")) return "ENOMEM";
  const mem = kernel.sim.alloc("drm_device", { label: `drm_device (${parent.name})` });
  const dev = yield* drmDevInit(kernel, mem, driver, parent);
  if (typeof dev === "string") {
    kernel.sim.free(mem, "drm_dev_alloc");
    return dev;
  }
  yield step("drm_dev_alloc", [], [dev]);
  dev.managed.finalKfree = mem;
  return dev;
}

/**
 * Publishes the device: minors render, primary, accel (one `add` uevent each, R2), then the
 * modeset objects. Warns when the device was not allocated with a DRM helper (R4).
 * @see drm_dev_register()
 */
export function* drmDevRegister(dev: DrmDevice): Task<0 | ErrnoName> {
  const register = step("drm_dev_register", [], [dev]);
  yield register;
  if (dev.managed.finalKfree === null) dev.sim.warn("drm_dev_register: device not allocated with devm_drm_dev_alloc() or drm_dev_alloc() (no final_kfree)");
  yield* drmMinorRegister(dev, dev.render);
  yield* drmMinorRegister(dev, dev.primary);
  yield* drmMinorRegister(dev, dev.accel);
  yield step("drm_dev_register", minorsOf(dev), [dev]);
  dev.registered = true;
  if (drmCoreCheckFeature(dev, DRIVER_MODESET)) yield* drmModesetRegisterAll(dev);
  yield step("drm_dev_register", [dev, ...minorsOf(dev)]);
  const d = dev.driver;
  const on = dev.accel ?? dev.primary ?? dev.render;
  dev.sim.printk(6, `[drm] Initialized ${d.name} ${d.major}.${d.minor}.${d.patchlevel} for ${dev.parent.name} on minor ${on?.index ?? "?"}`);
  return 0;
}

/**
 * Takes the device away from userspace: connectors first, then minors accel, primary, render
 * (R5). Drops no reference and does not set `unplugged` (R6).
 * @see drm_dev_unregister()
 */
export function* drmDevUnregister(dev: DrmDevice): Task<void> {
  yield step("drm_dev_unregister", [], [dev]);
  dev.registered = false;
  if (drmCoreCheckFeature(dev, DRIVER_MODESET)) yield* drmModesetUnregisterAll(dev);
  yield* drmMinorUnregister(dev, dev.accel);
  yield* drmMinorUnregister(dev, dev.primary);
  yield* drmMinorUnregister(dev, dev.render);
}

/**
 * Marks the device unplugged, waits for every drm_dev_enter() section of every DRM device
 * (R11, R96), unregisters it, then zaps every CPU mapping made through it (R7).
 * @see drm_dev_unplug()
 */
export function* drmDevUnplug(dev: DrmDevice): Task<void> {
  yield step("drm_dev_unplug", [], [dev]);
  dev.unplugged = true;
  yield* synchronizeSrcu(dev.unplugSrcu);
  yield* drmDevUnregister(dev);
  yield step("drm_dev_unplug", [dev]);
  if (dev.anonMapping !== null) yield* unmapMappingRange(dev.anonMapping);
}

/** The device's minors, for footprints. */
function minorsOf(dev: DrmDevice): DrmMinor[] {
  return [dev.render, dev.primary, dev.accel].filter((m): m is DrmMinor => m !== null);
}

/**
 * Enters a section that must not run after the device is unplugged.
 *
 * Guarantees: while the token is held, drmDevUnplug() cannot finish its synchronize step.
 * Caller must: pass the token to drmDevExit() exactly once, on every path.
 * Not guaranteed: that the hardware responds.
 * @returns a read-section token, or null if the device is unplugged.
 * @see drm_dev_enter()
 */
export function drmDevEnter(dev: DrmDevice): SrcuToken | null {
  const srcu = dev.unplugSrcu;
  const token = srcuReadLock(srcu);
  dev.sim.check(dev, "read", "drm_dev_enter");
  if (dev.unplugged) {
    srcuReadUnlock(srcu, token);
    return null;
  }
  return token;
}

/** @see drm_dev_exit() */
export function drmDevExit(dev: DrmDevice, token: SrcuToken): void {
  srcuReadUnlock(dev.unplugSrcu, token);
}

/** Racy by nature; prefer enter/exit pairs. @see drm_dev_is_unplugged() */
export function drmDevIsUnplugged(dev: DrmDevice): boolean {
  const token = drmDevEnter(dev);
  if (token === null) return true;
  drmDevExit(dev, token);
  return false;
}

/** A reference keeps the memory valid, not the device alive. @see drm_dev_get() */
export function drmDevGet(dev: DrmDevice): void {
  krefGet(dev.ref);
}

/** @see drm_dev_put() */
export function* drmDevPut(dev: DrmDevice): Task<void> {
  yield step("drm_dev_put", [], [dev]);
  yield* krefPut(dev.ref, () => drmDevRelease(dev));
}

/**
 * The final put: driver release, every drmm entry newest first, then the container (R16).
 * @see drm_dev_release()
 */
function* drmDevRelease(dev: DrmDevice): Task<void> {
  yield step("drm_dev_release", [], [dev]);
  if (dev.driver.release !== undefined) yield* dev.sim.frame(`${dev.driver.name} release`, dev.driver.release(dev));
  yield* drmManagedRelease(dev);
  yield step("drm_dev_release", [], [dev]);
  const container = dev.managed.finalKfree;
  if (container !== null) dev.sim.free(container, "drm_dev_release");
}
