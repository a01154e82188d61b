/**
 * drmm_*: what a driver sees of managed resources, from return values, the order of release
 * at the final drm_dev_put(), WARN findings and the leak report.
 *
 * @see drivers/gpu/drm/drm_managed.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { devresReleaseAll } from "../base/mod.js";
import { krefRead, step, type Allocation } from "../kernel/mod.js";
import { drmMachine, releaseLog, TEST_DRIVER, type DrmMachine } from "./_testing.js";
import { devmDrmDevAlloc, drmDevAlloc, drmDevGet, drmDevInit, drmDevPut, type DrmDevice } from "./device.js";
import { drmCore } from "./drm_core.js";
import type { DrmDriver } from "./drm_driver.js";
import { drmmAddAction, drmmAddActionOrReset, drmmKcalloc, drmmKfree, drmmKmallocArray, drmmKstrdup, drmmKzalloc, drmmMutexInit, drmmReleaseAction, type DrmmAction } from "./managed.js";

/** An action that notes each call with the data it got, so the release log shows it. */
function noting(m: DrmMachine, name: string, calls: unknown[] = []): DrmmAction & { calls: unknown[] } {
  const action = (_dev: DrmDevice, data: unknown): void => {
    calls.push(data);
    m.sim.note(`${name}(${String(data)})`);
  };
  return Object.assign(action, { calls });
}

function finalPut(m: DrmMachine, dev: DrmDevice): string[] {
  const mark = m.sim.trace.events.length;
  m.run(() => drmDevPut(dev));
  return releaseLog(m.sim, mark);
}

/** The entries drm_dev_init() registers for TEST_DRIVER, as the final put releases them. */
const INIT_RELEASE_LOG = [
  "free drmm_kstrdup",
  "free drmres drm_gem_init_release",
  "free device card0",
  "free drmres drm_minor_alloc_release",
  "free drm_minor card0",
  "free device renderD128",
  "free drmres drm_minor_alloc_release",
  "free drm_minor renderD128",
  "free anon_inode:drm",
  "free drmres drm_dev_init_release",
];

describe("drm_managed_release at the final drm_dev_put()", () => {
  test("drmDevPut() runs the driver release, then every drmm entry newest first, then frees the container (R16, R17)", () => {
    const m = drmMachine();
    const driver: DrmDriver = { ...TEST_DRIVER, *release() { m.sim.note("driver release"); } };
    const dev = m.alloc(driver);
    assert.equal(drmmAddAction(dev, "a", noting(m, "a"), "A"), 0);
    assert.notEqual(drmmKzalloc(dev, 16, "test_x"), null);
    assert.equal(drmmAddAction(dev, "b", noting(m, "b"), "B"), 0);
    assert.notEqual(drmmKzalloc(dev, 16, "test_y"), null);
    assert.deepEqual(finalPut(m, dev), [
      "driver release",
      "free test_y",
      "b(B)",
      "free drmres b",
      "free test_x",
      "a(A)",
      "free drmres a",
      ...INIT_RELEASE_LOG,
      "free drm_device",
    ]);
    assert.equal(m.sim.reportLeaks(), 0);
    assert.deepEqual(m.sim.findings, []);
  });

  test("drmDevPut() that is not the last runs no drmm entry", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const a = noting(m, "a");
    assert.equal(drmmAddAction(dev, "a", a), 0);
    drmDevGet(dev);
    assert.deepEqual(finalPut(m, dev), []);
    assert.deepEqual(a.calls, []);
    assert.equal(krefRead(dev.ref), 1);
    finalPut(m, dev);
    assert.deepEqual(a.calls, [null]);
  });
});

describe("drmm_add_action and drmm_add_action_or_reset", () => {
  test("drmmAddAction() that cannot allocate its node returns ENOMEM and never calls the action (R18)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const live = m.sim.liveAllocations().length;
    const a = noting(m, "a");
    m.kernel.faults.set("drmm_add_action", { nth: 1 });
    assert.equal(drmmAddAction(dev, "a", a, "A"), "ENOMEM");
    assert.equal(m.sim.liveAllocations().length, live);
    finalPut(m, dev);
    assert.deepEqual(a.calls, []);
    assert.equal(m.sim.reportLeaks(), 0);
  });

  test("drmmAddActionOrReset() that fails calls the action at once with its data and returns the error (R19)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const a = noting(m, "a");
    m.kernel.faults.set("drmm_add_action", { nth: 1 });
    assert.equal(m.runIn("test_caller", [dev], () => drmmAddActionOrReset(dev, "a", a, "A")), "ENOMEM");
    assert.deepEqual(a.calls, ["A"]);
    finalPut(m, dev);
    assert.deepEqual(a.calls, ["A"], "not called again at the final put");
    assert.equal(m.sim.reportLeaks(), 0);
  });

  test("drmmAddActionOrReset() that succeeds does not call the action before the final put", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const a = noting(m, "a");
    assert.equal(m.runIn("test_caller", [dev], () => drmmAddActionOrReset(dev, "a", a, "A")), 0);
    assert.deepEqual(a.calls, []);
    finalPut(m, dev);
    assert.deepEqual(a.calls, ["A"]);
  });
});

