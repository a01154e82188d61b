/**
 * drm_dev_wedged_event() as userspace sees it: the bytes of the `change` uevent on the card,
 * the WEDGED value by method bits and kernel version, PID and TASK, the length limits, the log
 * lines and the one-time WARN (R66-R76).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KernelProfile, KernelVersion } from "../base/mod.js";
import { findingSummary } from "../kernel/mod.js";
import { encodeKernelUevent, formatUdevadm, type Uevent } from "../uapi/mod.js";
import {
  DRM_WEDGE_RECOVERY_BUS_RESET as BUS_RESET,
  DRM_WEDGE_RECOVERY_COLD_RESET as COLD_RESET,
  DRM_WEDGE_RECOVERY_NONE as NONE,
  DRM_WEDGE_RECOVERY_REBIND as REBIND,
  DRM_WEDGE_RECOVERY_VENDOR as VENDOR,
  drmDevWedgedEvent,
  type DrmWedgeTaskInfo,
} from "./wedged.js";
import { drmMachine } from "./_testing.js";
import { drmDevUnplug } from "./device.js";

const ALL = NONE | REBIND | BUS_RESET | VENDOR;

interface Sent {
  readonly ret: string | number;
  readonly events: readonly Uevent[];
  readonly kmsg: readonly string[];
  readonly findings: readonly string[];
  readonly wedged: string | null;
}

/** A registered device of a machine running `version`; each method sent in turn. */
function send(
  methods: readonly number[],
  info: DrmWedgeTaskInfo | null = null,
  version: KernelVersion = "7.1",
): Sent {
  const profile: KernelProfile = { name: "mainline", version };
  const m = drmMachine(profile);
  const dev = m.registered();
  const from = m.kernel.uevents.log.length;
  const kmsgFrom = m.sim.kmsg.length;
  let ret: string | number = 0;
  for (const method of methods) {
    ret = m.runIn("test_declare_wedged", [dev], () => drmDevWedgedEvent(dev, method, info));
  }
  return {
    ret,
    events: m.kernel.uevents.log.slice(from).map((l) => l.ev),
    kmsg: m.sim.kmsg.slice(kmsgFrom).filter((l) => l.includes("wedged") || l.includes("WARN")),
    findings: m.sim.findings.map(findingSummary),
    wedged: dev.wedged,
  };
}

/** The WEDGED, PID and TASK keys of the only event sent. */
function keys(s: Sent): string[] {
  assert.equal(s.events.length, 1);
  return s.events[0]!.env.filter(([k]) => ["WEDGED", "PID", "TASK"].includes(k)).map(([k, v]) => `${k}=${v}`);
}

test("REBIND|BUS_RESET: one change uevent on the card, WEDGED first after the default keys (R66, R67)", () => {
  const s = send([REBIND | BUS_RESET]);
  assert.equal(s.ret, 0);
  const ev = s.events[0]!;
  const devpath = ev.devpath;
  assert.match(devpath, /\/drm\/card0$/);
  assert.equal(
    encodeKernelUevent(ev).toString("latin1"),
    `change@${devpath}\0ACTION=change\0DEVPATH=${devpath}\0SUBSYSTEM=drm\0` +
      "WEDGED=rebind,bus-reset\0MAJOR=226\0MINOR=0\0DEVNAME=dri/card0\0DEVTYPE=drm_minor\0" +
      `SEQNUM=${ev.env.at(-1)![1]}\0`,
  );
  assert.equal(
    formatUdevadm(ev, 265_802_982),
    `KERNEL[265.802982] change   ${devpath} (drm)\nACTION=change\nDEVPATH=${devpath}\n` +
      "SUBSYSTEM=drm\nWEDGED=rebind,bus-reset\nDEVNAME=/dev/dri/card0\nDEVTYPE=drm_minor\n" +
      `SEQNUM=${ev.env.at(-1)![1]}\nMAJOR=226\nMINOR=0\n\n`,
  );
  assert.deepEqual(s.kmsg, ["<6>drmtest drmtest.0: [drm] device wedged, needs recovery"]);
  assert.equal(s.wedged, "rebind,bus-reset");
  assert.deepEqual(s.findings, []);
});

test("the value lists the set bits in ascending order, whatever order the driver thinks of (R67, R76)", () => {
  assert.deepEqual(keys(send([BUS_RESET | NONE])), ["WEDGED=none,bus-reset"]);
  assert.deepEqual(keys(send([VENDOR])), ["WEDGED=vendor-specific"]);
  assert.deepEqual(keys(send([VENDOR | REBIND])), ["WEDGED=rebind,vendor-specific"]);
});

test("method 0 is WEDGED=unknown, logged as needing recovery, without a WARN (R68, R73)", () => {
  const s = send([0]);
  assert.deepEqual(keys(s), ["WEDGED=unknown"]);
  assert.deepEqual(s.kmsg, ["<6>drmtest drmtest.0: [drm] device wedged, needs recovery"]);
  assert.deepEqual(s.findings, []);
});

