import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arbUevent, wedgedEvent, WEDGED_DEVPATH } from "./_test_events.js";
import { UeventFormatError } from "./format_error.js";
import { parseEventFile, parseRecording } from "./recording.js";
import { encodeKernelDatagram } from "./kernel_datagram.js";
import { encodeLibudevDatagram } from "./libudev_datagram.js";
import { formatUdevadmEvent, parseUdevadmText, type TextRecord } from "./udevadm_text.js";

/** xe's event as `udevadm monitor --property --kernel` printed it (uevents spec, section 1.1). */
const XE_MONITOR = `monitor will print the received events for:
KERNEL - the kernel uevent

KERNEL[265.802982] change   ${WEDGED_DEVPATH} (drm)
ACTION=change
DEVPATH=${WEDGED_DEVPATH}
SUBSYSTEM=drm
WEDGED=rebind,bus-reset
DEVNAME=/dev/dri/card0
DEVTYPE=drm_minor
SEQNUM=5208
MAJOR=226
MINOR=0

`;

function events(records: TextRecord[]): unknown[] {
  return records.map((r) => (r.kind === "event" ? r.received.event : r.error.message));
}

test("parseUdevadmText() reads udevadm's banner, header and properties", () => {
  const [r, ...rest] = parseUdevadmText(XE_MONITOR);
  assert.equal(rest.length, 0);
  assert.ok(r?.kind === "event");
  assert.equal(r.received.origin, "kernel");
  assert.equal(r.received.receivedUsec, 265_802_982);
  assert.deepEqual(r.received.where, { line: 4 });
  const ev = r.received.event;
  assert.equal(ev.action, "change");
  assert.equal(ev.devpath, WEDGED_DEVPATH);
  assert.deepEqual(ev.env.map(([k]) => k), ["ACTION", "DEVPATH", "SUBSYSTEM", "WEDGED", "DEVNAME", "DEVTYPE", "SEQNUM", "MAJOR", "MINOR"]);
});

test("formatUdevadmEvent() prints what parseUdevadmText() reads back (DEVNAME made absolute)", () => {
  const text = formatUdevadmEvent(wedgedEvent(), 265_802_982);
  assert.equal(text, XE_MONITOR.split("\n").slice(3).join("\n"));
  const udev = formatUdevadmEvent(wedgedEvent(), 1_000_001, "udev");
  assert.match(udev, /^UDEV {2}\[1\.000001\] change {3}\/devices/);
  const [r] = parseUdevadmText(udev);
  assert.ok(r?.kind === "event" && r.received.origin === "udev");
});

test("parseUdevadmText() without --property makes events of the header lines", () => {
  const text = "KERNEL[1.000002] add      /devices/virtual/drm/card1 (drm)\nKERNEL[1.000003] remove   /devices/virtual/drm/card1 (drm)\n";
  assert.deepEqual(events(parseUdevadmText(text)), [
    { action: "add", devpath: "/devices/virtual/drm/card1", env: [["ACTION", "add"], ["DEVPATH", "/devices/virtual/drm/card1"], ["SUBSYSTEM", "drm"]] },
    { action: "remove", devpath: "/devices/virtual/drm/card1", env: [["ACTION", "remove"], ["DEVPATH", "/devices/virtual/drm/card1"], ["SUBSYSTEM", "drm"]] },
  ]);
});

test("parseUdevadmText() names the line at fault and goes on with the next record", () => {
  const text = `${XE_MONITOR}garbage here\nSEQNUM=1\n\nKERNEL[2.000000] frob     /devices/x (drm)\n\n${XE_MONITOR.split("\n").slice(3).join("\n")}`;
  const got = events(parseUdevadmText(text, "rec.txt"));
  assert.equal(got.length, 4);
  assert.equal(got[1], 'Cannot parse uevent in rec.txt: line "garbage here" is neither an event header nor a property at line 15, column 1');
  assert.equal(got[2], 'Cannot parse uevent in rec.txt: unknown action "frob" at line 18');
  assert.deepEqual(got[3], got[0]);
});

test("parseRecording() reads fixture lines, naming line and column of a bad field", () => {
  const text = `# recorded\n${encodeKernelDatagram(wedgedEvent()).toString("latin1").replaceAll("\0", "|").slice(0, -1)}\nadd@/devices/x|ACTION=add|oops\n`;
  const got = events(parseRecording(text, "f.txt"));
  assert.deepEqual(got[0], wedgedEvent());
  assert.equal(got[1], 'Cannot parse uevent in f.txt: field "oops" is not KEY=VALUE at line 3, column 27');
});

test("parseEventFile() takes a binary datagram of either kind or a recording", () => {
  assert.deepEqual(parseEventFile(encodeKernelDatagram(wedgedEvent()))[0]?.event, wedgedEvent());
  assert.equal(parseEventFile(encodeLibudevDatagram(wedgedEvent()))[0]?.origin, "udev");
  assert.equal(parseEventFile(Buffer.from(XE_MONITOR)).length, 1);
  assert.throws(() => parseEventFile(Buffer.from("\n\n"), "e.txt"), { message: "Cannot parse uevent in e.txt: no event in the file at line 1" });
});

test("udevadm text round-trips every well-formed event (property)", () => {
  fc.assert(
    fc.property(arbUevent, fc.nat({ max: 2 ** 40 }), (ev, usec) => {
      const [r] = parseUdevadmText(formatUdevadmEvent(ev, usec));
      assert.ok(r?.kind === "event");
      assert.equal(r.received.receivedUsec, usec);
      const sorted = (e: typeof ev): string[] => e.env.map(([k, v]) => `${k}=${v}`).sort();
      const expected = { ...ev, env: ev.env.map(([k, v]) => [k, k === "DEVNAME" && !v.startsWith("/") ? `/dev/${v}` : v] as [string, string]) };
      assert.deepEqual(sorted(r.received.event), sorted(expected));
    }),
  );
});

test("garbage text never crashes the recording parser: records or located errors (property)", () => {
  const lines = fc.array(
    fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "KERNEL[1.5] add /devices/x (drm)", "A=b", "add@/x|A=b", "=x", "UDEV  [0.000001] bind /y ()")),
    { maxLength: 30 },
  );
  fc.assert(
    fc.property(lines, (ls) => {
      for (const r of parseRecording(ls.join("\n"))) {
        if (r.kind === "event") assert.ok(r.received.event.devpath.startsWith("/"));
        else assert.ok(r.error instanceof UeventFormatError && /at line \d+/.test(r.error.message));
      }
    }),
    { numRuns: 2000 },
  );
});
