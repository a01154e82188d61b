/**
 * The drm_device lifetime as drivers and userspace see it: the reference count, registration,
 * unregister versus unplug, and drm_dev_enter() sections that unplug must wait for, on this
 * device or any other (the SRCU domain is global).
 *
 * @see drm_dev_alloc(), drm_dev_unregister(), drm_dev_unplug(), drm_dev_enter() in
 *      drivers/gpu/drm/drm_drv.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { krefRead, ModelAssertionError, sleepTicks, step, type Task } from "../kernel/mod.js";
import { DRM_IOCTL_VERSION, DRM_MAJOR, ueventGet, type Fd } from "../uapi/mod.js";
import { drmMachine, type DrmMachine } from "./_testing.js";
import { drmCore } from "./drm_core.js";
import { drmDevEnter, drmDevExit, drmDevIsUnplugged, drmDevRegister, drmDevUnplug, drmDevUnregister, type DrmDevice } from "./device.js";

/** A machine with a registered device and `path` open on it. */
function registeredWithOpen(path: string): { m: DrmMachine; dev: DrmDevice; fd: Fd } {
  const m = drmMachine();
  const dev = m.registered();
  return { m, dev, fd: m.open(path) };
}

/**
 * A task that enters `dev`, notes it, stays inside for `holdTicks`, notes what `observe` says
 * (if given) and its exit, and leaves.
 */
function* insideFor(dev: DrmDevice, log: string[], name: string, holdTicks: number, observe?: () => string): Task<void> {
  yield step(`${name}_enter`, [dev], [dev.unplugSrcu]);
  const token = drmDevEnter(dev);
  assert.ok(token !== null, `${name} could not enter`);
  log.push(`${name} enters`);
  yield sleepTicks(holdTicks, step(`${name}_exit`, [dev], [dev.unplugSrcu]));
  if (observe !== undefined) log.push(dev.sim.observe(observe));
  log.push(`${name} exits`);
  drmDevExit(dev, token);
}

/** A task that starts drmDevUnplug(dev) after `delayTicks` and notes when it starts and ends. */
function* unplugAfter(m: DrmMachine, dev: DrmDevice, log: string[], delayTicks: number): Task<void> {
  yield sleepTicks(delayTicks);
  log.push("unplug starts");
  yield* drmDevUnplug(dev);
  log.push("unplug done");
}

function unplugBlockReasons(m: DrmMachine): string[] {
  return m.sim.trace.events.flatMap((e) => (e.t === "block" && e.reason.startsWith("synchronize_srcu(drm_unplug_srcu)") ? [e.reason] : []));
}

describe("drm_device references and state", () => {
  test("drmDevAlloc() gives a device with one reference, not registered, not unplugged, that can be entered (R1)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    assert.equal(krefRead(dev.ref), 1);
    assert.equal(dev.registered, false);
    assert.equal(dev.unplugged, false);
    const token = drmDevEnter(dev);
    assert.notEqual(token, null);
    if (token !== null) drmDevExit(dev, token);
    assert.equal(drmDevIsUnplugged(dev), false);
  });

  test("a minor can be opened only after drmDevRegister() added and then published it (R2, R3)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    assert.ok(m.run(() => m.proc.mknod("/dev/static/card0", DRM_MAJOR, 0)).ok);
    assert.deepEqual(m.run(() => m.proc.open("/dev/static/card0")), { ok: false, errno: "ENODEV" }, "reserved, not published");
    assert.deepEqual(m.run(() => m.proc.open("/dev/dri/card0")), { ok: false, errno: "ENOENT" }, "no node yet");
    const minors = drmCore(m.kernel).minors;
    const atAdd: string[] = [];
    m.kernel.uevents.subscribe({
      deliver: (ev) => {
        const minor = Number(ueventGet(ev, "MINOR"));
        if (ev.action === "add" && ueventGet(ev, "DEVTYPE") === "drm_minor") atAdd.push(`${ueventGet(ev, "DEVNAME")} published=${m.sim.observe(() => minors.lookup(minor) !== null)}`);
      },
    });
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    assert.deepEqual(atAdd, ["dri/renderD128 published=false", "dri/card0 published=false"]);
    for (const path of ["/dev/static/card0", "/dev/dri/card0", "/dev/dri/renderD128"]) m.open(path);
    assert.equal(m.finishClean(dev), 0);
  });

  test("open() takes one device reference per file and close() drops it; a refused open takes none (R13)", () => {
    const { m, dev, fd: card } = registeredWithOpen("/dev/dri/card0");
    assert.equal(krefRead(dev.ref), 2);
    const render = m.open("/dev/dri/renderD128");
    assert.equal(krefRead(dev.ref), 3);
    assert.deepEqual(m.run(() => m.proc.open("/dev/dri/card0", { excl: true })), { ok: false, errno: "EBUSY" });
    assert.equal(krefRead(dev.ref), 3);
    assert.deepEqual(m.run(() => m.proc.close(card)), { ok: true, value: 0 });
    assert.equal(krefRead(dev.ref), 2);
    assert.deepEqual(m.run(() => m.proc.close(render)), { ok: true, value: 0 });
    assert.equal(krefRead(dev.ref), 1);
    assert.equal(m.finishClean(dev), 0);
  });

  test("drmDevUnregister() alone leaves the device enterable and open files working; new opens find no node (R6)", () => {
    const { m, dev, fd } = registeredWithOpen("/dev/dri/card0");
    m.run(() => drmDevUnregister(dev));
    assert.equal(dev.registered, false);
    assert.equal(dev.unplugged, false);
    assert.equal(drmDevIsUnplugged(dev), false);
    const version = m.run(() => m.proc.ioctl(fd, DRM_IOCTL_VERSION, { name_len: 16n }));
    assert.ok(version.ok, `VERSION after unregister: ${version.ok ? "" : version.errno}`);
    assert.equal(version.value.name, "drmtest");
    assert.deepEqual(m.run(() => m.proc.open("/dev/dri/card0")), { ok: false, errno: "ENOENT" });
    assert.equal(krefRead(dev.ref), 2, "unregister drops no reference");
    assert.equal(m.finishClean(dev), 0);
  });

  test("drmDevUnplug() leaves the reference count alone, and after it the device cannot be entered (R8, R9)", () => {
    const { m, dev, fd } = registeredWithOpen("/dev/dri/renderD128");
    assert.equal(krefRead(dev.ref), 2);
    m.run(() => drmDevUnplug(dev));
    assert.equal(krefRead(dev.ref), 2);
    assert.equal(drmDevEnter(dev), null);
    assert.equal(drmDevIsUnplugged(dev), true);
    assert.deepEqual(m.run(() => m.proc.ioctl(fd, DRM_IOCTL_VERSION)), { ok: false, errno: "ENODEV" });
    assert.deepEqual(m.run(() => m.proc.close(fd)), { ok: true, value: 0 });
    assert.equal(krefRead(dev.ref), 1);
    assert.equal(m.finishClean(dev), 0);
    assert.deepEqual(m.sim.findings.filter((f) => f.kind !== "leak"), []);
  });
});

