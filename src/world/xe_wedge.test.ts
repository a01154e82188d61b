/**
 * xe's wedging as userspace sees it (R78, R79, R81-R88): a hang whose GT reset fails wedges
 * the device with WEDGED=rebind,bus-reset, every ioctl class fails with ECANCELED (before the
 * unplug check), fences end with errors, a devcoredump is published; mode 2 keeps the hang
 * and sends `none` from 7.1; mode 0 never wedges; a firmware error sends vendor-specific and
 * shows survivability_mode; a rebind recovers; the broken xe-early-wedge is caught.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KernelVersion } from "../base/mod.js";
import { findingSummary } from "../kernel/mod.js";
import {
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_VERSION,
  ueventGet,
  type Call,
  type Fd,
  type Syscalls,
  type Uevent,
} from "../uapi/mod.js";
import {
  exportSyncFile,
  hangJobs,
  openRender,
  submit,
  submitOk,
  syncFileStatus,
  syncobj,
} from "./_test_sched.js";
import {
  BDF,
  bind,
  drainUevents,
  errnoOf,
  openOk,
  sysfsWrite,
  ueventSocketOk,
  ueventKeys,
  unbind,
  DEBUGFS_DRI0,
  gpuSession,
  type UserSession,
} from "./_testing.js";


function xeSession(driver = "xe", kernel?: KernelVersion): UserSession {
  return gpuSession(driver, kernel);
}

/**
 * The errno of one ioctl of each class on the card (where dumb buffers are made): core, caps
 * (DRM_CAP_SYNCOBJ), GEM, syncobj, the driver's submission.
 */
function* ioctlClasses(sys: Syscalls, fd: Fd): Call<Record<string, string>> {
  return {
    version: errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_VERSION, {})),
    getCap: errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_GET_CAP, { capability: 0x13n })),
    dumb: errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 })),
    syncobj: errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 0 })),
    submit: errnoOf(yield* submit(sys, fd, { engine: 1, ms: 1 })),
  };
}

/** WEDGED, PID and TASK of the WEDGED events among `events`, one string each. */
function wedgedEvents(events: readonly Uevent[]): string[] {
  return events
    .filter((e) => ueventGet(e, "WEDGED") !== undefined)
    .map((e) => `${e.action} ${ueventGet(e, "DEVNAME")} ` +
      ueventKeys(e, ["WEDGED", "PID", "TASK"]));
}

test("a hang whose GT reset fails wedges xe: WEDGED=rebind,bus-reset, ECANCELED everywhere (R81, R83)", () => {
  const s = xeSession();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const card = yield* openOk(sys, "/dev/dri/card0");
    const fd = yield* openRender(sys);
    const before = yield* ioctlClasses(sys, card);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/fail_gt_reset/probability`, "100");
    const syncFiles = yield* hangJobs(sys, fd);
    const events = wedgedEvents(yield* drainUevents(sys, sock));
    const after = yield* ioctlClasses(sys, card);
    const onRender = errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_VERSION, {}));
    yield* sys.close(fd);
    yield* sys.close(card);
    const dump = yield* sys.readFile("/sys/class/devcoredump/devcd1/data");
    for (const f of syncFiles) yield* sys.close(f);
    return { before, after, onRender, events, dump };
  });
  const all = (v: string) => ({ version: v, getCap: v, dumb: v, syncobj: v, submit: v });
  assert.deepEqual(r.before, all("ok"));
  assert.deepEqual(r.after, all("ECANCELED"));
  assert.equal(r.onRender, "ECANCELED");
  assert.deepEqual(r.events, ["change dri/card0 WEDGED=rebind,bus-reset"]);
  assert.ok(r.dump.ok && r.dump.value.includes("engine: card0-ring0"), "the hang's devcoredump");
  const kmsg = s.world.sim.kmsg.join("\n");
  assert.match(kmsg, /xe 0000:01:00\.0: \[drm\] CRITICAL: Xe has declared device 0000:01:00\.0 as wedged\./);
  assert.match(kmsg, /xe 0000:01:00\.0: \[drm\] device wedged, needs recovery/);
  assert.equal(s.drm()?.wedged, "rebind,bus-reset");
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});

test("the wedged device's fences end with errors, and a rebind makes a clean device (R87, R90)", () => {
  const s = xeSession();
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/fail_gt_reset/probability`, "100");
    const syncFiles = yield* hangJobs(sys, fd);
    const status: string[] = [];
    for (const f of syncFiles) status.push(yield* syncFileStatus(sys, f));
    for (const f of syncFiles) yield* sys.close(f);
    yield* sys.close(fd);
    yield* unbind(sys, "xe");
    yield* bind(sys, "xe");
    const fresh = yield* openRender(sys);
    const after = errnoOf(yield* submit(sys, fresh, { engine: 0, ms: 1 }));
    const mode = yield* sys.readFile(`${DEBUGFS_DRI0}/wedged_mode`);
    yield* sys.close(fresh);
    return { status, after, mode };
  });
  // The two on the ring are force-completed, the queued one killed with its entity.
  assert.deepEqual(r.status, ["ECANCELED", "ECANCELED", "ESRCH"]);
  assert.equal(r.after, "ok");
  assert.deepEqual(r.mode, { ok: true, value: "1\n" });
  assert.match(s.world.sim.kmsg.join("\n"), /Triggering Driver-FLR/);
  assert.equal(s.world.bus.device(BDF)?.hardware.resetCount, 1);
  assert.equal(s.drm()?.wedged, null);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});

