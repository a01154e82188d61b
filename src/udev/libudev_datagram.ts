/**
 * The datagram systemd-udevd sends on NETLINK_KOBJECT_UEVENT group 2 after rule processing:
 * a 40-byte header, then the properties as NUL-ended `KEY=VALUE` strings (no `ACTION@DEVPATH`
 * line: ACTION and DEVPATH are keys).
 *
 * | offset | field | byte order |
 * |---|---|---|
 * | 0..7 | "libudev\0" | |
 * | 8..11 | magic 0xfeedcafe | big-endian (network) |
 * | 12..15 | header_size (40) | host |
 * | 16..19 | properties_off | host |
 * | 20..23 | properties_len | host |
 * | 24..27 | MurmurHash2 of SUBSYSTEM | big-endian |
 * | 28..31 | MurmurHash2 of DEVTYPE (0 without one) | big-endian |
 * | 32..35, 36..39 | tag bloom filter, high and low words | big-endian |
 *
 * "Host" order is little-endian here (x86-64 and arm64, the machines vdrm runs on).
 * A receiver, like sd-device, reads the properties from properties_off to the end of the
 * datagram and requires properties_off + 32 <= its length.
 *
 * @see monitor_netlink_header, device_monitor_send_device() and device_monitor_receive_device()
 * in systemd's src/libsystemd/sd-device/device-monitor.c
 */
import type { Uevent } from "../uapi/mod.js";
import { UeventFormatError } from "./format_error.js";
import { nulFields } from "./kernel_datagram.js";
import { stringBloom64, stringHash32 } from "./murmur_hash2.js";
import { lastValue, parseEnvFields, ueventFromKeys } from "./uevent_fields.js";

export const LIBUDEV_PREFIX = "libudev\0";
export const UDEV_MONITOR_MAGIC = 0xfeedcafe;
export const LIBUDEV_HEADER_SIZE = 40;

/** The header fields of a libudev datagram, as numbers (the bloom filter as one bigint). */
export interface LibudevHeader {
  readonly headerSize: number;
  readonly propertiesOff: number;
  readonly propertiesLen: number;
  readonly subsystemHash: number;
  readonly devtypeHash: number;
  readonly tagBloom: bigint;
}

/** Whether `bytes` starts like a libudev datagram (its first string is "libudev"). */
export function isLibudevDatagram(bytes: Uint8Array): boolean {
  if (bytes.length < LIBUDEV_PREFIX.length) return false;
  for (let i = 0; i < LIBUDEV_PREFIX.length; i++) if (bytes[i] !== LIBUDEV_PREFIX.charCodeAt(i)) return false;
  return true;
}

/** The bloom filter of the tags in a TAGS value (":seat:uaccess:"). */
function tagBloomOf(ev: Uevent): bigint {
  let bloom = 0n;
  for (const tag of (lastValue(ev.env, "TAGS") ?? "").split(":")) if (tag !== "") bloom |= stringBloom64(tag);
  return bloom;
}

/** The libudev datagram for `ev`: its keys in order, hashes of SUBSYSTEM, DEVTYPE and TAGS. */
export function encodeLibudevDatagram(ev: Uevent): Buffer {
  const props = Buffer.from(ev.env.map(([k, v]) => `${k}=${v}\0`).join(""), "utf8");
  const header = Buffer.alloc(LIBUDEV_HEADER_SIZE);
  header.write(LIBUDEV_PREFIX, 0, "latin1");
  header.writeUInt32BE(UDEV_MONITOR_MAGIC, 8);
  header.writeUInt32LE(LIBUDEV_HEADER_SIZE, 12);
  header.writeUInt32LE(LIBUDEV_HEADER_SIZE, 16);
  header.writeUInt32LE(props.length, 20);
  const subsystem = lastValue(ev.env, "SUBSYSTEM");
  const devtype = lastValue(ev.env, "DEVTYPE");
  header.writeUInt32BE(subsystem === undefined ? 0 : stringHash32(subsystem), 24);
  header.writeUInt32BE(devtype === undefined ? 0 : stringHash32(devtype), 28);
  const bloom = tagBloomOf(ev);
  header.writeUInt32BE(Number(bloom >> 32n), 32);
  header.writeUInt32BE(Number(bloom & 0xffffffffn), 36);
  return Buffer.concat([header, props]);
}

/**
 * The header of a libudev datagram, checked as sd-device checks it.
 * @throws UeventFormatError naming the byte offset of the field at fault
 */
export function parseLibudevHeader(bytes: Uint8Array, source = ""): LibudevHeader {
  if (!isLibudevDatagram(bytes)) throw new UeventFormatError('no "libudev" prefix', { byte: 0 }, source);
  if (bytes.length < LIBUDEV_HEADER_SIZE) {
    const what = `datagram of ${bytes.length} bytes is shorter than the ${LIBUDEV_HEADER_SIZE}-byte header`;
    throw new UeventFormatError(what, { byte: bytes.length }, source);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(8, false);
  if (magic !== UDEV_MONITOR_MAGIC) {
    const what = `magic 0x${magic.toString(16).padStart(8, "0")} is not 0xfeedcafe`;
    throw new UeventFormatError(what, { byte: 8 }, source);
  }
  const propertiesOff = view.getUint32(16, true);
  if (propertiesOff < LIBUDEV_HEADER_SIZE || propertiesOff + 32 > bytes.length) {
    const what = `properties_off ${propertiesOff} is outside the properties of a ${bytes.length}-byte datagram`;
    throw new UeventFormatError(what, { byte: 16 }, source);
  }
  const hi = BigInt(view.getUint32(32, false));
  return {
    headerSize: view.getUint32(12, true),
    propertiesOff,
    propertiesLen: view.getUint32(20, true),
    subsystemHash: view.getUint32(24, false),
    devtypeHash: view.getUint32(28, false),
    tagBloom: (hi << 32n) | BigInt(view.getUint32(36, false)),
  };
}

/**
 * Parses one libudev datagram: the header, then the properties from properties_off to the end.
 * Like sd-device, it does not check the hashes (they serve the kernel's socket filter).
 * @throws UeventFormatError naming the byte offset at fault
 */
export function parseLibudevDatagram(bytes: Uint8Array, source = ""): Uevent {
  const header = parseLibudevHeader(bytes, source);
  const fields = nulFields(bytes, header.propertiesOff);
  const env = parseEnvFields(fields, source);
  return ueventFromKeys(env, { byte: header.propertiesOff }, source);
}
