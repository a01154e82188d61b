/**
 * A model file: a YAML file that names an explicit-state model of the explorer instead of
 * describing a machine (a scenario). `vdrm explore` tells one from a scenario by its top-level
 * `model` key. Its `define` mapping sets the model's parameters, which `-D NAME[=VALUE]` on
 * the command line overrides, as `spin -D` does for a Promela model:
 *
 *     model: unplug-twin
 *     define: { N_USERS: 3, K_IOCTLS: 2 }
 *
 * Every problem is reported with the file and, where there is one, the line.
 */
import { LineCounter, parseDocument } from "yaml";
import { formatBytes, readTextBounded, type Located } from "../scenario/mod.js";
import type { TransitionModel } from "./model.js";
import { unplugTwin, type UnplugTwinOptions } from "./twin_unplug.js";

export interface ModelFile {
  readonly file: string;
  readonly name: string;
  readonly model: TransitionModel;
  /** The parameters in force, defaults included. */
  readonly defines: Readonly<Record<string, number | boolean>>;
}

export type ModelLoad =
  | { readonly ok: true; readonly model: ModelFile }
  | { readonly ok: false; readonly errors: readonly Located[] };

/** The parameters of the unplug twin: unplug.pml's macros, with their bounds. */
const UNPLUG_DEFINES = {
  N_USERS: { min: 1, max: 12, default: 2 },
  K_IOCTLS: { min: 0, max: 255, default: 2 },
  BUG_DEVM: "switch", BUG_NO_ENTER: "switch", BUG_WAIT_USERS: "switch", NEVER_CLOSE: "switch",
} as const;

/** A model file is a few lines; anything larger is not one. */
const FILE_BYTES_MAX = 64 * 1024;

export const MODELS = ["unplug-twin"] as const;

/** Whether `text` is a model file (a mapping with a top-level `model` key). */
export function isModelText(text: string): boolean {
  const doc = parseDocument(text);
  const data: unknown = doc.errors.length > 0 ? null : doc.toJS();
  return data !== null && typeof data === "object" && !Array.isArray(data) && "model" in data;
}

/** Reads `file`; null when it cannot be read (the scenario loader will say why). */
export function readModelText(file: string): string | null {
  try {
    return readTextBounded(file, FILE_BYTES_MAX);
  } catch {
    return null;
  }
}

/** Parses a `-D` argument: NAME (a switch on) or NAME=VALUE. */
export function parseDefine(arg: string): [string, string | true] {
  const eq = arg.indexOf("=");
  return eq < 0 ? [arg, true] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function defineValue(name: string, raw: unknown): number | boolean | string {
  const spec = UNPLUG_DEFINES[name as keyof typeof UNPLUG_DEFINES];
  if (spec === undefined) {
    return `unknown parameter "${name}"; the unplug twin takes ${Object.keys(UNPLUG_DEFINES).join(", ")}`;
  }
  if (spec === "switch") {
    if (raw === true || raw === "1" || raw === 1) return true;
    if (raw === false || raw === "0" || raw === 0) return false;
    return `${name} is a switch: true or false (1 or 0), got ${JSON.stringify(raw)}`;
  }
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isInteger(n) || n < spec.min || n > spec.max) {
    return `${name} must be an integer from ${spec.min} to ${spec.max}, got ${JSON.stringify(raw)}`;
  }
  return n;
}

/** Loads a model file, `defines` (from -D) overriding its own. */
export function loadModelFile(file: string, defines: readonly string[] = []): ModelLoad {
  const fail = (message: string, line = 0, col = 0): ModelLoad => ({ ok: false, errors: [{ file, line, col, message }] });
  const text = readModelText(file);
  if (text === null) return fail(`cannot read, or larger than ${formatBytes(FILE_BYTES_MAX)}`);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = lc.linePos(e.pos[0]);
    return fail(e.message.split("\n")[0]!, at.line, at.col);
  }
  const data = doc.toJS() as Record<string, unknown>;
  const where = (key: string): { line: number; col: number } => {
    const node = doc.get(key, true) as { range?: [number, number, number] } | undefined;
    return node?.range === undefined ? { line: 0, col: 0 } : lc.linePos(node.range[0]);
  };
  for (const key of Object.keys(data)) {
    if (!["model", "description", "define"].includes(key)) {
      const at = where(key);
      return fail(`unknown key "${key}"; a model file has model, description and define`, at.line, at.col);
    }
  }
  if (!(MODELS as readonly unknown[]).includes(data["model"])) {
    const at = where("model");
    return fail(`unknown model ${JSON.stringify(data["model"])}; the models are ${MODELS.join(", ")}`, at.line, at.col);
  }
  const given = data["define"] ?? {};
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    const at = where("define");
    return fail("define must be a mapping of parameter names to values", at.line, at.col);
  }
  const values: Record<string, number | boolean> = {};
  for (const [k, spec] of Object.entries(UNPLUG_DEFINES)) values[k] = spec === "switch" ? false : spec.default;
  const sources: [string, unknown, string][] = [
    ...Object.entries(given).map(([k, v]): [string, unknown, string] => [k, v, "define"]),
    ...defines.map((d): [string, unknown, string] => [...parseDefine(d), "-D"]),
  ];
  for (const [k, raw, from] of sources) {
    const v = defineValue(k, raw);
    if (typeof v === "string") {
      const at = from === "define" ? where("define") : { line: 0, col: 0 };
      return fail(`${from === "-D" ? "-D: " : ""}${v}`, at.line, at.col);
    }
    values[k] = v;
  }
  const bugs = ["BUG_DEVM", "BUG_NO_ENTER", "BUG_WAIT_USERS"].filter((b) => values[b] === true);
  if (bugs.length > 1) return fail(`at most one broken switch at a time, got ${bugs.join(" and ")}`);
  const o: UnplugTwinOptions = {
    users: values["N_USERS"] as number, ioctls: values["K_IOCTLS"] as number,
    bugDevm: values["BUG_DEVM"] === true, bugNoEnter: values["BUG_NO_ENTER"] === true,
    bugWaitUsers: values["BUG_WAIT_USERS"] === true, neverClose: values["NEVER_CLOSE"] === true,
  };
  return { ok: true, model: { file, name: "unplug-twin", model: unplugTwin(o), defines: values } };
}
