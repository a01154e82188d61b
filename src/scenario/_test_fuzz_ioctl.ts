/**
 * @internal Ioctl steps for the fuzz tests, built from the uapi table (src/uapi): every ioctl
 * the model knows, by name, by number, or one letter off, with `args` taken from its struct:
 * inputs, outputs (not inputs), a field one letter off, nested struct fields; and values at and
 * past the bounds of each field's C type (a __u32's 2^32, a __u64's 2^64 - 1 and 2^64, -1,
 * 2^53 + 1), of another type (text, a list, a mapping, a fraction) or a `$name`. An `expect:`
 * mapping names outputs, inputs or unknown fields. A new ioctl or struct field is fuzzed without
 * touching this file. 64-bit values are bigints: YAML writes them as they are; JSON through
 * `jsonWithBigints`.
 */
import fc from "fast-check";
import { intRange, KNOWN_IOCTLS, type AnyIoctlDef, type FieldDesc } from "../uapi/mod.js";
import { nearMiss } from "./_test_fuzz_snippet.js";

type Json = unknown;

const NAMES = KNOWN_IOCTLS.map((d) => d.name);

/** The ioctl as a step writes it: a name, a number, or a mistake. */
function requestOf(def: AnyIoctlDef): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(def.name) },
    { weight: 1, arbitrary: fc.constantFrom(def.cmd, def.nr, def.name.toLowerCase(),
      def.name.replace("DRM_IOCTL_", "")) },
    { weight: 1, arbitrary: fc.oneof(nearMiss(NAMES), fc.constantFrom(-1, 2 ** 32, 0, 1.5,
      0xffffffff, "", null)) },
  );
}

const REF = fc.constantFrom("$bo.handle", "$bo.size", "$bo", "$card", "$map.offset",
  "$nothing", "$bo.nothing", "${bo.handle}", "$$1");

/** Integers at and past the bounds of an integer field, and near its usual values. */
function intValues(f: FieldDesc & { kind: "int" }): fc.Arbitrary<Json> {
  const [lo, hi] = intRange(f);
  const small = (n: bigint): Json => (n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n);
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4096 }) },
    { weight: 4, arbitrary: fc.constantFrom(lo, hi, lo - 1n, hi + 1n, 2n ** 64n - 1n, 2n ** 64n,
      2n ** 53n + 1n, -(2n ** 63n), 2n ** 32n, 0n).map(small) },
    { weight: 1, arbitrary: fc.bigInt({ min: lo, max: hi }).map(small) },
  );
}

const OTHER_TYPE: fc.Arbitrary<Json> = fc.constantFrom(
  "12", "0x10", "", "card0", 1.5, -0.5, 1e300, true, null, [], [1, 2], {}, { a: 1 },
  "\u0000\u001b[31m",
);

/** A value for field `f`: mostly one of its type, at and past its bounds. */
function valueOf(f: FieldDesc | undefined): fc.Arbitrary<Json> {
  const bad = fc.oneof(OTHER_TYPE, REF);
  if (f === undefined) return fc.oneof(fc.integer({ min: 0, max: 64 }), bad);
  switch (f.kind) {
    case "int": return fc.oneof({ weight: 4, arbitrary: intValues(f) }, bad);
    case "chars": return fc.oneof(fc.string({ maxLength: f.bytes + 2 }),
      fc.constantFrom("x".repeat(f.bytes - 1), "é".repeat(f.bytes)), bad);
    case "string": return fc.oneof(fc.string({ maxLength: 8 }), bad);
    case "ids": return fc.oneof(fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 4 }),
      fc.constant([2 ** 32]), bad);
    case "array": return fc.oneof(fc.array(intValues(f.elem), { maxLength: f.length + 1 }), bad);
    case "userArray": return "kind" in f.elem
      ? fc.oneof(fc.array(intValues(f.elem), { maxLength: 4 }), bad)
      : fc.oneof(fc.array(fieldsOf(f.elem.fields), { maxLength: 2 }), bad);
    case "struct": return fc.oneof({ weight: 3, arbitrary: fieldsOf(f.struct.fields) }, bad);
  }
}

/** A mapping of some of `fields` (and a name one letter off) to values for them. */
function fieldsOf(fields: Readonly<Record<string, FieldDesc>>,
  prefer: readonly string[] = Object.keys(fields)): fc.Arbitrary<Record<string, Json>> {
  const names = Object.keys(fields);
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(prefer.length > 0 ? prefer : ["pad"])) },
    { weight: 2, arbitrary: fc.constantFrom(...(names.length > 0 ? names : ["pad"])) },
    { weight: 1, arbitrary: nearMiss(names.length > 0 ? names : ["handle"]) },
  );
  return fc.uniqueArray(key, { maxLength: 4 })
    .chain((ks) => fc.tuple(...ks.map((k) => valueOf(fields[k])))
      .map((vs) => Object.fromEntries(ks.map((k, i) => [k, vs[i]]))));
}

/** An ioctl step: `{ioctl, fd, args?, as?, expect?}`. */
export const IOCTL_STEP: fc.Arbitrary<Record<string, Json>> = fc
  .constantFrom(...KNOWN_IOCTLS)
  .chain((def) => fc.record({
    ioctl: requestOf(def),
    fd: fc.oneof({ weight: 8, arbitrary: fc.constant("$card") },
      fc.constantFrom(0, 3, -1, 2 ** 31, "$bo.handle", "$nothing", "card")),
    args: fc.oneof({ weight: 8, arbitrary: fieldsOf(def.struct.fields, def.inFields) },
      OTHER_TYPE),
    as: fc.constantFrom("bo", "x", "card"),
    expect: fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom("ok", "ENODEV", "EINVAL", "EFAULT", "ENOENT") },
      { weight: 2, arbitrary: fieldsOf(def.struct.fields, def.outFields) },
    ),
  }, { requiredKeys: ["ioctl", "fd"] }));

/** JSON text of `v`, 64-bit integers (bigints) written as plain numbers. */
export function jsonWithBigints(v: Json, space?: number): string {
  const marked = JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "bigint" ? `\u0000big${x}` : x, space) ?? "null";
  return marked.replace(/"\\u0000big(-?\d+)"/g, "$1");
}
