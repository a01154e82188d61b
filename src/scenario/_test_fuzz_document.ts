/**
 * @internal Random scenario documents built from the format's own words, for the fuzz tests:
 * some of the top-level keys, a world, programs whose steps name an op of the registry with
 * some of its keys and the keys every step may have (`repeat` steps too), ioctl steps with typed
 * arguments (src/scenario/_test_fuzz_ioctl.ts), and checks. Values
 * come from what the built-in scenarios give the same key, or are any scalar, reference or
 * nested value. Some steps are the same object as an earlier one, which YAML writes once with
 * an anchor and then as an alias. Written as block YAML, flow YAML or JSON.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { ERRNO_NAMES } from "../uapi/mod.js";
import { IOCTL_STEP, jsonWithBigints } from "./_test_fuzz_ioctl.js";
import { NEAR_MISS_KEY, rarely } from "./_test_fuzz_snippet.js";
import { KEYS, OP_FIELDS, OP_NAMES, SCALARS, valuesOf } from "./_test_fuzz_vocab.js";
import { FINDING_NAMES } from "./schema.js";

type Json = unknown;

const REFS = fc.constantFrom(
  "$card", "$bo.handle", "$bo.size", "$map.offset", "$fb", "$nothing", "$card.path", "${x}",
  "$$x", "$", "$i", "${i}",
);

const ANY_SCALAR: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.string({ maxLength: 10 }), fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom(-1, 0, 1, 2 ** 32, 2 ** 53, Number.MAX_VALUE, 1e-300),
);

const KEY = fc.oneof(fc.constantFrom(...KEYS), NEAR_MISS_KEY);

const NESTED: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...SCALARS),
    ANY_SCALAR,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(KEY, tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** A value for `key`: mostly one the built-in scenarios give it. */
function valueFor(key: string): fc.Arbitrary<Json> {
  const known = valuesOf(key);
  return fc.oneof(
    { weight: known.length > 0 ? 6 : 0,
      arbitrary: fc.constantFrom(...(known.length > 0 ? known : [null])) },
    { weight: 2, arbitrary: fc.constantFrom(...SCALARS) },
    { weight: 1, arbitrary: ANY_SCALAR },
    { weight: 1, arbitrary: REFS },
    { weight: 1, arbitrary: NESTED },
  );
}

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

const BDF = fc
  .tuple(fc.integer({ min: 0, max: 0x21 }), fc.integer({ min: 0, max: 0x21 }),
    fc.integer({ min: 0, max: 8 }))
  .map(([b, d, f]) => `0000:${hex2(b)}:${hex2(d)}.${f}`);

const EXPECT: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom("ok", "SIGBUS", "SIGSEGV", "okay", "enodev", ...ERRNO_NAMES),
  fc.dictionary(KEY, valueFor("expect"), { maxKeys: 3 }),
  fc.array(fc.constantFrom("ok", "ENODEV", "EBADF"), { maxLength: 3 })
    .map((options) => ({ "one-of": options })),
  NESTED,
);

const COMMON = fc.record(
  {
    as: fc.constantFrom("card", "bo", "map", "fb", "x", "i", "1bad", "a b", ""),
    expect: EXPECT,
    note: fc.oneof(fc.string({ maxLength: 20 }), NESTED),
  },
  { requiredKeys: [] },
);

const OP_STEP: fc.Arbitrary<Record<string, Json>> = fc
  .constantFrom(...OP_NAMES)
  .chain((op) => {
    const fields = (OP_FIELDS.get(op) ?? []).filter((k) => k !== op);
    const own = fc.record(Object.fromEntries(fields.map((k) => [k, valueFor(k)])),
      { requiredKeys: [] });
    const extra = rarely(fc.tuple(KEY, NESTED), 5);
    return fc.tuple(valueFor(op), own, COMMON, extra).map(([main, o, common, x]) => ({
      [op]: main, ...o, ...common, ...(x === null ? {} : { [x[0]]: x[1] }),
    }));
  });

const STEPS: fc.Arbitrary<Json[]> = fc.letrec((tie) => ({
  steps: fc.array(tie("step"), { maxLength: 6 }) as fc.Arbitrary<Json[]>,
  step: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 8, arbitrary: OP_STEP },
    { weight: 2, arbitrary: IOCTL_STEP },
    { weight: 1, arbitrary: fc.record({
      repeat: fc.oneof(fc.integer({ min: -2, max: 30 }), fc.array(fc.constantFrom(...SCALARS),
        { maxLength: 4 }), fc.constantFrom(20_000, "x", null)),
      as: fc.constantFrom("i", "n", "card", "$x"),
      steps: tie("steps"),
    }, { requiredKeys: ["repeat"] }) },
    { weight: 1, arbitrary: tie("steps") },
    { weight: 1, arbitrary: NESTED },
  ),
})).steps;

