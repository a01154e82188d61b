/**
 * Loads a scenario file (YAML; JSON is YAML too): parses it, validates the document and every
 * step, checks that names used are defined, and reports every error with file, line and
 * column. Nothing runs unless the whole file is valid.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, type Document } from "yaml";
import { ERRNO_NAMES, isErrnoName } from "../uapi/mod.js";
import { positionOf, type DataPath, type Located } from "./locate.js";
import { OPS } from "./ops.js";
import type { Checks, Expectation, ProgramSpec, Scenario, Step } from "./scenario.js";
import { NAME_PATTERN, scenarioDocument, type ScenarioDocument } from "./schema.js";
import { closest, didYouMean } from "./suggest.js";
import { refsInString, type Value } from "./values.js";
import { pathIssues, type PathIssue } from "./zod_issues.js";

export type LoadResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: readonly Located[] };

/** Keys every step may have besides its op. */
const COMMON_KEYS = ["as", "expect", "note"] as const;
const SIGNALS = ["SIGBUS", "SIGSEGV"] as const;

export function loadScenarioFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { ok: false, errors: [{ file, line: 0, col: 0, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }] };
  }
  return parseScenario(text, file);
}

export function parseScenario(text: string, file: string): LoadResult {
  const lc = new LineCounter();
  // Integers come as bigints, so that a 64-bit value is exact; those a number holds exactly
  // become numbers again (see exactIntegers()).
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, intAsBigInt: true });
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => ({ file, ...lc.linePos(e.pos[0]), message: e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "") })) };
  }
  const at = (issues: readonly PathIssue[]): Located[] =>
    issues.map((i) => ({ file, ...positionOf(doc, lc, i.path, i.atKey), message: i.path.length > 0 && !i.atKey ? `${describePath(i.path)}: ${i.message}` : i.message }));
  const data: unknown = exactIntegers(doc.toJS());
  if (data === null || typeof data !== "object" || Array.isArray(data)) return { ok: false, errors: [{ file, line: 1, col: 1, message: "a scenario is a mapping with programs (and optionally name, description, world, checks)" }] };
  const parsed = scenarioDocument.safeParse(data);
  const issues: PathIssue[] = parsed.success ? [] : pathIssues(parsed.error.issues, scenarioDocument);
  const rawPrograms = (data as { programs?: unknown }).programs;
  const programs: ProgramSpec[] = [];
  const written: WrittenStep[] = [];
  if (rawPrograms !== null && typeof rawPrograms === "object" && !Array.isArray(rawPrograms)) {
    for (const [name, steps] of Object.entries(rawPrograms)) {
      if (!Array.isArray(steps)) continue; // reported by the document schema
      const parsedSteps: Step[] = [];
      for (const [i, [raw, path]] of flattenSteps(steps, ["programs", name]).entries()) {
        const step = parseStep(raw, path, i + 1, issues, doc, lc);
        if (step === null) continue;
        parsedSteps.push(step);
        written.push({ step, raw, path });
      }
      programs.push({ name, steps: parsedSteps });
    }
    if (Object.keys(rawPrograms).length === 0) issues.push({ path: ["programs"], atKey: false, message: "a scenario needs at least one program" });
  }
  issues.push(...checkNames(written));
  if (!parsed.success || issues.length > 0) return { ok: false, errors: dedupe(at(issues)) };
  return { ok: true, scenario: buildScenario(parsed.data, programs, file) };
}

/**
 * The parsed data with every integer a number holds exactly made a number; larger ones (a
 * __u64 value in an ioctl's args) stay bigints, exact, and the schemas that take only numbers
 * refuse them with their location.
 */
function exactIntegers(v: unknown): unknown {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(exactIntegers);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exactIntegers(x)]));
  return v;
}

/**
 * A step may be a list of steps (usually a YAML alias of a list under `snippets`); it runs
 * them in order, as if written in place.
 */
