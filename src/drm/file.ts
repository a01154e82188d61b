/**
 * Opening, reading, polling and closing DRM nodes (struct drm_file).
 *
 * open() finds the minor (ENODEV once unpublished or unplugged, R35; ENXIO under the
 * uapi-doc profile, D1/R37: the openGoneErrno variant) and takes a device reference for the
 * file (R13). read() and poll() have no unplug check: queued events can still be read (R45).
 * close() always succeeds and releases handles, events and mastership, then drops the file's
 * device reference, possibly the final one (R44).
 *
 * @see drm_stub_open(), drm_open(), drm_release(), drm_read(), drm_poll() in
 *      drivers/gpu/drm/drm_file.c
 */
import { foldFdgetIntoIoctl, variant, type Devt, type FileOps, type KFile, type PollWait } from "../base/mod.js";
import { assert, fixedStep, KObject, step, WaitQueue, waitEventInterruptible, type Allocation, type StepYield, type Task } from "../kernel/mod.js";
import { fail, ok, POLLIN, POLLRDNORM, type ErrnoName, type OpenFlags, type SysResult } from "../uapi/mod.js";
import { drmMasterOpen, drmMasterRelease, type DrmMaster } from "./auth.js";
import { ACCEL_MAJOR, type DrmCore } from "./drm_core.js";
import { drmDevPut, type DrmDevice } from "./device.js";
import { DRIVER_MODESET, DRIVER_SYNCOBJ, drmCoreCheckFeature } from "./drm_driver.js";
import { drmGemMmap, drmGemRelease, type GemObject } from "./gem.js";
import { drmEventsNeverCome } from "./event_wait.js";
import { Idr } from "./idr.js";
import { drmIoctl } from "./ioctl.js";
import { drmKmsFileRelease } from "./kms_remove.js";
import { drmMinorAcquire, type DrmMinor } from "./minor.js";
import { DRM_MINOR_PRIMARY, DRM_MINOR_RENDER } from "./minor_table.js";
import { DrmPrimeFilePrivate, drmPrimeDestroyFilePrivate } from "./prime_file.js";
import { drmSyncobjRelease, type DrmSyncobj } from "./syncobj.js";

/** Bound on queued events per file (the kernel bounds them by event_space). */
export const DRM_FILE_EVENTS_MAX = 64;

/** Where a file keeps its drm_ioctl_kernel step (a symbol key: a cache, not drm_file state). */
const IOCTL_KERNEL_STEP = Symbol("drm_ioctl_kernel step");

export class DrmFile extends KObject {
  static readonly fixedFields = ["minor", "dev", "kfile", "eventWait"];
  /** The master this file belongs to (primary nodes only; null on render and accel nodes). */
  master: DrmMaster | null = null;
  /** is_master: the file created `master` (it may have dropped it since). */
  isMaster = false;
  /** was_master: the file was the device's master at some point (SET/DROP_MASTER allowed). */
  wasMaster = false;
  authenticated = false;
  /** The magic GET_MAGIC gave it, 0 for none yet. */
  magic = 0;
  atomic = false;
  universalPlanes = false;
  stereoAllowed = false;
  aspectRatioAllowed = false;
  writebackConnectors = false;
  supportsVirtualizedCursorPlane = false;
  readonly events: Uint8Array[] = [];
  /** An event was queued for it once: it consumes events (see event_wait.ts). */
  hadEvents = false;
  readonly eventWait: WaitQueue;
  readonly handles = new Idr<GemObject>();
  /** The dma-buf of each handle exported or imported through PRIME (file->prime). */
  readonly prime = new DrmPrimeFilePrivate();
  /** Syncobj handles (syncobj_idr), each holding a reference. */
  readonly syncobjs = new Idr<DrmSyncobj>();
  private [IOCTL_KERNEL_STEP]: StepYield | undefined;

  constructor(
    mem: Allocation,
    readonly minor: DrmMinor,
    readonly dev: DrmDevice,
    readonly kfile: KFile,
  ) {
    super(dev.sim, mem);
    this.eventWait = new WaitQueue(dev.sim, `drm_file event_wait (${minor.name})`);
    this.eventWait.neverWoken = () => drmEventsNeverCome(this);
  }

  /**
   * drm_ioctl_kernel's step, made at the first ioctl and kept: it names only this file and its
   * device, which never change, and the ioctl path is the model's hottest. (Made lazily, so
   * that a file that makes no ioctl costs no memory for it.) It checks
   * drm_dev_is_unplugged(): it reads the device and enters drm_unplug_srcu.
   */
  get ioctlKernelStep(): StepYield {
    const dev = this.dev;
    return (this[IOCTL_KERNEL_STEP] ??= fixedStep("drm_ioctl_kernel", [dev], [this, dev.unplugSrcu]));
  }

  get isRenderClient(): boolean {
    return this.minor.type === DRM_MINOR_RENDER;
  }

  get isPrimaryClient(): boolean {
    return this.minor.type === DRM_MINOR_PRIMARY;
  }
}

/** Queues a DRM event for read(); warns and drops it when the per-file bound is reached. */
export function drmSendEvent(file: DrmFile, event: Uint8Array): void {
  if (file.events.length >= DRM_FILE_EVENTS_MAX) {
    file.dev.sim.warn(`drm_send_event: event queue of ${file.minor.name} full`);
    return;
  }
  file.events.push(event);
  file.hadEvents = true;
  file.eventWait.wakeUpAll();
}

