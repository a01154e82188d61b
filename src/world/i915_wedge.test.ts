/**
 * i915's hang handling as userspace sees it (kernel-contract.md 11.4; IGT's gem_eio): with
 * resets disabled a hang wedges the GT; submission, context creation and throttling fail with
 * EIO while buffers are still made, zeroed; every fence ends with -EIO and its waiters
 * succeed; a job gated on a foreign fence completes without running when that fence signals;
 * a forced reset through debugfs i915_wedged clears the wedge; the uevents, by kernel version.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KernelVersion } from "../base/mod.js";
import { findingSummary } from "../kernel/mod.js";
import {
  DRM_IOCTL_I915_GEM_CONTEXT_CREATE,
  DRM_IOCTL_I915_GEM_THROTTLE,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  DRM_IOCTL_VERSION,
  DRM_IOCTL_VTEST_JOB,
  encodeKernelUevent,
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
  waitAll,
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
  userSession,
  type UserSession,
} from "./_testing.js";


function i915Session(kernel?: KernelVersion): UserSession {
  return gpuSession("i915", kernel);
}

/** The errno of each ioctl class: submission, context, throttle, core, GEM, syncobj. */
function* ioctlClasses(sys: Syscalls, card: Fd, render: Fd): Call<Record<string, string>> {
  return {
    submit: errnoOf(yield* submit(sys, render, { engine: 1, ms: 1 })),
    context: errnoOf(yield* sys.ioctl(render, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, {})),
    throttle: errnoOf(yield* sys.ioctl(render, DRM_IOCTL_I915_GEM_THROTTLE, {})),
    version: errnoOf(yield* sys.ioctl(card, DRM_IOCTL_VERSION, {})),
    dumb: errnoOf(yield* sys.ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 })),
    syncobj: errnoOf(yield* sys.ioctl(render, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 0 })),
  };
}

/** The drm change events, as "KEY=value ..." of the keys i915 and the wedged event add. */
function changeEvents(events: readonly Uevent[]): string[] {
  const keys = ["ERROR", "RESET", "WEDGED", "PID", "TASK"];
  return events.filter((e) => e.action === "change")
    .map((e) => ueventKeys(e, keys));
}