test("wedged and then unplugged: xe answers ECANCELED before the core's ENODEV (R81)", () => {
  const s = xeSession();
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/fail_gt_reset/probability`, "100");
    for (const f of yield* hangJobs(sys, fd)) yield* sys.close(f);
    yield* sysfsWrite(sys, `/sys/bus/pci/devices/${BDF}/remove`, "1");
    const after = errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_VERSION, {}));
    yield* sys.close(fd);
    return after;
  });
  assert.equal(r, "ECANCELED");
  assert.equal(s.shutdown(), 0);
});

test("wedged_mode reads 1, takes 0..2 and refuses other values with EINVAL (R88)", () => {
  const s = xeSession();
  const r = s.run(function* (sys) {
    const path = `${DEBUGFS_DRI0}/wedged_mode`;
    const first = yield* sys.readFile(path);
    const bad = [errnoOf(yield* sys.writeFile(path, "3")), errnoOf(yield* sys.writeFile(path, "x"))];
    const good = errnoOf(yield* sys.writeFile(path, "2\n"));
    const now = yield* sys.readFile(path);
    return { first, bad, good, now };
  });
  assert.deepEqual(r, {
    first: { ok: true, value: "1\n" },
    bad: ["EINVAL", "EINVAL"],
    good: "ok",
    now: { ok: true, value: "2\n" },
  });
  assert.equal(s.shutdown(), 0);
});

/** Mode 2, one hang; what the uevents say and how the hung job's fence stands. */
function modeTwo(kernel: KernelVersion) {
  const s = xeSession("xe", kernel);
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/wedged_mode`, "2");
    const syncFiles = yield* hangJobs(sys, fd);
    const events = wedgedEvents(yield* drainUevents(sys, sock));
    const hung = yield* syncFileStatus(sys, syncFiles[0]!);
    for (const f of syncFiles) yield* sys.close(f);
    const submitted = errnoOf(yield* submit(sys, fd, { engine: 1, ms: 1 }));
    // No close: a close would wait for the queued job, behind the kept hang, for ever
    // (drm_sched_entity_flush() of a live process); the exit at shutdown gives up after 1 s.
    return { events, submitted, hung };
  });
  return { s, r };
}

test("mode 2 keeps the hang and sends WEDGED=none from 7.1 (R84)", () => {
  const { s, r } = modeTwo("7.1");
  assert.deepEqual(r.events, ["change dri/card0 WEDGED=none"]);
  assert.equal(r.submitted, "ECANCELED");
  assert.equal(r.hung, "active", "the hang is kept for debugging");
  assert.match(s.world.sim.kmsg.join("\n"), /device wedged, but no recovery needed/);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});

test("mode 2 before 7.1 sends rebind,bus-reset with the hang's fences unsignalled: caught (R79)", () => {
  const { s, r } = modeTwo("7.0");
  assert.deepEqual(r.events, ["change dri/card0 WEDGED=rebind,bus-reset"]);
  const findings = s.world.sim.findings.map((f) => f.kind);
  assert.deepEqual(findings, ["wedge-prerequisite"]);
  s.shutdown();
});

test("mode 0 never wedges: the failed reset leaves the device usable and sends nothing (R82)", () => {
  const s = xeSession();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/wedged_mode`, "0");
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/fail_gt_reset/probability`, "100");
    for (const f of yield* hangJobs(sys, fd)) yield* sys.close(f);
    const events = wedgedEvents(yield* drainUevents(sys, sock));
    const other = errnoOf(yield* submit(sys, fd, { engine: 1, ms: 1 }));
    // No close: the hung job stays on engine 0 (nothing recovers it in mode 0), and a close
    // would wait for the job queued behind it; the exit at shutdown gives up after 1 s.
    return { events, other };
  });
  assert.deepEqual(r, { events: [], other: "ok" });
  assert.equal(s.drm()?.wedged, null);
  s.shutdown();
});

test("a firmware error: runtime survivability mode, WEDGED=vendor-specific (R85, R86)", () => {
  const s = xeSession();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const none = yield* sys.exists(`/sys/bus/pci/devices/${BDF}/survivability_mode`);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/inject_csc_hw_error`, "1");
    const events = wedgedEvents(yield* drainUevents(sys, sock));
    const file = yield* sys.readFile(`/sys/bus/pci/devices/${BDF}/survivability_mode`);
    return { none, events, file };
  });
  assert.deepEqual(r, {
    none: false,
    events: ["change dri/card0 WEDGED=vendor-specific"],
    file: { ok: true, value: "Survivability mode type: Runtime\n" },
  });
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});

test("xe-early-wedge sends the event before its fences are signalled: wedge-prerequisite (R79)", () => {
  const s = xeSession("xe-early-wedge");
  s.run(function* (sys) {
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/fail_gt_reset/probability`, "100");
    for (const f of yield* hangJobs(sys, fd)) yield* sys.close(f);
    yield* sys.close(fd);
  });
  const found = s.world.sim.findings.map(findingSummary);
  assert.deepEqual(found.length, 1, found.join("\n"));
  assert.match(found[0]!, /^WARNING: drm_device#\d+ \(card0\) sent WEDGED=rebind,bus-reset before it was harmless: /);
  assert.match(found[0]!, /DMA enabled \(scheduler card0-ring0 still submits\)/);
  assert.match(found[0]!, /dma_fence .* unsignalled/);
  s.shutdown();
});
