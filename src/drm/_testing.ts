/**
 * @internal Test fixtures for the DRM core tests: a kernel with the DRM core, a parent device
 * for drm_devices, a userspace process, a small driver, and readers of what the trace shows
 * about managed releases.
 */
import { Device, Kernel, Process, type KernelProfile } from "../base/mod.js";
import { assert, FifoStrategy, findingSummary, Sim, step, type CallRecord, type Finding, type KStruct, type Task } from "../kernel/mod.js";
import type { AnyIoctlDef, Fd, IoctlIn, IoctlOutOf, SysResult } from "../uapi/mod.js";
import { drmDevAlloc, drmDevPut, drmDevRegister, type DrmDevice } from "./device.js";
import { drmCore } from "./drm_core.js";
import { DRIVER_ATOMIC, DRIVER_GEM, DRIVER_MODESET, DRIVER_RENDER, type DrmDriver } from "./drm_driver.js";
import { drmFileOf, drmGemFops, type DrmFile } from "./file.js";
import { drmGemVramDriverDumbCreate } from "./gem_vram.js";
import { drmmConnectorInit, drmmModeConfigInit, type KmsPipeFuncs } from "./kms.js";
import { drmSimpleDisplayPipeInit } from "./kms_pipe.js";

/** A driver with a render and a primary node and GEM, but no modesetting. */
export const TEST_DRIVER: DrmDriver = {
  name: "drmtest",
  desc: "vdrm core test driver",
  date: "0",
  major: 1,
  minor: 0,
  patchlevel: 0,
  features: DRIVER_GEM | DRIVER_RENDER,
  fops: drmGemFops,
};

/** A display driver: modesetting, atomic, GEM with dumb buffers, a render node. */
export const TEST_KMS_DRIVER: DrmDriver = {
  ...TEST_DRIVER,
  name: "drmtestkms",
  features: DRIVER_MODESET | DRIVER_ATOMIC | DRIVER_GEM | DRIVER_RENDER,
  dumbCreate: drmGemVramDriverDumbCreate,
};

/**
 * The test display's hardware: nothing to program, but vblank interrupts (the timer of
 * kms_vblank.ts), so events wait for a vblank. Each operation is a step of its own, as a
 * driver's are.
 */
export const TEST_PIPE_FUNCS: KmsPipeFuncs = {
  vblank: true,
  *enable() {
    yield step("drmtest_pipe_enable");
  },
  *disable() {
    yield step("drmtest_pipe_disable");
  },
  *update() {
    yield step("drmtest_pipe_update");
  },
};

export interface DrmMachine {
  readonly sim: Sim;
  readonly kernel: Kernel;
  readonly proc: Process;
  /** Runs `body` as a task to the end and returns its result. */
  run<T>(body: () => Task<T>): T;
  /**
   * Runs `body` as a task that starts with a step `fn` writing `writes`: the caller a model
   * function expects (a driver's probe, an ioctl), which declares the objects it hands over.
   */
  runIn<T>(fn: string, writes: readonly KStruct[], body: () => Task<T>): T;
  /** A fresh parent device (a platform device that lives as long as the machine). */
  parent(name?: string): Device;
  /** drm_dev_alloc() under a fresh parent; throws if it fails. */
  alloc(driver?: DrmDriver): DrmDevice;
  /** drm_dev_alloc() and drm_dev_register(): card and render nodes under /dev/dri. */
  registered(driver?: DrmDriver): DrmDevice;
  /** A registered KMS device (TEST_KMS_DRIVER by default) with one connector, plane, CRTC and encoder. */
  kms(driver?: DrmDriver, funcs?: KmsPipeFuncs): DrmDevice;
  /** The drm_file behind an fd of the machine's process. */
  file(fd: Fd): DrmFile;
  /** ioctl(2) by the machine's process, run to its end. */
  ioctl<Def extends AnyIoctlDef>(fd: Fd, def: Def, arg?: Partial<IoctlIn<NoInfer<Def>>>): SysResult<IoctlOutOf<Def>>;
  /** open(2) of `path` by the machine's process; throws if it fails. */
  open(path: string): Fd;
  /** WARN findings so far, as messages. */
  warnings(): string[];
  /** The process exits (closing its files), `dev`'s initial reference is dropped; returns the leak count. */
  finish(dev: DrmDevice): number;
  /**
   * finish(), and throws if any step touched an object it did not declare (the footprint
   * checker is on in the tests): a test of a handler fails if the handler's footprint is wrong.
   */
  finishClean(dev: DrmDevice): number;
}