describe("drmm_release_action", () => {
  test("drmmReleaseAction() runs the action once, now, and not again at the final put (R20)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const a = noting(m, "a");
    assert.equal(drmmAddAction(dev, "a", a, "A"), 0);
    const live = m.sim.liveAllocations().length;
    m.runIn("test_caller", [dev], () => drmmReleaseAction(dev, a, "A"));
    assert.deepEqual(a.calls, ["A"]);
    assert.equal(m.sim.liveAllocations().length, live - 1, "the tracking node is freed");
    assert.ok(!finalPut(m, dev).includes("a(A)"));
    assert.deepEqual(a.calls, ["A"]);
    assert.deepEqual(m.warnings(), []);
    assert.equal(m.sim.reportLeaks(), 0);
  });

  test("drmmReleaseAction() of an action never registered warns and calls nothing (R20)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const stranger = noting(m, "stranger");
    m.runIn("test_caller", [dev], () => drmmReleaseAction(dev, stranger, "S"));
    assert.deepEqual(stranger.calls, []);
    assert.equal(m.warnings().length, 1);
    assert.match(m.warnings()[0] ?? "", /^drmm_release_action: /);
  });

  test("drmmReleaseAction()'s warning names the action, or says it is anonymous", () => {
    const m = drmMachine();
    const dev = m.alloc();
    function lateRelease(): void {}
    const anonymous = [(): void => {}][0]!;
    m.runIn("test_caller", [dev], () => drmmReleaseAction(dev, lateRelease));
    m.runIn("test_caller", [dev], () => drmmReleaseAction(dev, anonymous));
    assert.deepEqual(m.warnings(), [
      "drmm_release_action: no managed action lateRelease with matching data",
      "drmm_release_action: no managed action (anonymous) with matching data",
    ]);
  });

  test("drmmReleaseAction() with other data than registered warns, and the action still runs at the final put (R20)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const a = noting(m, "a");
    assert.equal(drmmAddAction(dev, "a", a, "A"), 0);
    m.runIn("test_caller", [dev], () => drmmReleaseAction(dev, a, "other"));
    assert.deepEqual(a.calls, []);
    assert.equal(m.warnings().length, 1);
    finalPut(m, dev);
    assert.deepEqual(a.calls, ["A"]);
  });

  test("drmmReleaseAction() with null data matches any data, oldest registration first (R21)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const a = noting(m, "a");
    assert.equal(drmmAddAction(dev, "a", a, "first"), 0);
    assert.equal(drmmAddAction(dev, "a", a, "second"), 0);
    m.runIn("test_caller", [dev], () => drmmReleaseAction(dev, a));
    assert.deepEqual(a.calls, ["first"]);
    finalPut(m, dev);
    assert.deepEqual(a.calls, ["first", "second"]);
    assert.deepEqual(m.warnings(), []);
  });
});