test("resets disabled: a hang wedges i915; EIO for submit, context, throttle; the rest works", () => {
  const s = i915Session();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const card = yield* openOk(sys, "/dev/dri/card0");
    const fd = yield* openRender(sys);
    const before = yield* ioctlClasses(sys, card, fd);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_params/reset`, "0");
    const files = yield* hangJobs(sys, fd);
    const events = yield* drainUevents(sys, sock);
    const after = yield* ioctlClasses(sys, card, fd);
    const status: string[] = [];
    for (const f of files) status.push(yield* syncFileStatus(sys, f));
    const wait = yield* waitAll(sys, fd, [2, 3, 4]); // the hung jobs (1 is ioctlClasses')
    const bo = yield* sys.ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
    assert.ok(bo.ok);
    const map = yield* sys.ioctl(card, DRM_IOCTL_MODE_MAP_DUMB, { handle: bo.value.handle });
    assert.ok(map.ok);
    const addr = yield* sys.mmap(card, map.value.offset, Number(bo.value.size));
    assert.ok(addr.ok);
    const bytes = yield* sys.memRead(addr.value, Number(bo.value.size));
    const wedgedFile = yield* sys.readFile(`${DEBUGFS_DRI0}/i915_wedged`);
    yield* sys.munmap(addr.value, Number(bo.value.size));
    for (const f of [...files, fd, card, sock]) yield* sys.close(f);
    return { before, after, status, wait, bytes, events, wedgedFile };
  });
  const rest = { version: "ok", dumb: "ok", syncobj: "ok" };
  assert.deepEqual(r.before, { submit: "ok", context: "ok", throttle: "ok", ...rest });
  assert.deepEqual(r.after, { submit: "EIO", context: "EIO", throttle: "EIO", ...rest });
  assert.deepEqual(r.status, ["EIO", "EIO", "EIO"], "on the ring, and queued: all -EIO");
  assert.equal(r.wait, "ok", "the waiters are not told: they read the error from the fence");
  assert.ok(r.bytes.ok && r.bytes.value.every((b) => b === 0), "a new buffer reads as zeroes");
  assert.deepEqual(r.wedgedFile, { ok: true, value: "18446744073709551611\n" });
  assert.deepEqual(changeEvents(r.events), ["ERROR=1", "RESET=1", "WEDGED=rebind,bus-reset"]);
  const wedged = r.events.find((e) => e.env.some(([k]) => k === "WEDGED"))!;
  assert.equal(
    encodeKernelUevent(wedged).toString("latin1"),
    [
      "change@/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0",
      "ACTION=change",
      "DEVPATH=/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0",
      "SUBSYSTEM=drm",
      "WEDGED=rebind,bus-reset",
      "MAJOR=226",
      "MINOR=0",
      "DEVNAME=dri/card0",
      "DEVTYPE=drm_minor",
      `SEQNUM=${wedged.env.find(([k]) => k === "SEQNUM")![1]}`,
      "",
    ].join("\0"),
    "the WEDGED event, byte for byte: no PID or TASK from i915",
  );
  assert.match(s.world.sim.kmsg.join("\n"), /i915 0000:01:00\.0: \[drm\] device wedged, needs recovery/);
  assert.equal(s.drm()?.wedged, "rebind,bus-reset");
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});

test("the uevents of a wedging hang by kernel version: no WEDGED before 6.14, never PID/TASK", () => {
  const seen: Record<string, string[]> = {};
  for (const kernel of ["6.12", "6.14", "6.17"] as const) {
    const s = i915Session(kernel);
    seen[kernel] = s.run(function* (sys) {
      const sock = yield* ueventSocketOk(sys);
      const fd = yield* openRender(sys);
      yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_params/reset`, "0");
      for (const f of yield* hangJobs(sys, fd)) yield* sys.close(f);
      const events = changeEvents(yield* drainUevents(sys, sock));
      const submitted = errnoOf(yield* submit(sys, fd, { engine: 1, ms: 1 }));
      yield* sys.close(fd);
      return [...events, `submit ${submitted}`];
    });
    assert.equal(s.shutdown(), 0);
  }
  assert.deepEqual(seen, {
    "6.12": ["ERROR=1", "RESET=1", "submit EIO"],
    "6.14": ["ERROR=1", "RESET=1", "WEDGED=rebind,bus-reset", "submit EIO"],
    "6.17": ["ERROR=1", "RESET=1", "WEDGED=rebind,bus-reset", "submit EIO"],
  });
});

test("a forced reset clears the wedge once resets are enabled; while disabled it wedges again", () => {
  const s = i915Session();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_params/reset`, "0");
    for (const f of yield* hangJobs(sys, fd)) yield* sys.close(f);
    yield* drainUevents(sys, sock);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_wedged`, "3");
    const stillDisabled = changeEvents(yield* drainUevents(sys, sock));
    const whileDisabled = errnoOf(yield* submit(sys, fd, { engine: 0, ms: 1 }));
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_params/reset`, "3");
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_wedged`, "0x3");
    const reset = changeEvents(yield* drainUevents(sys, sock));
    const out = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, ms: 1, out });
    const done = yield* waitAll(sys, fd, [out]);
    const ctx = yield* sys.ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, {});
    const file = yield* sys.readFile(`${DEBUGFS_DRI0}/i915_wedged`);
    const bad = errnoOf(yield* sys.writeFile(`${DEBUGFS_DRI0}/i915_wedged`, "-1"));
    const badParam = errnoOf(yield* sys.writeFile(`${DEBUGFS_DRI0}/i915_params/reset`, "two"));
    yield* sys.close(fd);
    yield* sys.close(sock);
    return { stillDisabled, whileDisabled, reset, done, ctx, file, bad, badParam };
  });
  assert.deepEqual(r.stillDisabled, ["ERROR=1", "RESET=1", "WEDGED=rebind,bus-reset"]);
  assert.equal(r.whileDisabled, "EIO");
  assert.deepEqual(r.reset, ["ERROR=1", "RESET=1", "ERROR=0"]);
  assert.equal(r.done, "ok");
  assert.deepEqual(r.ctx, { ok: true, value: { ctx_id: 1 } });
  assert.deepEqual(r.file, { ok: true, value: "0\n" });
  assert.equal(r.bad, "EINVAL");
  assert.equal(r.badParam, "EINVAL");
  assert.equal(s.drm()?.wedged, null, "the same drm_device, no longer wedged");
  assert.equal(s.shutdown(), 0);
});

