/**
 * amdgpu's hang and error handling as userspace sees it (R89; kernel-contract.md 11.3): a
 * ring reset, or a whole-GPU recovery when it fails, is followed by WEDGED=none with PID and
 * TASK of the guilty program (from 6.17; no event before 6.14), the device staying usable; a
 * fatal error unplugs the device instead, with no wedged event, and a rebind recovers it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KernelVersion } from "../base/mod.js";
import { findingSummary } from "../kernel/mod.js";
import {
  DRM_IOCTL_VERSION,
  encodeKernelUevent,
  type Call,
  type Fd,
  type Syscalls,
  type Uevent,
} from "../uapi/mod.js";
import {
  exportSyncFile,
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
  minorUevents,
  openOk,
  sysfsWrite,
  ueventSocketOk,
  ueventKeys,
  unbind,
  DEBUGFS_DRI0,
  gpuSession,
  type UserSession,
} from "./_testing.js";


function amdgpuSession(kernel?: KernelVersion): UserSession {
  return gpuSession("amdgpu", kernel);
}

/** The WEDGED events: "WEDGED=... PID=... TASK=..." each. */
function wedged(events: readonly Uevent[]): string[] {
  return events.filter((e) => e.env.some(([k]) => k === "WEDGED"))
    .map((e) => ueventKeys(e, ["WEDGED", "PID", "TASK"]));
}

/** A hang on engine 0 with a job behind it; their fence statuses after the timeout. */
function* hangWithInnocent(sys: Syscalls, fd: Fd): Call<{ guilty: string; innocent: string; wait: string }> {
  const hung = yield* syncobj(sys, fd);
  yield* submitOk(sys, fd, { engine: 0, hang: true, out: hung });
  const next = yield* syncobj(sys, fd);
  yield* submitOk(sys, fd, { engine: 0, ms: 1, out: next });
  yield* sys.sleep(600);
  const wait = yield* waitAll(sys, fd, [next]);
  const files = [yield* exportSyncFile(sys, fd, hung), yield* exportSyncFile(sys, fd, next)];
  const guilty = yield* syncFileStatus(sys, files[0]!);
  const innocent = yield* syncFileStatus(sys, files[1]!);
  for (const f of files) yield* sys.close(f);
  return { guilty, innocent, wait };
}

test("a ring reset sends WEDGED=none with PID and TASK of the guilty program (R89), byte for byte", () => {
  const s = amdgpuSession();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const fd = yield* openRender(sys);
    const fences = yield* hangWithInnocent(sys, fd);
    const events = yield* drainUevents(sys, sock);
    const after = errnoOf(yield* submit(sys, fd, { engine: 0, ms: 1 }));
    yield* sys.close(fd);
    yield* sys.close(sock);
    return { fences, events, after };
  });
  assert.deepEqual(r.fences, { guilty: "ETIME", innocent: "signaled", wait: "ok" });
  assert.equal(r.after, "ok", "not wedged: nothing to recover");
  assert.deepEqual(wedged(r.events), [`WEDGED=none PID=${s.sys.pid} TASK=test`]);
  const ev = r.events.find((e) => e.env.some(([k]) => k === "WEDGED"))!;
  const seqnum = ev.env.find(([k]) => k === "SEQNUM")![1];
  assert.equal(
    encodeKernelUevent(ev).toString("latin1"),
    ["change@/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0", "ACTION=change",
      "DEVPATH=/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0", "SUBSYSTEM=drm",
      "WEDGED=none", `PID=${s.sys.pid}`, "TASK=test", "MAJOR=226", "MINOR=0",
      "DEVNAME=dri/card0", "DEVTYPE=drm_minor", `SEQNUM=${seqnum}`, ""].join("\0"),
  );
  const kmsg = s.world.sim.kmsg.join("\n");
  assert.match(kmsg, /amdgpu 0000:01:00\.0: Ring card0-ring0 reset succeeded/);
  assert.match(kmsg, /\[drm\] device wedged, but no recovery needed/);
  assert.equal(s.drm()?.wedged, null, "none does not wedge the device");
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});