test("an undefined bit makes WEDGED=unknown even after valid ones, with one WARN for the boot (R69)", () => {
  const s = send([REBIND | (1 << 7), 1 << 9]);
  assert.deepEqual(
    s.events.map((e) => e.env.find(([k]) => k === "WEDGED")![1]),
    ["unknown", "unknown"],
  );
  assert.deepEqual(s.findings, [
    "WARNING: drmtest drmtest.0: [drm] invalid recovery method 7 at drm_dev_wedged_event",
  ]);
});

test("each method name exists from its kernel version on (R70)", () => {
  assert.deepEqual(keys(send([VENDOR], null, "6.17")), ["WEDGED=unknown"]);
  assert.deepEqual(keys(send([VENDOR], null, "6.18")), ["WEDGED=vendor-specific"]);
  // cold-reset is still pending at 7.1, the newest modelled kernel.
  assert.deepEqual(keys(send([COLD_RESET], null, "7.1")), ["WEDGED=unknown"]);
  assert.deepEqual(keys(send([REBIND | BUS_RESET], null, "6.14")), ["WEDGED=rebind,bus-reset"]);
});

test("before 6.14 there is no wedged event: nothing is sent or logged, the device is not marked", () => {
  const s = send([REBIND], null, "6.12");
  assert.equal(s.ret, 0);
  assert.deepEqual(s.events, []);
  assert.deepEqual(s.kmsg, []);
  assert.equal(s.wedged, null);
});

test("PID then TASK come after WEDGED only with a name and a pid >= 0, from 6.17 (R71, R72)", () => {
  const glx = { pid: 1234, comm: "glxgears" };
  assert.deepEqual(keys(send([NONE], glx)), ["WEDGED=none", "PID=1234", "TASK=glxgears"]);
  assert.deepEqual(keys(send([NONE], { pid: 0, comm: "swapper" })), ["WEDGED=none", "PID=0", "TASK=swapper"]);
  assert.deepEqual(keys(send([NONE], { pid: -1, comm: "glxgears" })), ["WEDGED=none"]);
  assert.deepEqual(keys(send([NONE], { pid: 1234, comm: "" })), ["WEDGED=none"]);
  assert.deepEqual(keys(send([NONE], null)), ["WEDGED=none"]);
  assert.deepEqual(keys(send([NONE], glx, "6.14")), ["WEDGED=none"]);
});

test("the event string fits 31 characters and a task name 15 (R74)", () => {
  const s = send([ALL], { pid: 7, comm: "a-very-long-program-name" });
  assert.deepEqual(keys(s), ["WEDGED=none,rebind,bus-reset,v", "PID=7", "TASK=a-very-long-pro"]);
  // 31 characters fitted ("...,ve"); the last one is dropped as if it were the comma.
  assert.equal("WEDGED=none,rebind,bus-reset,v".length, 30);
  // Before 6.18 the vendor bit has no name: the whole value is unknown.
  assert.deepEqual(keys(send([ALL], null, "6.17")), ["WEDGED=unknown"]);
});

test("NONE is logged as recovered through reset up to 7.0 and as needing no recovery from 7.1 (R73)", () => {
  const old = send([NONE], null, "7.0");
  assert.deepEqual(old.kmsg, ["<6>drmtest drmtest.0: [drm] device wedged, but recovered through reset"]);
  const now = send([NONE], null, "7.1");
  assert.deepEqual(now.kmsg, ["<6>drmtest drmtest.0: [drm] device wedged, but no recovery needed"]);
  assert.equal(now.wedged, null, "a none event does not mark the device wedged");
  const both = send([NONE | REBIND]);
  assert.deepEqual(both.kmsg, ["<6>drmtest drmtest.0: [drm] device wedged, needs recovery"]);
});

test("the return value is the send's: 0 when sent, ENODEV once the card is unregistered (R75)", () => {
  const m = drmMachine();
  const dev = m.registered();
  const from = m.kernel.uevents.log.length;
  const sent = m.runIn("test_declare_wedged", [dev], () => drmDevWedgedEvent(dev, REBIND, null));
  m.runIn("test_unplug", [dev], () => drmDevUnplug(dev));
  const afterUnplug = m.kernel.uevents.log.length;
  const late = m.runIn("test_declare_wedged", [dev], () => drmDevWedgedEvent(dev, REBIND, null));
  assert.equal(sent, 0);
  assert.equal(late, "ENODEV");
  const wedgedEvents = (evs: readonly { ev: Uevent }[]) =>
    evs.filter((l) => l.ev.env.some(([k]) => k === "WEDGED")).length;
  assert.equal(wedgedEvents(m.kernel.uevents.log.slice(from, afterUnplug)), 1);
  assert.equal(wedgedEvents(m.kernel.uevents.log.slice(afterUnplug)), 0, "nothing sent for a removed card");
});
