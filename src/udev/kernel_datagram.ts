/**
 * The kernel's uevent datagram (NETLINK_KOBJECT_UEVENT, group 1): `ACTION@DEVPATH`, then one
 * `KEY=VALUE` per key, each ended by a NUL byte. Parsing works on bytes, so an error names the
 * byte offset of the field at fault. Tolerated, as by every receiver: a missing final NUL, empty
 * fields (two NULs in a row), values holding `=`, duplicated keys (the last one wins on read).
 * Text is decoded as UTF-8; a byte sequence that is not UTF-8 becomes U+FFFD.
 *
 * @see alloc_uevent_skb() and kobject_uevent_env() in lib/kobject_uevent.c
 */
import { encodeKernelUevent, type Uevent } from "../uapi/mod.js";
import { UeventFormatError } from "./format_error.js";
import { parseEnvFields, parseHeader, type Field } from "./uevent_fields.js";

const DECODER = new TextDecoder("utf-8");

/** The NUL-ended fields of `bytes` from `start`, empty ones skipped, with their byte offsets. */
export function nulFields(bytes: Uint8Array, start: number, end = bytes.length): Field[] {
  const fields: Field[] = [];
  let from = start;
  while (from < end) {
    let nul = bytes.indexOf(0, from);
    if (nul < 0 || nul > end) nul = end;
    if (nul > from) fields.push({ text: DECODER.decode(bytes.subarray(from, nul)), where: { byte: from } });
    from = nul + 1;
  }
  return fields;
}

/**
 * Parses one kernel datagram.
 * @throws UeventFormatError naming the byte offset of the first field at fault
 */
export function parseKernelDatagram(bytes: Uint8Array, source = ""): Uevent {
  const fields = nulFields(bytes, 0);
  const header = fields[0];
  if (header === undefined) throw new UeventFormatError("empty datagram", { byte: 0 }, source);
  const { action, devpath } = parseHeader(header, source);
  return { action, devpath, env: parseEnvFields(fields.slice(1), source) };
}

/** The datagram the kernel sends for `ev` (the inverse of parseKernelDatagram()). */
export function encodeKernelDatagram(ev: Uevent): Buffer {
  return encodeKernelUevent(ev);
}