test("WEDGED=none by kernel version: nothing before 6.14, no task information before 6.17", () => {
  const seen: Record<string, unknown> = {};
  for (const kernel of ["6.12", "6.14", "6.17", "7.0"] as const) {
    const s = amdgpuSession(kernel);
    seen[kernel] = s.run(function* (sys) {
      const sock = yield* ueventSocketOk(sys);
      const fd = yield* openRender(sys);
      const fences = yield* hangWithInnocent(sys, fd);
      const events = wedged(yield* drainUevents(sys, sock));
      yield* sys.close(fd);
      return [fences.guilty, ...events];
    });
    const kmsg = s.world.sim.kmsg.join("\n");
    if (kernel !== "6.12") assert.match(kmsg, /device wedged, but recovered through reset/, kernel);
    assert.equal(s.shutdown(), 0);
  }
  assert.deepEqual(seen, {
    "6.12": ["ETIME"],
    "6.14": ["ETIME", "WEDGED=none"],
    "6.17": ["ETIME", "WEDGED=none PID=1000 TASK=test"],
    "7.0": ["ETIME", "WEDGED=none PID=1000 TASK=test"],
  });
});

test("a failed ring reset falls back to the whole-GPU recovery, then the same WEDGED=none", () => {
  const s = amdgpuSession();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const fd = yield* openRender(sys);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/fail_ring_reset/probability`, "100");
    const other = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 1, ms: 300, out: other });
    const fences = yield* hangWithInnocent(sys, fd);
    const otherStatus = yield* waitAll(sys, fd, [other]);
    const events = wedged(yield* drainUevents(sys, sock));
    const times = yield* sys.readFile(`${DEBUGFS_DRI0}/fail_ring_reset/times`);
    const bad = errnoOf(yield* sys.writeFile(`${DEBUGFS_DRI0}/fail_ring_reset/probability`, "101"));
    yield* sys.close(fd);
    yield* sys.close(sock);
    return { fences, otherStatus, events, times, bad };
  });
  assert.deepEqual(r.fences, { guilty: "ETIME", innocent: "signaled", wait: "ok" });
  assert.equal(r.otherStatus, "ok", "the other ring's job ran again after the GPU reset");
  assert.deepEqual(r.events, [`WEDGED=none PID=${s.sys.pid} TASK=test`]);
  assert.deepEqual(r.times, { ok: true, value: "0\n" }, "the one failure was used");
  assert.equal(r.bad, "EINVAL");
  const kmsg = s.world.sim.kmsg.join("\n");
  assert.match(kmsg, /Ring card0-ring0 reset failed/);
  assert.match(kmsg, /GPU reset\(1\) succeeded!/);
  assert.equal(s.shutdown(), 0);
});

test("a fatal error halts amdgpu: unplugged, no WEDGED, ENODEV, fences ECANCELED; a rebind recovers", () => {
  const s = amdgpuSession();
  const r = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    const card = yield* openOk(sys, "/dev/dri/card0");
    const fd = yield* openRender(sys);
    const running = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, ms: 100, out: running });
    const sf = yield* exportSyncFile(sys, fd, running);
    yield* sysfsWrite(sys, `${DEBUGFS_DRI0}/inject_fatal_error`, "1");
    const events = yield* drainUevents(sys, sock);
    const status = yield* syncFileStatus(sys, sf);
    const version = errnoOf(yield* sys.ioctl(card, DRM_IOCTL_VERSION, {}));
    const sub = errnoOf(yield* submit(sys, fd, { engine: 1, ms: 1 }));
    const bound = yield* sys.readlink(`/sys/bus/pci/devices/${BDF}/driver`);
    const knob = yield* sys.exists(`${DEBUGFS_DRI0}/inject_fatal_error`);
    yield* unbind(sys, "amdgpu");
    yield* bind(sys, "amdgpu");
    const fresh = yield* openOk(sys, "/dev/dri/renderD129");
    const out = yield* syncobj(sys, fresh);
    yield* submitOk(sys, fresh, { engine: 0, ms: 1, out });
    const works = yield* waitAll(sys, fresh, [out]);
    for (const f of [sf, fresh, fd, card, sock]) yield* sys.close(f);
    return { events, status, version, sub, bound, knob, works };
  });
  assert.deepEqual(wedged(r.events), []);
  assert.deepEqual(minorUevents(r.events), ["remove dri/card0", "remove dri/renderD128"]);
  assert.equal(r.status, "ECANCELED");
  assert.equal(r.version, "ENODEV");
  assert.equal(r.sub, "ENODEV");
  assert.deepEqual(r.bound, { ok: true, value: "../../../../bus/pci/drivers/amdgpu" });
  assert.equal(r.knob, true, "still bound: its debugfs files stay until unbind");
  assert.equal(r.works, "ok");
  assert.deepEqual(s.world.sim.findings.map(findingSummary), []);
  assert.equal(s.shutdown(), 0);
});