export function drmMachine(profile: KernelProfile = { name: "mainline", version: "7.1" }): DrmMachine {
  const sim = new Sim({ seed: 1, strategy: new FifoStrategy() });
  const kernel = new Kernel(sim, profile);
  drmCore(kernel);
  const proc = new Process(kernel, "drmtest");
  let parents = 0;
  const m: DrmMachine = {
    sim,
    kernel,
    proc,
    run: <T>(body: () => Task<T>): T => sim.runTask("test", body(), { kind: "user" }),
    runIn: <T>(fn: string, writes: readonly KStruct[], body: () => Task<T>): T =>
      m.run(function* () {
        yield step(fn, [], writes);
        return yield* body();
      }),
    parent: (name = `drmtest.${parents++}`) => new Device(kernel, { name, parent: null, subsystem: "platform", persistent: true }),
    alloc: (driver = TEST_DRIVER) => {
      const parent = m.parent();
      const dev = m.run(() => drmDevAlloc(driver, parent));
      assert(typeof dev !== "string", `Cannot allocate test drm_device: ${String(dev)}`);
      return dev;
    },
    registered: (driver = TEST_DRIVER) => {
      const dev = m.alloc(driver);
      const err = m.run(() => drmDevRegister(dev));
      assert(err === 0, `Cannot register test drm_device: ${String(err)}`);
      return dev;
    },
    kms: (driver = TEST_KMS_DRIVER, funcs = TEST_PIPE_FUNCS) => {
      const dev = m.alloc(driver);
      assert(drmmModeConfigInit(dev) === 0, "Cannot init test mode config");
      const connector = drmmConnectorInit(dev, "Virtual");
      assert(typeof connector !== "string", "Cannot init test connector");
      drmSimpleDisplayPipeInit(dev, connector, funcs);
      const err = m.run(() => drmDevRegister(dev));
      assert(err === 0, `Cannot register test KMS device: ${String(err)}`);
      return dev;
    },
    ioctl: (fd, def, arg) => m.run(() => proc.ioctl(fd, def, arg)),
    file: (fd) => {
      const kfile = proc.fds.get(fd);
      assert(kfile !== undefined, `Cannot find the drm_file of fd ${fd}: not open`);
      return drmFileOf(kfile);
    },
    open: (path) => {
      const r = m.run(() => proc.open(path));
      assert(r.ok, `Cannot open ${path} in test: ${r.ok ? "" : r.errno}`);
      return r.value;
    },
    finish: (dev) => {
      m.run(() => proc.exit());
      m.run(() => drmDevPut(dev));
      return sim.reportLeaks();
    },
    finishClean: (dev) => {
      const leaks = m.finish(dev);
      const undeclared = sim.findings.filter((f) => f.kind === "undeclared-access");
      const why = undeclared.map(findingSummary).join("; ");
      assert(undeclared.length === 0, `Cannot finish test: undeclared accesses: ${why}`);
      return leaks;
    },
    warnings: () => sim.findings.filter((f): f is Extract<Finding, { kind: "warn" }> => f.kind === "warn").map((f) => f.message),
  };
  return m;
}

/** A label without its owner suffix: "drmres foo (drm_device#1 (card0))" is "drmres foo". */
function shortLabel(label: string): string {
  return label.split(/ [([]/)[0] ?? label;
}

/**
 * What was freed since trace event `fromEvent`, in order, as "free <label>", with the notes
 * that release actions wrote with sim.note() in between.
 */
export function releaseLog(sim: Sim, fromEvent = 0): string[] {
  const labels = new Map<number, string>();
  const out: string[] = [];
  sim.trace.events.forEach((ev, i) => {
    if (ev.t === "alloc" || ev.t === "label") labels.set(ev.id, ev.label);
    if (i < fromEvent) return;
    if (ev.t === "free") out.push(`free ${shortLabel(labels.get(ev.id) ?? `#${ev.id}`)}`);
    if (ev.t === "note") out.push(ev.text);
  });
  return out;
}

/** What a call answered: "ok", or its errno. */
export function answer(r: SysResult<unknown>): string {
  return r.ok ? "ok" : r.errno;
}

/** How many allocations of kind `type` ("drm_gem_object", "drm_syncobj", ...) are live. */
export function liveCount(m: DrmMachine, type: string): number {
  return m.sim.liveAllocations().filter((a) => a.type === type).length;
}

/** The last system call the trace recorded (there must be one). */
export function lastCall(m: DrmMachine): CallRecord {
  const call = m.sim.trace.events.filter((e): e is CallRecord => e.t === "call").at(-1);
  assert(call !== undefined, "Cannot find the last call: the trace recorded none");
  return call;
}
