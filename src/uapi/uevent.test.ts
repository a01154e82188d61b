import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeKernelUevent, formatUdevadm, formatUeventRaw, parseKernelUevent, ueventGet, UeventParseError, ueventSeqnum, type Uevent } from "./uevent.js";

const ADD_FIXTURE =
  "add@/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0|ACTION=add|DEVPATH=/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0|SUBSYSTEM=drm|MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor|SEQNUM=744";

const WEDGED_DEVPATH = "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:01.0/0000:03:00.0/drm/card0";

const WEDGED: Uevent = {
  action: "change",
  devpath: WEDGED_DEVPATH,
  env: [
    ["ACTION", "change"],
    ["DEVPATH", WEDGED_DEVPATH],
    ["SUBSYSTEM", "drm"],
    ["WEDGED", "rebind,bus-reset"],
    ["MAJOR", "226"],
    ["MINOR", "0"],
    ["DEVNAME", "dri/card0"],
    ["DEVTYPE", "drm_minor"],
    ["SEQNUM", "5208"],
  ],
};

test("encodeKernelUevent() writes ACTION@DEVPATH and KEY=VALUE fields, each ended by NUL", () => {
  const ev: Uevent = { action: "change", devpath: "/devices/x/drm/card0", env: [["ACTION", "change"], ["DEVPATH", "/devices/x/drm/card0"], ["SUBSYSTEM", "drm"]] };
  const bytes = encodeKernelUevent(ev);
  assert.ok(Buffer.isBuffer(bytes));
  assert.deepEqual(bytes, Buffer.from("change@/devices/x/drm/card0\0ACTION=change\0DEVPATH=/devices/x/drm/card0\0SUBSYSTEM=drm\0", "latin1"));
  assert.equal(bytes.at(-1), 0);
});

test("parseKernelUevent() reads the fixture form and formatUeventRaw() prints it back", () => {
  const ev = parseKernelUevent(ADD_FIXTURE);
  assert.equal(ev.action, "add");
  assert.equal(ev.devpath, "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0");
  assert.deepEqual(ev.env.map(([k]) => k), ["ACTION", "DEVPATH", "SUBSYSTEM", "MAJOR", "MINOR", "DEVNAME", "DEVTYPE", "SEQNUM"]);
  assert.equal(ueventGet(ev, "DEVNAME"), "dri/card0");
  assert.equal(ueventGet(ev, "MISSING"), undefined);
  assert.equal(ueventSeqnum(ev), 744);
  assert.equal(formatUeventRaw(ev), ADD_FIXTURE);
});

test("parseKernelUevent() inverts encodeKernelUevent()", () => {
  const ev = parseKernelUevent(ADD_FIXTURE);
  assert.deepEqual(parseKernelUevent(encodeKernelUevent(ev)), ev);
  assert.deepEqual(parseKernelUevent(encodeKernelUevent(WEDGED)), WEDGED);
});

test("parseKernelUevent() tolerates a missing trailing NUL and keeps = inside values", () => {
  const ev = parseKernelUevent("change@/devices/x\0ACTION=change\0OPTS=a=b=c");
  assert.equal(ueventGet(ev, "OPTS"), "a=b=c");
  assert.equal(ev.env.length, 2);
});

test("ueventGet() returns the last value of a duplicated key", () => {
  const ev = parseKernelUevent("change@/devices/x|ACTION=change|WEDGED=none|WEDGED=rebind|SEQNUM=1|SEQNUM=2");
  assert.equal(ueventGet(ev, "WEDGED"), "rebind");
  assert.equal(ueventSeqnum(ev), 2);
});

test("parseKernelUevent() rejects garbage with a UeventParseError that names the problem", () => {
  const cases: [string, RegExp][] = [
    ["", /empty datagram/],
    ["hello", /"hello" has no ACTION@\/DEVPATH/],
    ["@/devices/x", /has no ACTION@\/DEVPATH/],
    ["foo@/x|NOEQUALS", /unknown action "foo"/],
    ["add@/x|NOEQUALS", /field 1 "NOEQUALS" is not KEY=VALUE/],
    ["add@/x|ACTION=add|=value", /field 2 "=value" is not KEY=VALUE/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseKernelUevent(input),
      (e: unknown) => e instanceof UeventParseError && e instanceof SyntaxError && e.name === "UeventParseError" && message.test(e.message),
      JSON.stringify(input),
    );
  }
});

test("formatUdevadm() prints an event as udevadm monitor --kernel --property does", () => {
  const expected = [
    `KERNEL[265.802982] change   ${WEDGED_DEVPATH} (drm)`,
    "ACTION=change",
    `DEVPATH=${WEDGED_DEVPATH}`,
    "SUBSYSTEM=drm",
    "WEDGED=rebind,bus-reset",
    "DEVNAME=/dev/dri/card0",
    "DEVTYPE=drm_minor",
    "SEQNUM=5208",
    "MAJOR=226",
    "MINOR=0",
    "",
    "",
  ].join("\n");
  assert.equal(formatUdevadm(WEDGED, 265802982), expected);
});

test("formatUdevadm() pads the microseconds of the receive time to six digits", () => {
  const ev = parseKernelUevent("remove@/devices/x|ACTION=remove|SUBSYSTEM=drm");
  assert.equal(formatUdevadm(ev, 3_000_042).split("\n")[0], "KERNEL[3.000042] remove   /devices/x (drm)");
});
