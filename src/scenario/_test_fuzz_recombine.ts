/**
 * @internal Scenario documents recombined from the built-in ones, for the fuzz tests: a
 * built-in scenario whose steps are dropped, copied, swapped or brought in from another file,
 * whose step fields take values that the same key has elsewhere, with programs added or
 * removed and another world or other checks. Most stay valid, so the runner and the model meet
 * call sequences no built-in scenario makes (a close twice, a pull before an open, an unbind
 * in the middle of a mapping) and ioctls with typed arguments at and past their bounds; the
 * rest are rejected like any other file.
 */
import fc from "fast-check";
import { stringify, parse } from "yaml";
import { KERNEL_VERSIONS, PROFILE_NAMES } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { IOCTL_STEP, jsonWithBigints } from "./_test_fuzz_ioctl.js";
import { BUILTIN_SCENARIOS } from "./_test_fuzz_vocab.js";

type Json = unknown;
type Doc = Record<string, Json>;
type Programs = Record<string, Json>;

const isRecord = (v: unknown): v is Record<string, Json> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const PARSED: readonly { readonly name: string; readonly doc: Doc }[] = BUILTIN_SCENARIOS.map(
  (s) => ({ name: s.name, doc: parse(s.text) as Doc }));

const programsOf = (d: Doc): Programs => (isRecord(d["programs"]) ? d["programs"] : {}) as Programs;

/** The steps of a program: its list, or the list of its mapping form {steps, may-end-blocked}. */
function stepsOf(program: Json): Json[] | undefined {
  if (Array.isArray(program)) return program;
  return isRecord(program) && Array.isArray(program["steps"]) ? program["steps"] : undefined;
}

const PROGRAMS: readonly Json[] = PARSED.flatMap((p) => Object.values(programsOf(p.doc)));
const STEPS: readonly Json[] = PROGRAMS.flatMap((p) => stepsOf(p) ?? []);
const CHECKS: readonly Json[] = PARSED.map((p) => p.doc["checks"]).filter((c) => c !== undefined);

/** Every value each key has in the built-in scenarios, at any depth (objects too). */
const VALUES_BY_KEY: ReadonlyMap<string, readonly Json[]> = (() => {
  const m = new Map<string, Json[]>();
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) {
        m.set(k, [...(m.get(k) ?? []), x]);
        walk(x);
      }
    }
  };
  PARSED.forEach((p) => walk(p.doc));
  return m;
})();

const BDFS = ["0000:01:00.0", "0000:02:00.0", "0000:01:00.1", "0000:00:05.0", "0000:00:01.0",
  "0000:1f:00.0", "0000:03:00.7"];

const WORLD_VALUES: Readonly<Record<string, readonly Json[]>> = {
  seed: [0, 1, 2, 3, 7, 99, 4294967295],
  profile: PROFILE_NAMES,
  kernel: KERNEL_VERSIONS,
  slots: [[], [2], [2, 3], [1], [31]],
  devices: [
    ...(VALUES_BY_KEY.get("devices") ?? []).filter(Array.isArray),
    ...BDFS.flatMap((bdf) => [...DRIVERS.keys()].map((driver) => [{ bdf, driver }])),
    [{ bdf: "0000:01:00.0", driver: "vdisp" }, { bdf: "0000:02:00.0", driver: "bochs-drm" }],
  ],
};

export type Change =
  | { readonly kind: "drop-step" | "dup-step" | "drop-field"; readonly prog: number;
      readonly step: number; readonly key: number }
  | { readonly kind: "swap-steps"; readonly prog: number; readonly step: number;
      readonly other: number }
  | { readonly kind: "foreign-step" | "foreign-program"; readonly prog: number;
      readonly step: number; readonly pick: number }
  | { readonly kind: "set-field"; readonly prog: number; readonly step: number;
      readonly key: number; readonly pick: number }
  /** Inserts an ioctl step with typed args, good or bad (src/scenario/_test_fuzz_ioctl.ts). */
  | { readonly kind: "ioctl-step"; readonly prog: number; readonly step: number;
      readonly ioctl: Readonly<Record<string, Json>> }
  | { readonly kind: "drop-program"; readonly prog: number }
  /** Writes the program as {steps, may-end-blocked: pick is odd}, or back as a list. */
  | { readonly kind: "may-end-blocked"; readonly prog: number; readonly pick: number }
  | { readonly kind: "world"; readonly key: number; readonly pick: number }
  | { readonly kind: "checks"; readonly pick: number };