describe("the DRM core", () => {
  test("sysfs has the DRM version attribute and the accel class, before any device", () => {
    const m = drmMachine();
    assert.deepEqual(m.kernel.sysfs.read("/sys/class/drm/version"), { ok: true, value: "drm 1.1.0 20060810\n" });
    assert.deepEqual(m.kernel.sysfs.read("/sys/class/accel"), { ok: false, errno: "EISDIR" });
  });
});

describe("drm_dev_unplug and drm_dev_enter sections", () => {
  test("drmDevUnplug() sets unplugged, then waits for a section of the same device, then unregisters (R7, R11)", () => {
    const m = drmMachine();
    const dev = m.registered();
    const log: string[] = [];
    const observe = (): string => {
      const node = m.kernel.vfs.lookup("/dev/dri/card0") === undefined ? "gone" : "present";
      return `while unplug waits: unplugged=${drmDevIsUnplugged(dev)} node ${node}`;
    };
    m.sim.spawn("reader", insideFor(dev, log, "reader", 1000, observe));
    m.sim.spawn("unplugger", unplugAfter(m, dev, log, 10));
    assert.equal(m.sim.run().kind, "quiescent");
    assert.deepEqual(log, ["reader enters", "unplug starts", "while unplug waits: unplugged=true node present", "reader exits", "unplug done"]);
    assert.deepEqual(unplugBlockReasons(m), ["synchronize_srcu(drm_unplug_srcu) waiting for readers reader"]);
    assert.equal(m.kernel.vfs.lookup("/dev/dri/card0"), undefined);
  });

  test("drmDevUnplug() waits for a section of another DRM device: one SRCU domain for all (R11, R96)", () => {
    const m = drmMachine();
    const a = m.registered();
    const b = m.registered();
    const log: string[] = [];
    m.sim.spawn("reader_b", insideFor(b, log, "reader of b", 1000));
    m.sim.spawn("unplugger_a", unplugAfter(m, a, log, 10));
    assert.equal(m.sim.run().kind, "quiescent");
    assert.deepEqual(log, ["reader of b enters", "unplug starts", "reader of b exits", "unplug done"]);
    assert.deepEqual(unplugBlockReasons(m), ["synchronize_srcu(drm_unplug_srcu) waiting for readers reader_b"]);
    assert.equal(drmDevIsUnplugged(a), true);
    assert.equal(drmDevIsUnplugged(b), false, "b stays plugged");
  });

  test("drmDevUnplug() without sections does not block", () => {
    const m = drmMachine();
    const dev = m.registered();
    m.run(() => drmDevUnplug(dev));
    assert.deepEqual(unplugBlockReasons(m), []);
  });

  test("drmDevEnter() sections nest, and unplug waits for the outermost exit (R10)", () => {
    const m = drmMachine();
    const dev = m.registered();
    const log: string[] = [];
    m.sim.spawn("nested", (function* () {
      yield step("nested_enter", [dev], [dev.unplugSrcu]);
      const outer = drmDevEnter(dev);
      const inner = drmDevEnter(dev);
      assert.ok(outer !== null && inner !== null);
      yield sleepTicks(500, step("inner_exit", [dev], [dev.unplugSrcu]));
      log.push("inner exits");
      drmDevExit(dev, inner);
      yield sleepTicks(500, step("outer_exit", [dev], [dev.unplugSrcu]));
      log.push("outer exits");
      drmDevExit(dev, outer);
    })());
    m.sim.spawn("unplugger", unplugAfter(m, dev, log, 10));
    assert.equal(m.sim.run().kind, "quiescent");
    assert.deepEqual(log, ["unplug starts", "inner exits", "outer exits", "unplug done"]);
  });

  test("drmDevExit() twice with one token is a model assertion (R10)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const token = drmDevEnter(dev);
    assert.ok(token !== null);
    drmDevExit(dev, token);
    assert.throws(() => drmDevExit(dev, token), ModelAssertionError);
  });
});