function flattenSteps(steps: readonly unknown[], path: DataPath): [unknown, DataPath][] {
  return steps.flatMap((s, i): [unknown, DataPath][] => (Array.isArray(s) ? flattenSteps(s, [...path, i]) : [[s, [...path, i]]]));
}

function describePath(path: DataPath): string {
  const [head, name, index, ...rest] = path;
  if (head === "programs" && typeof index === "number") return [`program ${String(name)}, step ${index + 1}`, ...rest.map((r) => (typeof r === "number" ? `[${r + 1}]` : String(r)))].join(" ");
  return path.map((p) => (typeof p === "number" ? `[${p + 1}]` : String(p))).join(".").replace(/\.\[/g, "[");
}

function parseStep(raw: unknown, path: DataPath, index: number, issues: PathIssue[], doc: Document, lc: LineCounter): Step | null {
  const line = positionOf(doc, lc, path).line;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    issues.push({ path, atKey: false, message: "a step is a mapping such as {open: /dev/dri/card0, as: fd}" });
    return null;
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const opKeys = entries.map(([k]) => k).filter((k) => OPS.has(k));
  if (opKeys.length !== 1) {
    if (opKeys.length > 1) issues.push({ path, atKey: false, message: `a step does one thing; it names ${opKeys.join(" and ")}` });
    else {
      const unknown = entries.map(([k]) => k).filter((k) => !(COMMON_KEYS as readonly string[]).includes(k));
      const guess = unknown.map((k) => [k, closest(k, OPS.keys())] as const).find(([, c]) => c !== undefined);
      if (guess) issues.push({ path: [...path, guess[0]], atKey: true, message: `unknown step "${guess[0]}" (did you mean "${guess[1]}"?)` });
      else issues.push({ path, atKey: false, message: `step has no operation; expected one of ${[...OPS.keys()].join(", ")}` });
    }
    return null;
  }
  const op = OPS.get(opKeys[0]!)!;
  const own = Object.fromEntries(entries.filter(([k]) => !(COMMON_KEYS as readonly string[]).includes(k)));
  const r = op.schema.safeParse(own);
  if (!r.success) issues.push(...pathIssues(r.error.issues, op.schema, path));
  const common = raw as { as?: unknown; expect?: unknown; note?: unknown };
  if (common.as !== undefined && (typeof common.as !== "string" || !NAME_PATTERN.test(common.as))) issues.push({ path: [...path, "as"], atKey: false, message: "a name is letters, digits, '_' and '-', starting with a letter" });
  if (common.note !== undefined && typeof common.note !== "string") issues.push({ path: [...path, "note"], atKey: false, message: "expected text" });
  const expect = common.expect === undefined ? undefined : parseExpect(common.expect, [...path, "expect"], issues);
  if (r.success && expect?.kind === "fields" && op.checkExpected !== undefined) {
    for (const p of op.checkExpected(r.data, expect.fields)) issues.push({ path: [...path, "expect", ...p.path], atKey: p.atKey, message: p.message });
  }
  if (!r.success || expect === null) return null;
  return {
    index,
    op,
    args: r.data,
    line,
    ...(typeof common.as === "string" ? { as: common.as } : {}),
    ...(expect !== undefined ? { expect } : {}),
    ...(typeof common.note === "string" ? { note: common.note } : {}),
  };
}

function parseExpect(raw: unknown, path: DataPath, issues: PathIssue[]): Expectation | null {
  if (typeof raw === "string") {
    if (raw === "ok") return { kind: "ok" };
    if (isErrnoName(raw)) return { kind: "errno", errno: raw };
    if ((SIGNALS as readonly string[]).includes(raw)) return { kind: "signal", signal: raw as (typeof SIGNALS)[number] };
    issues.push({ path, atKey: false, message: `unknown "${raw}"${didYouMean(raw, ["ok", ...ERRNO_NAMES, ...SIGNALS])}; expected ok, an errno name (ENODEV, ...), SIGBUS or a mapping of result fields` });
    return null;
  }
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    const fields: Record<string, Value> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (!isValue(v)) {
        issues.push({ path: [...path, k], atKey: false, message: `expected a number, text, true/false, null or a list of them` });
        return null;
      }
      fields[k] = v;
    }
    return { kind: "fields", fields };
  }
  issues.push({ path, atKey: false, message: "expected ok, an errno name (ENODEV, ...), SIGBUS or a mapping of result fields" });
  return null;
}