const WORLD = fc.record(
  {
    seed: valueFor("seed"),
    profile: fc.oneof(valueFor("profile"), fc.constantFrom("mainline", "uapi-doc", "Mainline")),
    kernel: fc.oneof(valueFor("kernel"), fc.constantFrom("6.8", "6.12", "7.1", 6.1, "6.99")),
    devices: fc.array(fc.record({ bdf: fc.oneof(BDF, valueFor("bdf")), driver: valueFor("driver"),
      vram: fc.oneof(valueFor("vram"), fc.constantFrom("16MiB", "2TiB", "0KiB", 0, -1, "1 GiB")) },
    { requiredKeys: [] }), { maxLength: 4 }),
    slots: fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

const UEVENT_KEYS = fc.constantFrom("ACTION", "SUBSYSTEM", "DEVNAME", "DEVPATH", "HOTPLUG",
  "SEQNUM", "lacks", "order", "action", "MAJOR");

const CHECKS = fc.record(
  {
    clean: fc.oneof(fc.boolean(), ANY_SCALAR),
    findings: fc.array(fc.oneof(fc.constantFrom(...FINDING_NAMES), KEY), { maxLength: 3 }),
    uevents: fc.array(fc.dictionary(UEVENT_KEYS, fc.oneof(valueFor("ACTION"),
      fc.array(UEVENT_KEYS, { maxLength: 3 }))), { maxLength: 3 }),
    devices: fc.array(fc.record({ bdf: BDF, present: fc.boolean(), driver: valueFor("driver"),
      nodes: fc.array(fc.constantFrom("card0", "renderD128", "card1", "cardX"),
        { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const PROGRAM_NAME = fc.constantFrom("app", "admin", "user", "a-b", "_x", "1x", "x y", "");

const DOCUMENT = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 12 }), ANY_SCALAR),
    description: fc.string({ maxLength: 40 }),
    snippets: NESTED,
    world: fc.oneof({ weight: 5, arbitrary: WORLD }, { weight: 1, arbitrary: NESTED }),
    programs: fc.dictionary(PROGRAM_NAME, fc.oneof(
      { weight: 4, arbitrary: STEPS },
      { weight: 1, arbitrary: fc.record(
        { steps: STEPS, "may-end-blocked": valueFor("may-end-blocked") },
        { requiredKeys: ["steps"] }) },
    ), { maxKeys: 3 }),
    checks: fc.oneof({ weight: 5, arbitrary: CHECKS }, { weight: 1, arbitrary: NESTED }),
  },
  { requiredKeys: ["programs"] },
);

function isRecordLike(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Makes step `to` of the first program the same object as step `from` (an alias in YAML). */
function share(doc: Record<string, Json>, links: readonly [number, number][]): void {
  // An extra key may have replaced `programs` by any value.
  const programs = doc["programs"];
  if (programs === null || typeof programs !== "object") return;
  const first: unknown = Object.values(programs)[0];
  const steps: unknown = isRecordLike(first) ? first["steps"] : first;
  if (!Array.isArray(steps) || steps.length < 2) return;
  for (const [from, to] of links) {
    const i = from % steps.length;
    const j = to % steps.length;
    if (i < j) steps[j] = steps[i];
  }
}

/** A generated document and how it was written; prints as its text. */
export class GeneratedDocument {
  constructor(readonly text: string) {}

  [fc.toStringMethod](): string {
    return JSON.stringify(this.text);
  }
}

function write(doc: Json, style: "block" | "flow" | "json"): string {
  if (style === "json") return jsonWithBigints(doc, 2);
  return stringify(doc, { collectionStyle: style === "flow" ? "flow" : "any",
    aliasDuplicateObjects: true, lineWidth: 0 });
}

/** A random scenario document, as text. */
export const generatedDocument: fc.Arbitrary<GeneratedDocument> = fc
  .tuple(DOCUMENT, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
    fc.constantFrom("block" as const, "flow" as const, "json" as const),
    rarely(fc.tuple(KEY, NESTED), 4))
  .map(([doc, links, style, extra]) => {
    // A copy: share() changes it, and fast-check may map the same value again when shrinking.
    const d = structuredClone({ ...doc, ...(extra === null ? {} : { [extra[0]]: extra[1] }) });
    share(d, links);
    return new GeneratedDocument(write(d, style));
  });
