/**
 * What a drm_device's life and its files leave for the reader of a trace, a finding or a
 * leak report: each step named by its kernel function, each allocation by what it is, each
 * free by where it happened, each wait by what it waits for; and the DRM core's own state
 * where nothing else shows it (dev->registered). The behaviour of these paths is tested in
 * device_lifetime.test.ts, managed.test.ts and file.test.ts; this file pins their names.
 *
 * @see drm_dev_alloc(), drm_dev_register(), drm_dev_unplug(), drm_dev_release() in
 *      drivers/gpu/drm/drm_drv.c; drm_open(), drm_read(), drm_poll(), drm_release() in
 *      drivers/gpu/drm/drm_file.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { expectUndeclaredAccesses } from "../kernel/_test_footprints.js";
import { findingSummary, step, type Sim } from "../kernel/mod.js";
import { DRM_IOCTL_VERSION } from "../uapi/mod.js";
import { drmMachine, releaseLog, TEST_DRIVER, TEST_KMS_DRIVER } from "./_testing.js";
import {
  devmDrmDevAlloc,
  drmDevAlloc,
  drmDevEnter,
  drmDevExit,
  drmDevInit,
  drmDevPut,
  drmDevRegister,
  drmDevUnplug,
  drmDevUnregister,
} from "./device.js";
import { DRIVER_COMPUTE_ACCEL, DRIVER_RENDER, DRIVER_SYNCOBJ } from "./drm_driver.js";
import { drmSendEvent } from "./file.js";

/** The step functions of device.ts, file.ts and minor.ts (the rest of a trace is other files' business). */
const CORE_STEPS = new Set([
  "drm_dev_alloc",
  "devm_drm_dev_alloc",
  "drm_dev_init",
  "drm_dev_init_release",
  "drm_dev_register",
  "drm_dev_unregister",
  "drm_dev_unplug",
  "drm_dev_put",
  "drm_dev_release",
  "drm_open",
  "drm_ioctl",
  "drm_ioctl_kernel",
  "drm_read",
  "drm_poll",
  "drm_release",
  "drm_minor_alloc",
  "drm_minor_alloc_release",
  "drm_minor_register",
  "drm_minor_unregister",
  "drm_minor_acquire",
]);

/** From trace event `from` on: the core's steps by name, and each free as "free <label> @<fn>". */
function coreTrace(sim: Sim, from: number): string[] {
  const labels = new Map<number, string>();
  const out: string[] = [];
  for (const e of sim.trace.events) {
    if (e.t === "alloc" || e.t === "label") labels.set(e.id, e.label);
  }
  for (const e of sim.trace.events.slice(from)) {
    if (e.t === "step" && CORE_STEPS.has(e.fn)) out.push(e.fn);
    if (e.t === "free") {
      const label = labels.get(e.id) ?? "?";
      const freed = ["drm_file", "drm_device", "anon_inode", "test_device"].find((p) => label.startsWith(p));
      if (freed !== undefined) out.push(`free ${freed} @${e.site.fn}`);
    }
  }
  return out;
}

/** Labels of the allocations since trace event `from` whose type is `type`. */
function allocLabels(sim: Sim, from: number, type: string): string[] {
  return sim.trace.events.slice(from).flatMap((e) => (e.t === "alloc" && e.type === type ? [e.label] : []));
}

