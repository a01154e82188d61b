import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arbUevent, wedgedEvent, WEDGED_DEVPATH } from "./_test_events.js";
import { parseUeventDatagram } from "./datagram.js";
import { UeventFormatError } from "./format_error.js";
import { encodeKernelDatagram, parseKernelDatagram } from "./kernel_datagram.js";
import { encodeLibudevDatagram, parseLibudevDatagram, parseLibudevHeader } from "./libudev_datagram.js";
import { murmurHash2, stringBloom64, stringHash32 } from "./murmur_hash2.js";

const KERNEL_BYTES = Buffer.from(
  `change@${WEDGED_DEVPATH}\0ACTION=change\0DEVPATH=${WEDGED_DEVPATH}\0SUBSYSTEM=drm\0` +
    "WEDGED=rebind,bus-reset\0MAJOR=226\0MINOR=0\0DEVNAME=dri/card0\0DEVTYPE=drm_minor\0SEQNUM=5208\0",
  "latin1",
);

test("parseKernelDatagram() reads the kernel's bytes of xe's WEDGED event", () => {
  assert.deepEqual(parseKernelDatagram(KERNEL_BYTES), wedgedEvent());
  assert.deepEqual(encodeKernelDatagram(wedgedEvent()), KERNEL_BYTES);
});

test("parseKernelDatagram() names the byte offset of the field at fault", () => {
  const bad = Buffer.from("change@/devices/x\0ACTION=change\0NOEQUALS\0SEQNUM=1\0", "latin1");
  assert.throws(() => parseKernelDatagram(bad, "socket"), {
    name: "UeventParseError",
    message: 'Cannot parse uevent in socket: field "NOEQUALS" is not KEY=VALUE at byte 32',
  });
  assert.throws(() => parseKernelDatagram(Buffer.alloc(0)), { message: "Cannot parse uevent: empty datagram at byte 0" });
  assert.throws(() => parseKernelDatagram(Buffer.from("hello\0A=b\0")), /header "hello" is not ACTION@DEVPATH at byte 0/);
  assert.throws(() => parseKernelDatagram(Buffer.from("wedge@/x\0")), /unknown action "wedge" at byte 0/);
  assert.throws(() => parseKernelDatagram(Buffer.from("add@/x\0=v\0")), /field "=v" has an empty key at byte 7/);
});

test("murmurHash2() gives the reference implementation's values (seed 0)", () => {
  // Computed with Austin Appleby's C reference (4-byte blocks read little-endian).
  const expected: [string, number][] = [
    ["", 0], ["a", 2456313694], ["ab", 446775395], ["abc", 324500635], ["drm", 375800185],
    ["drm_minor", 480662558], ["usb", 91735525], ["block", 4026736055], ["seat", 1130053184],
  ];
  for (const [s, h] of expected) assert.equal(stringHash32(s), h, s);
  assert.equal(murmurHash2(Buffer.from("abcdefghi\xff\xfe", "latin1")), 2782863403);
  const hash = stringHash32("seat");
  let bits = 0n;
  for (const shift of [0, 6, 12, 18]) bits |= 1n << BigInt((hash >>> shift) & 63);
  assert.equal(stringBloom64("seat"), bits);
});

test("encodeLibudevDatagram() writes systemd's 40-byte header, then the properties", () => {
  const ev = { ...wedgedEvent(), env: [...wedgedEvent().env, ["TAGS", ":seat:uaccess:"] as [string, string]] };
  const bytes = encodeLibudevDatagram(ev);
  assert.equal(bytes.subarray(0, 8).toString("latin1"), "libudev\0");
  assert.deepEqual([...bytes.subarray(8, 12)], [0xfe, 0xed, 0xca, 0xfe]); // network order
  assert.equal(bytes.readUInt32LE(12), 40);
  assert.equal(bytes.readUInt32LE(16), 40);
  assert.equal(bytes.readUInt32LE(20), bytes.length - 40);
  assert.equal(bytes.readUInt32BE(24), 375800185); // MurmurHash2("drm")
  assert.equal(bytes.readUInt32BE(28), 480662558); // MurmurHash2("drm_minor")
  const bloom = stringBloom64("seat") | stringBloom64("uaccess");
  assert.equal(bytes.readUInt32BE(32), Number(bloom >> 32n));
  assert.equal(bytes.readUInt32BE(36), Number(bloom & 0xffffffffn));
  assert.equal(bytes.subarray(40).toString("latin1").split("\0")[0], "ACTION=change");
  assert.equal(parseLibudevHeader(bytes).tagBloom, bloom);
  assert.deepEqual(parseLibudevDatagram(bytes), ev);
});

test("parseLibudevDatagram() refuses what sd-device refuses, naming the byte", () => {
  const good = encodeLibudevDatagram(wedgedEvent());
  const magic = Buffer.from(good);
  magic.writeUInt32LE(0xfeedcafe, 8); // host order: the wrong one
  assert.throws(() => parseLibudevDatagram(magic), /magic 0xfecaedfe is not 0xfeedcafe at byte 8/);
  const off = Buffer.from(good);
  off.writeUInt32LE(good.length, 16);
  assert.throws(() => parseLibudevDatagram(off), /properties_off \d+ is outside .* at byte 16/);
  assert.throws(() => parseLibudevDatagram(good.subarray(0, 30)), /shorter than the 40-byte header at byte 30/);
  const noAction = encodeLibudevDatagram({ ...wedgedEvent(), env: wedgedEvent().env.slice(1) });
  assert.throws(() => parseLibudevDatagram(noAction), /the properties have no ACTION at byte 40/);
});

test("parseUeventDatagram() tells the two kinds apart by their first bytes", () => {
  assert.equal(parseUeventDatagram(KERNEL_BYTES).origin, "kernel");
  assert.equal(parseUeventDatagram(encodeLibudevDatagram(wedgedEvent())).origin, "udev");
});

test("both datagram writers and parsers are inverses (property)", () => {
  fc.assert(
    fc.property(arbUevent, (ev) => {
      assert.deepEqual(parseKernelDatagram(encodeKernelDatagram(ev)), ev);
      assert.deepEqual(parseLibudevDatagram(encodeLibudevDatagram(ev)), ev);
    }),
  );
});

test("garbage never crashes a datagram parser: it parses or throws UeventFormatError (property)", () => {
  const garbage = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    arbUevent.chain((ev) =>
      fc.tuple(fc.constantFrom(encodeKernelDatagram(ev), encodeLibudevDatagram(ev)), fc.nat(), fc.integer({ min: 0, max: 255 })).map(
        ([bytes, at, b]) => {
          const out = Buffer.from(bytes);
          if (out.length > 0) out[at % out.length] = b;
          return out;
        },
      ),
    ),
    arbUevent.map((ev) => encodeLibudevDatagram(ev)).chain((b) => fc.nat({ max: b.length }).map((n) => b.subarray(0, n))),
  );
  fc.assert(
    fc.property(garbage, (bytes) => {
      try {
        const { event } = parseUeventDatagram(bytes);
        assert.ok(event.devpath.startsWith("/"));
      } catch (e) {
        if (!(e instanceof UeventFormatError)) throw e;
        assert.match(e.message, / at byte \d+$/);
      }
    }),
    { numRuns: 2000 },
  );
});