describe("drmm memory", () => {
  test("drmmKfree(null) does nothing and warns nothing (R22)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const entries = dev.managed.resources.length;
    drmmKfree(dev, null);
    assert.equal(dev.managed.resources.length, entries);
    assert.deepEqual(m.warnings(), []);
  });

  test("drmmKfree() of memory that is not managed warns and frees nothing (R22)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const other = m.alloc();
    const foreign: Allocation[] = [m.sim.alloc("plain"), drmmKzalloc(other, 8, "other_dev_mem")!.mem];
    for (const mem of foreign) drmmKfree(dev, mem);
    assert.equal(m.warnings().length, 2);
    assert.ok(m.warnings().every((w) => w.startsWith("drmm_kfree: ")));
    assert.ok(foreign.every((mem) => mem.freeSite === null));
    finalPut(m, other);
    finalPut(m, dev);
    m.sim.free(foreign[0]!);
    assert.equal(m.sim.reportLeaks(), 0);
    assert.ok(!m.sim.findings.some((f) => f.kind === "double-free"));
  });

  test("drmmKfree() of managed memory frees it now and not again at the final put", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const buf = drmmKzalloc(dev, 8, "early");
    assert.ok(buf !== null);
    drmmKfree(dev, buf.mem);
    assert.notEqual(buf.mem.freeSite, null);
    assert.ok(!finalPut(m, dev).includes("free early"));
    assert.deepEqual(m.sim.findings, []);
  });

  test("drmmKmallocArray() returns null when n * size overflows, and registers nothing (R23)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const entries = dev.managed.resources.length;
    assert.equal(drmmKmallocArray(dev, 2 ** 32, 2 ** 32), null);
    assert.equal(drmmKmallocArray(dev, 2 ** 33, 2 ** 40), null);
    assert.equal(drmmKcalloc(dev, 2 ** 32, 2 ** 32), null);
    // 2^62 bytes fit in 64 bits, but no allocation of the model's can hold them.
    assert.equal(drmmKmallocArray(dev, 2 ** 31, 2 ** 31), null);
    assert.equal(dev.managed.resources.length, entries);
  });

  test("drmmKzalloc(), drmmKmallocArray() and drmmKcalloc() return zeroed memory of the asked size (R23)", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const bufs = [drmmKzalloc(dev, 32), drmmKmallocArray(dev, 4, 16), drmmKcalloc(dev, 3, 8)];
    assert.deepEqual(bufs.map((b) => b?.bytes.length), [32, 64, 24]);
    assert.equal(drmmKstrdup(dev, "abc")?.buffer.bytes.length, 4, "the string and its NUL");
    assert.ok(bufs.every((b) => b !== null && b.bytes.every((x) => x === 0)));
    finalPut(m, dev);
    assert.ok(bufs.every((b) => b?.mem.freeSite !== null));
    assert.equal(m.sim.reportLeaks(), 0);
  });

  test("drmmKzalloc() under fault injection returns null and registers nothing", () => {
    const m = drmMachine();
    const dev = m.alloc();
    const entries = dev.managed.resources.length;
    m.kernel.faults.set("drmm_kmalloc", { nth: 1 });
    assert.equal(drmmKzalloc(dev, 32), null);
    assert.equal(dev.managed.resources.length, entries);
  });
});

describe("drmm_mutex_init", () => {
  test("drmmMutexInit() succeeds, and the mutex is destroyed at the final put, not at unbind (R24)", () => {
    const m = drmMachine();
    const parent = m.parent();
    const dev = m.run(() => devmDrmDevAlloc(parent, TEST_DRIVER, "test_device"));
    assert.ok(typeof dev !== "string");
    const lock = m.run(function* () {
      yield step("test_probe", [], [dev]); // a driver's probe, which calls drmm_mutex_init()
      return yield* drmmMutexInit(dev, "test_lock");
    });
    assert.ok(typeof lock !== "string", `drmm_mutex_init failed: ${String(lock)}`);
    assert.equal(lock.destroyed, false);
    drmDevGet(dev); // what an open file holds
    m.run(() => devresReleaseAll(parent)); // unbind
    assert.equal(krefRead(dev.ref), 1, "unbind dropped the allocation reference only");
    assert.equal(lock.destroyed, false);
    m.run(() => drmDevPut(dev));
    assert.equal(lock.destroyed, true);
    assert.equal(m.sim.reportLeaks(), 0);
    assert.deepEqual(m.sim.findings, []);
  });

  test("drmmMutexInit() that cannot register returns ENOMEM", () => {
    const m = drmMachine();
    const dev = m.alloc();
    m.kernel.faults.set("drmm_add_action", { nth: 1 });
    assert.equal(m.runIn("test_caller", [dev], () => drmmMutexInit(dev, "test_lock")), "ENOMEM");
  });
});