test("resets enabled (the default): an engine reset, no uevent; the guilty job EIO, the next one runs", () => {
  const s = i915Session();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const fd = yield* openRender(sys);
    const hung = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, hang: true, out: hung });
    const next = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, ms: 1, out: next });
    yield* sys.sleep(600);
    const events = changeEvents(yield* drainUevents(sys, sock));
    const hungSf = yield* exportSyncFile(sys, fd, hung);
    const status = yield* syncFileStatus(sys, hungSf);
    const nextDone = yield* waitAll(sys, fd, [next]);
    const nextSf = yield* exportSyncFile(sys, fd, next);
    const nextStatus = yield* syncFileStatus(sys, nextSf);
    for (const f of [hungSf, nextSf, fd, sock]) yield* sys.close(f);
    return { events, status, nextDone, nextStatus };
  });
  assert.deepEqual(r, { events: [], status: "EIO", nextDone: "ok", nextStatus: "signaled" });
  assert.match(s.world.sim.kmsg.join("\n"), /Resetting card0-ring0 for stopped heartbeat on card0-ring0/);
  assert.equal(s.drm()?.wedged, null);
  assert.equal(s.shutdown(), 0);
});

test("a job gated on a foreign fence completes with -EIO, without running, when that fence signals", () => {
  const s = userSession({
    devices: [{ bdf: BDF, driver: "i915" }, { bdf: "0000:02:00.0", driver: "vtest" }],
  });
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    const other = yield* openOk(sys, "/dev/dri/renderD129");
    const ext = yield* syncobj(sys, other);
    const job = yield* sys.ioctl(other, DRM_IOCTL_VTEST_JOB, {
      duration_ns: 1_000_000_000n,
      out_syncobj: ext,
    });
    assert.ok(job.ok);
    const extSf = yield* exportSyncFile(sys, other, ext);
    const gate = yield* syncobj(sys, fd);
    const imported = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, {
      fd: extSf,
      handle: gate,
      flags: 1, // DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE
      pad: 0,
    });
    assert.ok(imported.ok);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_params/reset`, "0");
    yield* submitOk(sys, fd, { engine: 0, hang: true });
    const gated = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 1, ms: 1, in: gate, out: gated });
    const gatedSf = yield* exportSyncFile(sys, fd, gated);
    yield* sys.sleep(600);
    const atWedge = yield* syncFileStatus(sys, gatedSf);
    const wait = yield* waitAll(sys, fd, [gated]);
    const after = yield* syncFileStatus(sys, gatedSf);
    const t = yield* sys.clockGettime();
    for (const f of [gatedSf, extSf, other, fd]) yield* sys.close(f);
    return { atWedge, wait, after, t };
  });
  assert.deepEqual({ ...r, t: r.t >= 1_000_000 }, { atWedge: "active", wait: "ok", after: "EIO", t: true });
  // i915 sends its event with that job's fences still unsignalled, which the check reports.
  const findings = s.world.sim.findings.map((f) => f.kind);
  assert.deepEqual(findings, ["wedge-prerequisite"]);
  assert.equal(s.shutdown(), 0);
});

test("the advertised rebind recovers a wedged i915 too: a new, clean device", () => {
  const s = i915Session();
  const r = s.run(function* (sys) {
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/i915_params/reset`, "0");
    for (const f of yield* hangJobs(sys, fd)) yield* sys.close(f);
    const wedged = errnoOf(yield* submit(sys, fd, { engine: 0, ms: 1 }));
    yield* sys.close(fd);
    yield* unbind(sys, "i915");
    yield* bind(sys, "i915");
    const fresh = yield* openRender(sys);
    const out = yield* syncobj(sys, fresh);
    yield* submitOk(sys, fresh, { engine: 0, ms: 1, out });
    const done = yield* waitAll(sys, fresh, [out]);
    const param = yield* sys.readFile(`${DEBUGFS_DRI0}/i915_params/reset`);
    yield* sys.close(fresh);
    return { wedged, done, param };
  });
  assert.deepEqual(r, { wedged: "EIO", done: "ok", param: { ok: true, value: "3\n" } });
  assert.equal(s.drm()?.wedged, null);
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});
