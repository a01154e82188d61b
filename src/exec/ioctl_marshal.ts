/**
 * An ioctl of a real process, carried between its memory and the model: the argument struct
 * is read from the client's memory when the ioctl copies it in (_IOC_WRITE), its fields given
 * to the model by name; after the call the outputs are laid back over the caller's own bytes
 * (so its pointers stay) and written back when the ioctl copies out (_IOC_READ). A pointer
 * field is followed as the kernel follows it: a `char __user *` gets the string, at most its
 * length field's input bytes, without a NUL (drm_copy_field()); an id list at most its count
 * field's input entries; a `const char __user *` is read up to its NUL (strndup_user()).
 *
 * @see drm_ioctl() (copy_from_user / copy_to_user); drm_copy_field() in drm_ioctl.c
 */
import {
  iocCopiesIn, iocCopiesOut, iocSize, structFromBytes, structToBytes,
  type AnyIoctlDef, type IoctlFields, type StructDesc, type UserArrayField,
} from "../uapi/mod.js";

/** What the bridge needs of a client: its memory. */
export interface ClientMemory {
  readMem(addr: bigint, length: number): Promise<Uint8Array>;
  writeMem(addr: bigint, data: Uint8Array): void;
}

/** Longest string read through a `const char __user *` (PATH_MAX, as strndup_user() callers cap). */
const USER_STRING_MAX = 4096;
/** The most ids an id list carries each way. */
const IDS_MAX = 4096;

function u64At(bytes: Uint8Array, at: number): bigint {
  if (at + 8 > bytes.length) return 0n;
  return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0, true);
}

/** A count field's value; a count that is a list of counts (ATOMIC's) counts their sum. */
function countOf(fields: IoctlFields, name: string): number {
  const v = fields[name];
  if (Array.isArray(v)) return v.reduce((sum: number, x) => sum + Number(x), 0);
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0;
}

function elemBytes(f: UserArrayField): number {
  return "kind" in f.elem ? f.elem.bytes : f.elem.sizeBytes;
}

/** The entries a user array holds: its count field's (a byte count for a blob's `length`). */
function entriesOf(f: UserArrayField, fields: IoctlFields): number {
  const n = countOf(fields, f.count);
  return Math.min(f.count === "length" ? Math.floor(n / elemBytes(f)) : n, IDS_MAX);
}

async function readUserArray(mem: ClientMemory, ptr: bigint, f: UserArrayField, fields: IoctlFields): Promise<unknown[]> {
  const size = elemBytes(f);
  const n = entriesOf(f, fields);
  const raw = await mem.readMem(ptr, n * size);
  const elem = f.elem;
  return Array.from({ length: n }, (_, i) => {
    const bytes = raw.subarray(i * size, (i + 1) * size);
    if ("kind" in elem) return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    return structFromBytes(elem, bytes, Object.keys(elem.fields));
  });
}

function encodeUserArray(f: UserArrayField, values: readonly unknown[]): Uint8Array {
  const size = elemBytes(f);
  const out = Buffer.alloc(values.length * size);
  const elem = f.elem;
  values.forEach((v, i) => {
    if ("kind" in elem) out.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v as bigint | number)), i * size);
    else out.set(structToBytes(elem, v as Record<string, unknown>, size), i * size);
  });
  return out;
}

/** Reads a NUL-terminated string, a chunk at a time that never crosses a page boundary. */
async function readCString(mem: ClientMemory, addr: bigint, max: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  while (total < max) {
    const at = addr + BigInt(total);
    const n = Math.min(64, 4096 - Number(at % 4096n), max - total);
    const chunk = await mem.readMem(at, n);
    const nul = chunk.indexOf(0);
    parts.push(nul < 0 ? chunk : chunk.subarray(0, nul));
    if (nul >= 0) break;
    total += n;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The request's argument as the model takes it: the struct's input fields, pointers followed. */
export async function ioctlInput(
  def: AnyIoctlDef, request: number, argAddr: bigint, mem: ClientMemory,
): Promise<{ bytes: Uint8Array; fields: IoctlFields }> {
  const size = iocSize(request);
  const bytes = iocCopiesIn(request) && size > 0 ? await mem.readMem(argAddr, size) : new Uint8Array(size);
  const s: StructDesc = def.struct;
  const fields: Record<string, unknown> = structFromBytes(s, bytes, def.inFields);
  for (const name of def.inFields) {
    const f = s.fields[name]!;
    const ptr = u64At(bytes, s.offsets[name]!);
    if (f.kind === "string" && f.len === null && ptr !== 0n) {
      fields[name] = await readCString(mem, ptr, f.maxBytes ?? USER_STRING_MAX);
    } else if (f.kind === "ids" && ptr !== 0n) {
      const n = Math.min(countOf(fields as IoctlFields, f.count), IDS_MAX);
      const raw = await mem.readMem(ptr, n * 4);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      fields[name] = Array.from({ length: n }, (_, i) => view.getUint32(i * 4, true));
    } else if (f.kind === "userArray" && ptr !== 0n) {
      fields[name] = await readUserArray(mem, ptr, f, fields as IoctlFields);
    }
  }
  return { bytes, fields: fields as IoctlFields };
}

/** Writes the model's outputs into the client's memory: through its pointers, then the struct. */
export function ioctlOutput(
  def: AnyIoctlDef, request: number, argAddr: bigint, input: { bytes: Uint8Array; fields: IoctlFields },
  out: IoctlFields, mem: ClientMemory,
): void {
  const s: StructDesc = def.struct;
  const plain: Record<string, unknown> = {};
  for (const name of def.outFields) {
    const f = s.fields[name]!;
    const v = out[name];
    const ptr = u64At(input.bytes, s.offsets[name]!);
    if (f.kind === "string") {
      const room = f.len === null ? 0 : countOf(input.fields, f.len);
      const text = Buffer.from(String(v ?? ""), "utf8");
      if (ptr !== 0n && room > 0) mem.writeMem(ptr, text.subarray(0, Math.min(room, text.length)));
    } else if (f.kind === "ids") {
      const ids = Array.isArray(v) ? (v as readonly number[]) : [];
      const n = Math.min(countOf(input.fields, f.count), ids.length, IDS_MAX);
      if (ptr !== 0n && n > 0) {
        const b = Buffer.alloc(n * 4);
        for (let i = 0; i < n; i++) b.writeUInt32LE(ids[i]! >>> 0, i * 4);
        mem.writeMem(ptr, b);
      }
    } else if (f.kind === "userArray") {
      const values = Array.isArray(v) ? (v as readonly unknown[]) : [];
      const n = Math.min(entriesOf(f, input.fields), values.length);
      if (ptr !== 0n && n > 0) mem.writeMem(ptr, encodeUserArray(f, values.slice(0, n)));
    } else if (v !== undefined) plain[name] = v;
  }
  const size = iocSize(request);
  if (!iocCopiesOut(request) || size === 0) return;
  mem.writeMem(argAddr, structToBytes(s, plain, size, input.bytes));
}
