/**
 * C structs of the ioctl uapi, described once: each field's name and C type as the uapi header
 * declares it, from which the layout on x86-64 (offsets, size, alignment) and the value a field
 * holds in the model follow. The ioctl numbers (ioctl.ts), the scenario loader (field names,
 * value ranges) and the kernel handlers (a typed argument, no field read by hand) all read
 * these descriptions.
 *
 * Values: a field of 32 bits or less is a `number`; a 64-bit field is a `bigint`, so that every
 * value a __u64 can hold stays exact. A user pointer the kernel writes a string or an id list
 * through (`char __user *name`, `__u64 crtc_id_ptr`) holds what the kernel wrote there: the model
 * gives every such pointer a buffer large enough.
 *
 * @see include/uapi/drm/drm.h, include/uapi/drm/drm_mode.h; the x86-64 psABI for the layout
 */

/** An integer field: its C type as written, its width, and whether it is signed. */
export interface IntField {
  readonly kind: "int";
  readonly ctype: string;
  readonly bytes: 1 | 2 | 4 | 8;
  readonly signed: boolean;
}

/**
 * A user pointer to a string: `char __user *` the kernel copies a string to, `len` naming its
 * length field; or `const char __user *` (`len` null) the kernel reads a NUL-terminated
 * string from, at most `maxBytes` bytes with the NUL (strndup_user()).
 */
export interface StringField {
  readonly kind: "string";
  readonly ctype: "char __user *" | "const char __user *";
  readonly bytes: 8;
  readonly len: string | null;
  readonly maxBytes?: number;
}

/** A `__u64` user pointer to an array of `__u32` object ids; `count` names its count field. */
export interface IdsField {
  readonly kind: "ids";
  readonly ctype: "__u64";
  readonly bytes: 8;
  readonly count: string;
}

/**
 * A `__u64` user pointer to an array: of `__u64` values (`elem` __u64) or of structs
 * (`elem` a struct); `count` names the field that counts its entries (for an input array whose
 * length other fields give, the first of them).
 */
export interface UserArrayField {
  readonly kind: "userArray";
  readonly ctype: "__u64";
  readonly bytes: 8;
  readonly count: string;
  readonly elem: IntField | StructDesc;
}

/** A fixed array of integers in the struct (`__u32 handles[4]`). */
export interface IntArrayField {
  readonly kind: "array";
  readonly ctype: string;
  readonly elem: IntField;
  readonly length: number;
  readonly bytes: number;
}

/** A fixed `char name[N]` array holding a NUL-terminated string. */
export interface CharsField {
  readonly kind: "chars";
  readonly ctype: "char";
  readonly bytes: number;
}

/** A struct embedded by value. */
export interface NestedField {
  readonly kind: "struct";
  readonly ctype: string;
  readonly struct: StructDesc;
  readonly bytes: number;
}

export type FieldDesc =
  | IntField
  | StringField
  | IdsField
  | UserArrayField
  | IntArrayField
  | CharsField
  | NestedField;
export type FieldDescs = Readonly<Record<string, FieldDesc>>;

/** A struct: its C name, its fields in declaration order, and its layout on x86-64. */
export interface StructDesc<F extends FieldDescs = FieldDescs> {
  readonly name: string;
  readonly fields: F;
  /** Byte offset of each field, in declaration order. */
  readonly offsets: Readonly<Record<keyof F & string, number>>;
  readonly sizeBytes: number;
  readonly alignBytes: number;
}

/** The model's value of a field (see the file comment). */
export type FieldValue<T extends FieldDesc> = T extends IntField
  ? T["bytes"] extends 8
    ? bigint
    : number
  : T extends StringField | CharsField
    ? string
    : T extends IdsField
      ? readonly number[]
      : T extends IntArrayField
        ? T["elem"]["bytes"] extends 8
          ? readonly bigint[]
          : readonly number[]
        : T extends UserArrayField
          ? T["elem"] extends IntField
            ? readonly bigint[]
            : readonly StructValue[]
          : T extends NestedField
            ? StructValue
            : never;

/** A struct's value: its fields by name. */
export type StructValue = { readonly [k: string]: AnyFieldValue };

/** Any field value, as untyped code (the scenario loader, the trace) sees it. */
export type AnyFieldValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly bigint[]
  | readonly { readonly [k: string]: AnyFieldValue }[]
  | { readonly [k: string]: AnyFieldValue };