describe("a device's life in the trace", () => {
  test("each step of alloc, register, open, ioctl, poll, read, close, unplug and the final put is named by its kernel function, and each free by its site", () => {
    const m = drmMachine();
    const from = m.sim.trace.events.length;
    const driver = { ...TEST_KMS_DRIVER, features: TEST_KMS_DRIVER.features | DRIVER_SYNCOBJ };
    const dev = m.kms(driver);
    const fd = m.open("/dev/dri/card0");
    assert.ok(m.ioctl(fd, DRM_IOCTL_VERSION, {}).ok);
    drmSendEvent(m.file(fd), new Uint8Array(8));
    assert.deepEqual(m.run(() => m.proc.poll(fd, 1, 0)), { ok: true, value: 1 });
    assert.ok(m.run(() => m.proc.read(fd, 8)).ok);
    m.run(() => m.proc.close(fd));
    m.run(() => drmDevUnplug(dev));
    m.run(() => drmDevPut(dev));
    assert.deepEqual(coreTrace(m.sim, from), [
      ...["drm_dev_alloc", "drm_dev_init", "drm_minor_alloc", "drm_minor_alloc", "drm_dev_init"],
      ...["drm_dev_alloc", "drm_dev_register", "drm_minor_register", "drm_minor_register"],
      ...["drm_minor_register", "drm_minor_register", "drm_dev_register", "drm_dev_register"],
      ...["drm_minor_acquire", "drm_open", "drm_ioctl", "drm_ioctl_kernel", "drm_poll", "drm_read"],
      // KMS, syncobjs, GEM, PRIME and mastership each end in a step of drm_release's own.
      ...["drm_release", "drm_release", "drm_release", "drm_release", "drm_release"],
      "free drm_file @drm_file_free",
      ...["drm_dev_put", "drm_dev_unplug", "drm_dev_unregister", "drm_minor_unregister"],
      ...["drm_minor_unregister", "drm_minor_unregister", "drm_minor_unregister", "drm_dev_unplug"],
      ...["drm_dev_put", "drm_dev_release", "drm_minor_alloc_release", "drm_minor_alloc_release"],
      ...["drm_dev_init_release", "free anon_inode @iput"],
      ...["drm_dev_release", "free drm_device @drm_dev_release"],
    ]);
    assert.equal(m.sim.reportLeaks(), 0);
  });

  test("closing a render node of a driver without KMS or syncobjs steps only through GEM's release", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/renderD128");
    const from = m.sim.trace.events.length;
    m.run(() => m.proc.close(fd));
    assert.deepEqual(coreTrace(m.sim, from), ["drm_release", "drm_release", "free drm_file @drm_file_free", "drm_dev_put"]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("the driver's release runs in a frame named after the driver", () => {
    const m = drmMachine();
    const dev = m.alloc({
      ...TEST_DRIVER,
      *release(d) {
        yield step("test_release", [], [d]);
        d.sim.free(d.sim.alloc("test_private"), "test_release");
      },
    });
    const from = m.sim.trace.events.length;
    m.run(() => drmDevPut(dev));
    const frees = m.sim.trace.events.slice(from).flatMap((e) => (e.t === "free" && e.site.fn === "test_release" ? [e.site.frames] : []));
    assert.equal(frees.length, 1);
    assert.ok(frees[0]?.includes("drmtest release"), frees[0]?.join(" > "));
  });

  test("the container and each file are allocated under names that say whose they are", () => {
    const m = drmMachine();
    const from = m.sim.trace.events.length;
    const parent = m.parent("gpu.0");
    const dev = m.run(() => devmDrmDevAlloc(parent, TEST_DRIVER, "test_device"));
    assert.ok(typeof dev !== "string");
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    m.open("/dev/dri/card0");
    assert.deepEqual(allocLabels(m.sim, from, "test_device"), ["test_device (gpu.0)"]);
    assert.deepEqual(allocLabels(m.sim, from, "inode"), [`anon_inode:drm (drm_device#${dev.id} (gpu.0))`]);
    assert.ok(allocLabels(m.sim, from, "devres").includes("devres devm_drm_dev_init_release (gpu.0)"));
    assert.deepEqual(allocLabels(m.sim, from, "drm_file"), [
      `drm_file card0 (pid ${m.proc.pid}) [drm_device#${dev.id} (card0)]`,
    ]);
  });

  test("a read and a poll that wait say on which node they wait", () => {
    const m = drmMachine();
    m.registered();
    const fd = m.open("/dev/dri/card0");
    const from = m.sim.trace.events.length;
    assert.deepEqual(m.run(() => m.proc.read(fd, 64, 1)), { ok: false, errno: "EINTR" });
    assert.deepEqual(m.run(() => m.proc.poll(fd, 1, 1)), { ok: true, value: 0 });
    const reasons = m.sim.trace.events.slice(from).flatMap((e) => (e.t === "block" ? [e.reason] : []));
    assert.ok(reasons.some((r) => r.includes("drm_read on card0")), reasons.join("; "));
    assert.ok(reasons.some((r) => r.includes("drm_poll on card0")), reasons.join("; "));
  });

  test("devm_drm_dev_alloc() steps under its own name and frees a container it could not set up there", () => {
    for (const [point, nth] of [["devm_add_action", 1], ["drmm_add_action", 2]] as const) {
      const m = drmMachine();
      const parent = m.parent();
      m.kernel.faults.set(point, { nth });
      const from = m.sim.trace.events.length;
      assert.equal(m.run(() => devmDrmDevAlloc(parent, TEST_DRIVER, "test_device")), "ENOMEM");
      const trace = coreTrace(m.sim, from);
      assert.equal(trace[0], "devm_drm_dev_alloc", point);
      assert.equal(trace.at(-1), "free test_device @devm_drm_dev_alloc", point);
      assert.equal(trace.includes("devm_drm_dev_alloc", 1), point === "devm_add_action", point);
    }
  });

  test("drm_dev_alloc() frees the container it could not initialise in drm_dev_alloc", () => {
    const m = drmMachine();
    m.kernel.faults.set("drmm_add_action", { nth: 2 });
    const from = m.sim.trace.events.length;
    assert.equal(m.run(() => drmDevAlloc(TEST_DRIVER, m.parent())), "ENOMEM");
    assert.equal(coreTrace(m.sim, from).at(-1), "free drm_device @drm_dev_alloc");
  });

  test("drm_dev_enter() from a step that did not declare the device is a footprint finding naming it", () => {
    const m = drmMachine();
    const dev = m.registered();
    expectUndeclaredAccesses(m.sim);
    m.run(function* () {
      yield step("test_worker", [], [dev.unplugSrcu]);
      const token = drmDevEnter(dev);
      if (token !== null) drmDevExit(dev, token);
    });
    const found = m.sim.findings.filter((f) => f.kind === "undeclared-access").map(findingSummary);
    assert.ok(
      found.some((s) => s.startsWith("footprint: test_worker reads drm_dev_enter() of drm_device [drm_device#")),
      found.join("; "),
    );
  });
});

describe("drm_device state and warnings", () => {
  test("dev->registered is set by drm_dev_register() and cleared by drm_dev_unregister()", () => {
    const m = drmMachine();
    const dev = m.alloc();
    assert.equal(dev.registered, false);
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    assert.equal(dev.registered, true);
    m.run(() => drmDevUnregister(dev));
    assert.equal(dev.registered, false);
  });

  test("each minor is kept where its type says: primary and render, or accel alone", () => {
    const m = drmMachine();
    const gpu = m.registered();
    assert.deepEqual([gpu.primary?.name, gpu.render?.name, gpu.accel], ["card0", "renderD128", null]);
    const npu = m.registered({ ...TEST_DRIVER, features: DRIVER_COMPUTE_ACCEL });
    assert.deepEqual([npu.primary, npu.render, npu.accel?.name], [null, null, "accel0"]);
  });

  test("registering a device not allocated by a DRM helper WARNs (R4)", () => {
    const m = drmMachine();
    const mem = m.sim.alloc("test_device");
    const dev = m.run(() => drmDevInit(m.kernel, mem, TEST_DRIVER, m.parent()));
    assert.ok(typeof dev !== "string");
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    assert.deepEqual(m.warnings(), [
      "drm_dev_register: device not allocated with devm_drm_dev_alloc() or drm_dev_alloc() (no final_kfree)",
    ]);
  });

  test("an accelerator whose accel minor cannot be set up fails with ENOMEM and leaks nothing", () => {
    const m = drmMachine();
    const parent = m.parent();
    m.kernel.faults.set("drmm_add_action", { nth: 2 });
    const accel = { ...TEST_DRIVER, features: DRIVER_COMPUTE_ACCEL };
    assert.equal(m.run(() => drmDevAlloc(accel, parent)), "ENOMEM");
    assert.deepEqual(m.kernel.faults.injected, [{ point: "drmm_add_action", hit: 2 }]);
    assert.equal(parent.refcount, 1, "the parent reference is dropped");
    assert.equal(m.sim.reportLeaks(), 0);
  });

  test("a driver without DRIVER_GEM gets no GEM state and no GEM release action", () => {
    const m = drmMachine();
    const dev = m.alloc({ ...TEST_DRIVER, features: DRIVER_RENDER });
    assert.equal(dev.gem, null);
    const mark = m.sim.trace.events.length;
    m.run(() => drmDevPut(dev));
    const log = releaseLog(m.sim, mark);
    assert.ok(log.includes("free drmres drm_dev_init_release"), log.join("; "));
    assert.ok(!log.includes("free drmres drm_gem_init_release"), log.join("; "));
  });
});

describe("drm_read", () => {
  test("a read shorter than the next event fails with EINVAL and leaves it queued; one of its length takes it", () => {
    const m = drmMachine();
    m.registered();
    const fd = m.open("/dev/dri/card0");
    const event = new Uint8Array([2, 0, 0, 0, 8, 0, 0, 0]);
    drmSendEvent(m.file(fd), event);
    assert.deepEqual(m.run(() => m.proc.read(fd, 7)), { ok: false, errno: "EINVAL" });
    assert.equal(m.file(fd).events.length, 1);
    assert.deepEqual(m.run(() => m.proc.read(fd, 8)), { ok: true, value: event });
    assert.equal(m.file(fd).events.length, 0);
  });
});