function isValue(v: unknown): v is Value {
  if (v === null || typeof v === "number" || typeof v === "bigint" || typeof v === "string" || typeof v === "boolean") return true;
  return Array.isArray(v) && v.every(isValue);
}

/** A valid step with what was written for it and where, for the checks across steps. */
interface WrittenStep {
  readonly step: Step;
  readonly raw: unknown;
  readonly path: DataPath;
}

/** Every `$name` refers to a step named with `as`, and every `wait` has a `signal`. */
function checkNames(steps: readonly WrittenStep[]): PathIssue[] {
  const issues: PathIssue[] = [];
  const named = new Set(steps.flatMap(({ step }) => (step.as === undefined ? [] : [step.as])));
  const signals = new Set(steps.flatMap(({ step }) => (step.op.name === "signal" ? [(step.args as { signal: string }).signal] : [])));
  for (const { step, raw, path } of steps) {
    for (const [where, v] of refsIn(raw)) {
      for (const name of refsInString(v)) {
        if (!named.has(name)) issues.push({ path: [...path, ...where], atKey: false, message: `${v}: no step is named "${name}"${didYouMean(name, named)}` });
      }
    }
    if (step.op.name === "wait") {
      const name = (step.args as { wait: string }).wait;
      if (!signals.has(name)) issues.push({ path: [...path, "wait"], atKey: false, message: `no program signals "${name}"${didYouMean(name, signals)}` });
    }
  }
  return issues;
}

function refsIn(v: unknown, where: PropertyKey[] = []): [PropertyKey[], string][] {
  if (typeof v === "string") return [[where, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => refsIn(x, [...where, i]));
  if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => refsIn(x, [...where, k]));
  return [];
}

function dedupe(errors: Located[]): Located[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(`${e.line}:${e.col}:${e.message}`) && seen.add(`${e.line}:${e.col}:${e.message}`)).sort((a, b) => a.line - b.line || a.col - b.col);
}

function buildScenario(d: ScenarioDocument, programs: ProgramSpec[], file: string): Scenario {
  const w = d.world ?? {};
  const c = d.checks ?? {};
  const checks: Checks = {
    clean: c.clean ?? true,
    findings: c.findings ?? [],
    uevents: c.uevents ?? [],
    devices: (c.devices ?? []).map((x) => ({ bdf: x.bdf, ...(x.present !== undefined ? { present: x.present } : {}), ...(x.driver !== undefined ? { driver: x.driver } : {}), ...(x.nodes !== undefined ? { nodes: x.nodes } : {}) })),
  };
  return {
    file,
    name: d.name ?? file.replace(/^.*\//, "").replace(/\.(ya?ml|json)$/, ""),
    ...(d.description !== undefined ? { description: d.description } : {}),
    world: {
      ...(w.seed !== undefined ? { seed: w.seed } : {}),
      ...(w.profile !== undefined ? { profile: w.profile } : {}),
      ...(w.kernel !== undefined ? { kernel: w.kernel } : {}),
      devices: (w.devices ?? [{ bdf: "0000:01:00.0", driver: "vdisp" }]).map((x) => ({ bdf: x.bdf, driver: x.driver, ...(x.vram !== undefined ? { vramBytes: x.vram } : {}) })),
      slots: w.slots ?? [],
    },
    programs,
    checks,
  };
}
