/**
 * @internal The words of the scenario format, for the fuzz tests' generators: every key the
 * schemas name (the document, the world, the checks, every op of the registry) and the keys and
 * values the built-in scenarios use. They are read from the code and from scenarios/, so a new
 * op, a new key or a new built-in scenario is fuzzed without touching the generators.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { DRM_IOCTL_NAMES, ERRNO_NAMES } from "../uapi/mod.js";
import { OPS } from "./ops.js";
import { scenarioDocument } from "./schema.js";

export const SCENARIO_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

export interface BuiltinScenario {
  /** The file name, e.g. egpu-pull.yaml. */
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

export const BUILTIN_SCENARIOS: readonly BuiltinScenario[] = readdirSync(SCENARIO_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((name) => {
    const path = join(SCENARIO_DIR, name);
    return { name, path, text: readFileSync(path, "utf8") };
  });

export type Scalar = string | number | boolean | null;

type ZodLike = { readonly _zod: { readonly def: Readonly<Record<string, unknown>> } };

function isZod(v: unknown): v is ZodLike {
  return typeof v === "object" && v !== null && "_zod" in v;
}

/** Every key of an object schema inside `root`, at any depth (unions, pipes, arrays, ...). */
function schemaKeys(root: unknown): string[] {
  const keys = new Set<string>();
  const seen = new Set<unknown>();
  const todo: unknown[] = [root];
  for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
    if (!isZod(s) || seen.has(s)) continue;
    seen.add(s);
    const def = s._zod.def;
    if (def["type"] === "object") {
      const shape = def["shape"] as Record<string, unknown>;
      for (const [k, v] of Object.entries(shape)) {
        keys.add(k);
        todo.push(v);
      }
    }
    for (const v of Object.values(def)) {
      if (isZod(v)) todo.push(v);
      else if (Array.isArray(v)) todo.push(...(v as unknown[]));
    }
  }
  return [...keys];
}

/** Keys and scalar values (by the key they stand under) of the built-in scenarios. */
function harvest(): { keys: Set<string>; values: Map<string, Set<Scalar>> } {
  const keys = new Set<string>();
  const values = new Map<string, Set<Scalar>>();
  const add = (key: string, v: Scalar): void => {
    const set = values.get(key) ?? new Set<Scalar>();
    values.set(key, set.add(v));
  };
  const walk = (v: unknown, key: string): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        keys.add(k);
        walk(x, k);
      }
    } else add(key, v as Scalar);
  };
  for (const s of BUILTIN_SCENARIOS) walk(parse(s.text) as unknown, "");
  return { keys, values };
}

const HARVEST = harvest();

/** The step kinds of the op registry (src/scenario/ops.ts). */
export const OP_NAMES: readonly string[] = [...OPS.keys()];

/** The keys each op's schema names (its own key first). */
export const OP_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  [...OPS.values()].map((op) => [op.name, schemaKeys(op.schema)]),
);

/** Keys every step may have besides its op, and the keys of `repeat` and `expect`. */
const STEP_KEYS = ["as", "expect", "note", "repeat", "steps", "one-of"];

/** Every key the format knows, from the schemas and the built-in scenarios. */
export const KEYS: readonly string[] = [
  ...new Set([
    ...schemaKeys(scenarioDocument),
    ...OP_NAMES,
    ...[...OP_FIELDS.values()].flat(),
    ...STEP_KEYS,
    ...HARVEST.keys,
  ]),
].sort();

/** The values the built-in scenarios give each key. */
export function valuesOf(key: string): readonly Scalar[] {
  return [...(HARVEST.values.get(key) ?? [])];
}

/** Every scalar of the built-in scenarios, every errno name and every ioctl name. */
export const SCALARS: readonly Scalar[] = [
  ...new Set<Scalar>([
    ...[...HARVEST.values.values()].flatMap((s) => [...s]),
    ...ERRNO_NAMES,
    ...DRM_IOCTL_NAMES,
  ]),
];