/**
 * The file operations of a GEM driver's nodes: the core's open, read, poll, ioctl and release,
 * and drm_gem_mmap(), which maps an object through its memory manager.
 * @see DEFINE_DRM_GEM_FOPS() in include/drm/drm_gem.h
 */
export const drmGemFops: FileOps = {
  name: "drm",
  release: drmRelease,
  ioctl: drmIoctl,
  read: drmRead,
  poll: drmPoll,
  mmap: drmGemMmap,
};

/** The char-major-226 open: minor lookup, then drm_open. @see drm_stub_open() */
export function* drmStubOpen(core: DrmCore, devt: Devt, kfile: KFile, flags: OpenFlags): Task<SysResult<0>> {
  const table = devt.major === ACCEL_MAJOR ? core.accelMinors : core.minors;
  const acquired = yield* drmMinorAcquire(table, devt.minor);
  // A node whose device is gone while the node is still there: the openGoneErrno variant
  // (mainline's ENODEV, R35, or the documented ENXIO, D1). A node already removed fails
  // earlier, in path lookup, with ENOENT in both (R36).
  if (!acquired.ok) return fail(acquired.errno === "ENODEV" ? variant(core.kernel.profile, "openGoneErrno") : acquired.errno);
  const minor = acquired.value;
  const dev = minor.dev;
  yield step("drm_open", [minor], [dev, kfile]);
  if (flags.excl === true) {
    yield* drmDevPut(dev);
    return fail("EBUSY");
  }
  const sim = dev.sim;
  const file = new DrmFile(sim.alloc("drm_file", { label: `drm_file ${minor.name} (pid ${kfile.pid}) [${dev.label}]`, owner: dev }), minor, dev, kfile);
  kfile.ops = dev.driver.fops; // replace_fops()
  kfile.privateData = file;
  // drm_ioctl's first step, with fdget() folded in: it reads the struct file, the drm_file and
  // the device (drm_dev_is_unplugged()), and enters drm_unplug_srcu. See drmIoctl().
  foldFdgetIntoIoctl(kfile, fixedStep("drm_ioctl", [dev, file, kfile], [dev.unplugSrcu]));
  kfile.mapping = dev.anonMapping;
  dev.files.add(file);
  // The first opener of a primary node becomes master, later ones its clients.
  if (file.isPrimaryClient) yield* drmMasterOpen(file);
  return ok(0);
}

/** The drm_file behind an open DRM node (file->private_data). */
export function drmFileOf(kfile: KFile): DrmFile {
  const file = kfile.privateData;
  if (!(file instanceof DrmFile)) assert(false, `Cannot use ${kfile.path} as a DRM file: its private data is not a drm_file`);
  return file;
}

/** close(): always 0. Frees per-file state, then drops the device reference. */
export function* drmRelease(kfile: KFile): Task<void> {
  const file = drmFileOf(kfile);
  const dev = file.dev;
  yield step("drm_release", [], [dev, file]);
  assert(dev.files.has(file), `Cannot release ${file.minor.name} file: not on the device's file list`);
  dev.files.delete(file);
  if (drmCoreCheckFeature(dev, DRIVER_MODESET)) {
    yield* drmKmsFileRelease(file); // its framebuffers and events still to come (R44)
    yield step("drm_release", [], [dev, file]);
  }
  if (drmCoreCheckFeature(dev, DRIVER_SYNCOBJ)) {
    yield* drmSyncobjRelease(file);
    yield step("drm_release", [], [dev, file]);
  }
  yield* drmGemRelease(file);
  yield step("drm_release", [], [dev, file]);
  drmPrimeDestroyFilePrivate(file.prime, dev.sim);
  file.events.length = 0;
  if (file.isPrimaryClient) {
    yield* drmMasterRelease(file);
    yield step("drm_release", [], [dev, file]);
  }
  assert(file.syncobjs.size === 0, `Cannot free ${file.minor.name} file: syncobj handles left`);
  assert(file.handles.size === 0 && file.master === null, `Cannot free ${file.minor.name} file: handles or mastership left after release`);
  if (dev.driver.postclose !== undefined) yield* dev.driver.postclose(dev, file);
  dev.sim.free(file.mem, "drm_file_free");
  yield* drmDevPut(dev);
}

/**
 * Blocks, interruptibly, until an event is queued (wait_event_interruptible()): a reader may
 * wait forever, and a signal (the timeout models an alarm, or a SIGKILL) ends the wait with
 * EINTR (-ERESTARTSYS).
 */
export function* drmRead(kfile: KFile, count: number, timeoutTicks: number | null): Task<SysResult<Uint8Array>> {
  const file = drmFileOf(kfile);
  const read = step("drm_read", [], [file]);
  yield read;
  const queued = (): boolean => file.events.length > 0;
  const reason = `drm_read on ${file.minor.name}`;
  const waited = yield* waitEventInterruptible(file.eventWait, reason, queued, timeoutTicks, read);
  if (waited !== "ready") return fail("EINTR");
  const ev = file.events[0]!;
  if (ev.length > count) return fail("EINVAL");
  file.events.shift();
  return ok(ev);
}

/**
 * POLLIN|POLLRDNORM while an event is queued; the file's event queue wakes poll(2) when one
 * is. No unplug check: queued events stay readable (R45).
 */
export function* drmPoll(kfile: KFile): Task<PollWait> {
  const file = drmFileOf(kfile);
  const poll = step("drm_poll", [file]);
  yield poll;
  return {
    wq: file.eventWait,
    reason: `drm_poll on ${file.minor.name}`,
    mask: () => (file.events.length > 0 ? POLLIN | POLLRDNORM : 0),
    recheck: poll,
  };
}