describe("drm_dev_init failing midway", () => {
  // TEST_DRIVER's drm_dev_init registers actions: 1 init release, 2 render minor release,
  // 3 primary minor release, 4 GEM release; and memory: 1 render minor, 2 primary minor, 3 unique.
  const points = [
    ...[1, 2, 3, 4].map((nth) => ({ point: "drmm_add_action", nth })),
    ...[1, 2, 3].map((nth) => ({ point: "drmm_kmalloc", nth })),
  ];
  for (const { point, nth } of points) {
    test(`drmDevAlloc() with ${point} failing at hit ${nth} returns ENOMEM, releases what it registered and leaks nothing (R25)`, () => {
      const m = drmMachine();
      const parent = m.parent();
      m.kernel.faults.set(point, { nth });
      assert.equal(m.run(() => drmDevAlloc(TEST_DRIVER, parent)), "ENOMEM");
      assert.deepEqual(m.kernel.faults.injected, [{ point, hit: nth }]);
      assert.equal(parent.refcount, 1, "the parent reference is dropped");
      const minors = drmCore(m.kernel).minors;
      assert.ok(!minors.isReserved(0) && !minors.isReserved(128), "no minor number stays reserved");
      assert.equal(m.sim.reportLeaks(), 0);
      assert.deepEqual(m.sim.findings.filter((f) => f.kind !== "leak"), []);
    });
  }

  test("devmDrmDevAlloc() whose devres action cannot be added releases the device and frees the container", () => {
    const m = drmMachine();
    const parent = m.parent();
    m.kernel.faults.set("devm_add_action", { nth: 1 });
    assert.equal(m.run(() => devmDrmDevAlloc(parent, TEST_DRIVER, "test_device")), "ENOMEM");
    assert.equal(parent.refcount, 1, "the parent reference is dropped");
    assert.equal(m.sim.reportLeaks(), 0, "the container is not leaked");
    assert.deepEqual(m.sim.findings.filter((f) => f.kind !== "leak"), []);
  });

  for (const how of ["drmDevAlloc", "devmDrmDevAlloc"] as const) {
    test(`${how}() whose container cannot be allocated returns ENOMEM and registers nothing`, () => {
      const m = drmMachine();
      const parent = m.parent();
      m.kernel.faults.set("kzalloc", { nth: 1 });
      const alloc = how === "drmDevAlloc"
        ? () => drmDevAlloc(TEST_DRIVER, parent)
        : () => devmDrmDevAlloc(parent, TEST_DRIVER, "test_device");
      assert.equal(m.run(alloc), "ENOMEM");
      assert.equal(parent.refcount, 1);
      assert.ok(!drmCore(m.kernel).minors.isReserved(0), "no minor was reserved");
      assert.equal(m.sim.reportLeaks(), 0);
    });
  }

  test("devmDrmDevAlloc() whose drm_dev_init fails frees the container and returns the error", () => {
    const m = drmMachine();
    const parent = m.parent();
    m.kernel.faults.set("drmm_add_action", { nth: 2 });
    assert.equal(m.run(() => devmDrmDevAlloc(parent, TEST_DRIVER, "test_device")), "ENOMEM");
    assert.equal(parent.refcount, 1, "the parent reference is dropped");
    assert.equal(m.sim.reportLeaks(), 0, "the container is not leaked");
  });

  test("drm_dev_init() without a parent WARNs and returns EINVAL", () => {
    const m = drmMachine();
    const mem = m.sim.alloc("test_device");
    assert.equal(m.run(() => drmDevInit(m.kernel, mem, TEST_DRIVER, null)), "EINVAL");
    assert.deepEqual(m.warnings(), ["drm_dev_init: no parent device"]);
    m.sim.free(mem, "test");
    assert.equal(m.sim.reportLeaks(), 0);
  });

  test("drmDevAlloc() when the minor range is full (before 6.12) returns ENOSPC and reserves nothing", () => {
    const m = drmMachine({ name: "mainline", version: "6.8" });
    for (let i = 0; i < 64; i++) m.alloc();
    const parent = m.parent();
    assert.equal(m.run(() => drmDevAlloc(TEST_DRIVER, parent)), "ENOSPC");
    assert.equal(parent.refcount, 1, "the parent reference is dropped");
    const minors = drmCore(m.kernel).minors;
    assert.ok(!minors.isReserved(64) && !minors.isReserved(192), "no number past the full range");
  });

  test("drmDevAlloc() failing at the GEM action releases the entries before it newest first (R25)", () => {
    const m = drmMachine();
    const parent = m.parent();
    m.kernel.faults.set("drmm_add_action", { nth: 4 });
    const mark = m.sim.trace.events.length;
    assert.equal(m.run(() => drmDevAlloc(TEST_DRIVER, parent)), "ENOMEM");
    assert.deepEqual(releaseLog(m.sim, mark), [...INIT_RELEASE_LOG.slice(2), "free drm_device"]);
  });
});