function at<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length];
}

function changeStep(steps: Json[], c: Change & { step: number }): void {
  const i = steps.length === 0 ? 0 : c.step % steps.length;
  const step = steps[i];
  switch (c.kind) {
    case "drop-step": steps.splice(i, 1); break;
    case "dup-step": if (step !== undefined) steps.splice(i, 0, structuredClone(step)); break;
    case "swap-steps": {
      const j = steps.length === 0 ? 0 : c.other % steps.length;
      [steps[i], steps[j]] = [steps[j], steps[i]];
      break;
    }
    case "foreign-step": steps.splice(i, 0, structuredClone(at(STEPS, c.pick))); break;
    case "ioctl-step": steps.splice(i, 0, structuredClone(c.ioctl)); break;
    case "drop-field": {
      const key = isRecord(step) ? at(Object.keys(step), c.key) : undefined;
      if (key !== undefined) delete (step as Doc)[key];
      break;
    }
    case "set-field": {
      const key = isRecord(step) ? at(Object.keys(step), c.key) : undefined;
      if (key === undefined) return;
      (step as Doc)[key] = structuredClone(at(VALUES_BY_KEY.get(key) ?? [], c.pick));
      break;
    }
  }
}

function apply(doc: Doc, c: Change): void {
  const programs = programsOf(doc);
  const names = Object.keys(programs);
  if (c.kind === "world") {
    const world = (isRecord(doc["world"]) ? doc["world"] : (doc["world"] = {})) as Doc;
    const key = at(Object.keys(WORLD_VALUES), c.key)!;
    world[key] = structuredClone(at(WORLD_VALUES[key]!, c.pick));
  } else if (c.kind === "checks") {
    const checks = at(CHECKS, c.pick);
    if (c.pick % 4 === 0) delete doc["checks"];
    else doc["checks"] = structuredClone(checks);
  } else if (c.kind === "drop-program") {
    const name = at(names, c.prog);
    if (name !== undefined && names.length > 1) delete programs[name];
  } else if (c.kind === "foreign-program") {
    programs[`p${c.step % 4}`] = structuredClone(at(PROGRAMS, c.pick) ?? []);
  } else if (c.kind === "may-end-blocked") {
    const name = at(names, c.prog);
    const steps = stepsOf(programs[name ?? ""]);
    if (name === undefined || steps === undefined) return;
    programs[name] = c.pick % 3 === 0 ? steps : { "may-end-blocked": c.pick % 2 === 1, steps };
  } else {
    const steps = stepsOf(programs[at(names, c.prog) ?? ""]);
    if (steps !== undefined) changeStep(steps, c);
  }
}

const N = fc.nat({ max: 10_000 });

const CHANGE: fc.Arbitrary<Change> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom("drop-step" as const,
    "dup-step" as const, "drop-field" as const), prog: N, step: N, key: N }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("swap-steps" as const), prog: N,
    step: N, other: N }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("foreign-step" as const,
    "foreign-program" as const), prog: N, step: N, pick: N }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("set-field" as const), prog: N,
    step: N, key: N, pick: N }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("ioctl-step" as const), prog: N,
    step: N, ioctl: IOCTL_STEP }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop-program" as const), prog: N }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("may-end-blocked" as const), prog: N,
    pick: N }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("world" as const), key: N, pick: N }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("checks" as const), pick: N }) },
);

/** A recombined document; prints as its base file and its changes (the text may be long). */
export class RecombinedDocument {
  constructor(readonly base: string, readonly changes: readonly Change[],
    readonly text: string) {}

  [fc.toStringMethod](): string {
    return `${this.base} with changes ${jsonWithBigints(this.changes)}`;
  }
}

export const recombinedDocument: fc.Arbitrary<RecombinedDocument> = fc
  .tuple(fc.constantFrom(...PARSED), fc.array(CHANGE, { minLength: 1, maxLength: 5 }),
    fc.boolean())
  .map(([base, changes, json]) => {
    const doc = structuredClone(base.doc);
    for (const c of changes) apply(doc, c);
    const text = json ? jsonWithBigints(doc) : stringify(doc, { lineWidth: 0 });
    return new RecombinedDocument(base.name, changes, text);
  });