function int<const C extends string, const B extends 1 | 2 | 4 | 8, const S extends boolean>(
  ctype: C,
  bytes: B,
  signed: S,
) {
  return { kind: "int", ctype, bytes, signed } as const;
}

/** The integer types of the uapi headers (x86-64: int is 32 bits, long and size_t 64). */
export const __u8 = int("__u8", 1, false);
export const __u16 = int("__u16", 2, false);
export const __u32 = int("__u32", 4, false);
export const __s32 = int("__s32", 4, true);
export const __u64 = int("__u64", 8, false);
export const __s64 = int("__s64", 8, true);
export const c_int = int("int", 4, true);
export const c_uint = int("unsigned int", 4, false);
export const c_ulong = int("unsigned long", 8, false);
export const __kernel_size_t = int("__kernel_size_t", 8, false);

/** `char __user *field` whose length is in the field `len`. */
export function userString(len: string): StringField {
  return { kind: "string", ctype: "char __user *", bytes: 8, len };
}

/** `const char __user *field`: the kernel reads a string of at most `maxBytes` (NUL included). */
export function userStringIn(maxBytes: number): StringField {
  return { kind: "string", ctype: "const char __user *", bytes: 8, len: null, maxBytes };
}

/** `__u64 field` pointing at `count` __u32 ids. */
export function userIds(count: string): IdsField {
  return { kind: "ids", ctype: "__u64", bytes: 8, count };
}

/** `__u64 field` pointing at `count` __u64 values. */
export function userU64s(count: string): UserArrayField & { readonly elem: typeof __u64 } {
  return { kind: "userArray", ctype: "__u64", bytes: 8, count, elem: __u64 };
}

/** `__u64 field` pointing at `count` structs `s`. */
export function userStructs(
  count: string,
  s: StructDesc,
): UserArrayField & { readonly elem: StructDesc } {
  return { kind: "userArray", ctype: "__u64", bytes: 8, count, elem: s };
}

/** `elem field[length]`. */
export function intArray<const E extends IntField>(
  elem: E,
  length: number,
): IntArrayField & { readonly elem: E } {
  return { kind: "array", ctype: elem.ctype, elem, length, bytes: elem.bytes * length };
}

/** `char field[length]`. */
export function chars(length: number): CharsField {
  return { kind: "chars", ctype: "char", bytes: length };
}

/** `struct name field` embedded by value. */
export function nested(s: StructDesc): NestedField {
  return { kind: "struct", ctype: `struct ${s.name}`, struct: s, bytes: s.sizeBytes };
}

function alignOf(f: FieldDesc): number {
  switch (f.kind) {
    case "int":
    case "string":
    case "ids":
    case "userArray":
      return f.bytes;
    case "array":
      return f.elem.bytes;
    case "chars":
      return 1;
    case "struct":
      return f.struct.alignBytes;
  }
}

/**
 * Describes `struct name` with `fields` in declaration order, and lays it out as the x86-64
 * ABI does: each field at the next multiple of its alignment, the size rounded up to the
 * largest alignment.
 */
export function cstruct<const F extends FieldDescs>(name: string, fields: F): StructDesc<F> {
  let offset = 0;
  let alignBytes = 1;
  const offsets: Record<string, number> = {};
  for (const [field, f] of Object.entries(fields)) {
    const align = alignOf(f);
    alignBytes = Math.max(alignBytes, align);
    offset = Math.ceil(offset / align) * align;
    offsets[field] = offset;
    offset += f.bytes;
  }
  const sizeBytes =
    Object.keys(fields).length === 0 ? 0 : Math.ceil(offset / alignBytes) * alignBytes;
  return { name, fields, offsets: offsets as StructDesc<F>["offsets"], sizeBytes, alignBytes };
}

