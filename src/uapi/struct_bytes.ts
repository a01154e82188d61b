/**
 * A struct's fields as the bytes userspace lays out in memory, and back: what drm_ioctl()
 * copies when the caller's request is not the table entry's own definition (another size,
 * another driver's ioctl with the same number, a bare number), so that each side reads the
 * bytes through its own struct, as in C.
 *
 * @see copy_from_user(), copy_to_user() in drm_ioctl()
 */
import type { AnyFieldValue, FieldDesc, IntField, StructDesc } from "./ioctl_struct.js";

/**
 * The bytes of a struct holding `fields` (absent fields zero), as userspace lays it out in
 * memory: integers little-endian at their offsets, `char[N]` as its bytes. A user pointer is
 * written as 0: the model keeps no user memory behind it. Only the first `sizeBytes` bytes
 * are kept, as a copy of that size would.
 */
export function structToBytes(
  s: StructDesc,
  fields: Readonly<Record<string, unknown>>,
  sizeBytes: number,
  into?: Uint8Array,
): Uint8Array {
  const full = new Uint8Array(s.sizeBytes);
  if (into !== undefined) full.set(into.subarray(0, Math.min(into.length, full.length)));
  writeFields(s, fields, new DataView(full.buffer), 0);
  return full.subarray(0, Math.min(sizeBytes, full.length));
}

function writeFields(
  s: StructDesc,
  fields: Readonly<Record<string, unknown>>,
  view: DataView,
  base: number,
): void {
  for (const [name, f] of Object.entries(s.fields)) {
    const v = fields[name];
    if (v === undefined) continue;
    const at = base + s.offsets[name]!;
    if (f.kind === "int") writeInt(view, at, f, v as number | bigint);
    else if (f.kind === "chars")
      new Uint8Array(view.buffer).set(
        new TextEncoder().encode(String(v)).subarray(0, f.bytes - 1),
        at,
      );
    else if (f.kind === "struct")
      writeFields(f.struct, v as Readonly<Record<string, unknown>>, view, at);
    else if (f.kind === "array")
      (v as readonly (number | bigint)[]).forEach((x, i) => {
        writeInt(view, at + i * f.elem.bytes, f.elem, x);
      });
  }
}

function writeInt(view: DataView, at: number, f: IntField, v: number | bigint): void {
  const n = BigInt.asUintN(f.bytes * 8, BigInt(v));
  if (f.bytes === 8) view.setBigUint64(at, n, true);
  else if (f.bytes === 4) view.setUint32(at, Number(n), true);
  else if (f.bytes === 2) view.setUint16(at, Number(n), true);
  else view.setUint8(at, Number(n));
}

/**
 * The fields `names` of a struct read from `bytes` (zero past their end); a user pointer reads
 * as empty.
 */
export function structFromBytes(
  s: StructDesc,
  bytes: Uint8Array,
  names: readonly string[],
): Record<string, AnyFieldValue> {
  const full = new Uint8Array(s.sizeBytes);
  full.set(bytes.subarray(0, Math.min(bytes.length, full.length)));
  const view = new DataView(full.buffer);
  return Object.fromEntries(
    names.map((name) => [name, readField(s.fields[name]!, view, s.offsets[name]!)]),
  );
}

function readField(f: FieldDesc, view: DataView, at: number): AnyFieldValue {
  switch (f.kind) {
    case "int": {
      const raw =
        f.bytes === 8
          ? view.getBigUint64(at, true)
          : BigInt(
              f.bytes === 4
                ? view.getUint32(at, true)
                : f.bytes === 2
                  ? view.getUint16(at, true)
                  : view.getUint8(at),
            );
      const n = f.signed ? BigInt.asIntN(f.bytes * 8, raw) : raw;
      return f.bytes === 8 ? n : Number(n);
    }
    case "chars": {
      const b = new Uint8Array(view.buffer, at, f.bytes);
      const end = b.indexOf(0);
      return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
    }
    case "struct":
      return structFromBytes(
        f.struct,
        new Uint8Array(view.buffer, at, f.bytes),
        Object.keys(f.struct.fields),
      );
    case "array":
      return Array.from({ length: f.length }, (_, i) =>
        readField(f.elem, view, at + i * f.elem.bytes),
      ) as AnyFieldValue;
    case "string":
      return "";
    case "ids":
    case "userArray":
      return [];
  }
}