/** The smallest and largest value of an integer field. */
export function intRange(f: IntField): readonly [bigint, bigint] {
  const bits = BigInt(f.bytes * 8);
  return f.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

/** "__u32, 0..4294967295": how a field's type and range read in an error message. */
export function describeIntRange(f: IntField): string {
  const [lo, hi] = intRange(f);
  return `${f.ctype}, ${lo}..${hi}`;
}

/**
 * Why `v` cannot be the value of field `f`, or null if it can. Integers may come as a number
 * (an exact, safe integer) or a bigint; a 64-bit field's value is then made a bigint by
 * fieldValue().
 */
export function fieldValueProblem(f: FieldDesc, v: unknown): string | null {
  switch (f.kind) {
    case "int": {
      if (typeof v === "number" && !Number.isSafeInteger(v)) {
        return Number.isInteger(v)
          ? `${v} is not exact as a number (write it as a string of digits)`
          : `expected an integer (${f.ctype}), got ${v}`;
      }
      if (typeof v !== "number" && typeof v !== "bigint") return `expected an integer (${f.ctype})`;
      const [lo, hi] = intRange(f);
      const n = BigInt(v);
      return n < lo || n > hi ? `${String(v)} is out of range (${describeIntRange(f)})` : null;
    }
    case "string":
    case "chars":
      if (typeof v !== "string") return "expected text";
      return f.kind === "chars" && new TextEncoder().encode(v).length >= f.bytes
        ? `text longer than ${f.bytes - 1} bytes (char[${f.bytes}])`
        : null;
    case "ids":
      return Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)
        ? null
        : "expected a list of object ids (__u32)";
    case "array":
      if (!Array.isArray(v) || v.length > f.length)
        return `expected a list of at most ${f.length} integers (${f.ctype}[${f.length}])`;
      return intsProblem(f.elem, v);
    case "userArray":
      if (!Array.isArray(v)) return `expected a list (${elemName(f)} entries)`;
      return "kind" in f.elem
        ? intsProblem(f.elem, v)
        : v.every(isMapping)
          ? null
          : `expected a list of mappings of the fields of struct ${f.elem.name}`;
    case "struct":
      return isMapping(v) ? null : `expected a mapping of the fields of ${f.ctype}`;
  }
}

function isMapping(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function elemName(f: UserArrayField): string {
  return "kind" in f.elem ? f.elem.ctype : `struct ${f.elem.name}`;
}

/** The first problem of the entries of a list of integers of type `elem`, or null. */
function intsProblem(elem: IntField, v: readonly unknown[]): string | null {
  for (const [i, x] of v.entries()) {
    const p = fieldValueProblem(elem, x);
    if (p !== null) return `entry ${i}: ${p}`;
  }
  return null;
}

/** `v` as the model holds a value of `f` (a 64-bit integer as a bigint); `v` must be valid. */
export function fieldValue(f: FieldDesc, v: AnyFieldValue): AnyFieldValue {
  if (f.kind === "int" && f.bytes === 8 && typeof v === "number") return BigInt(v);
  if (f.kind === "int" && f.bytes < 8 && typeof v === "bigint") return Number(v);
  const elem = f.kind === "array" ? f.elem : f.kind === "userArray" ? f.elem : null;
  if (elem !== null && "kind" in elem && Array.isArray(v)) {
    const list = v as readonly (number | bigint)[];
    const converted = list.map((x) => fieldValue(elem, x) as number | bigint);
    // A fixed array holds all its entries: the ones not given are zero, as in a zeroed struct.
    const zero = elem.bytes === 8 ? 0n : 0;
    if (f.kind === "array") while (converted.length < f.length) converted.push(zero);
    const same = converted.length === list.length && converted.every((x, i) => x === list[i]);
    return same ? v : (converted as AnyFieldValue);
  }
  return v;
}

const SMALL_BIGINTS_MAX = 1024;
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: SMALL_BIGINTS_MAX }, (_, i) =>
  BigInt(i),
);

/**
 * `n` (a non-negative safe integer) as a bigint. Values below 1024 come from a table made
 * once: a 64-bit result field the trace keeps then costs no allocation per call.
 */
export function u64Of(n: number): bigint {
  return n < SMALL_BIGINTS_MAX ? SMALL_BIGINTS[n]! : BigInt(n);
}

/** The zero value of a field, as a zero-filled struct holds it. */
export function zeroValue(f: FieldDesc): AnyFieldValue {
  switch (f.kind) {
    case "int":
      return f.bytes === 8 ? 0n : 0;
    case "string":
    case "chars":
      return "";
    case "ids":
    case "userArray":
      return [];
    case "array":
      return Array.from({ length: f.length }, () => zeroValue(f.elem)) as AnyFieldValue;
    case "struct":
      return Object.fromEntries(Object.entries(f.struct.fields).map(([k, x]) => [k, zeroValue(x)]));
  }
}
