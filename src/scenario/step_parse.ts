/**
 * One step as written to a Step: its operation (exactly one op key), the op's own schema,
 * the keys every step may have (`as`, `expect`, `note`), and its expectation.
 */
import { ERRNO_NAMES, isErrnoName } from "../uapi/mod.js";
import type { DataPath } from "./locate.js";
import { OPS } from "./ops.js";
import type { WrittenStep } from "./program_steps.js";
import type { Expectation, Step } from "./scenario.js";
import { NAME_PATTERN } from "./schema.js";
import { closest, didYouMean } from "./suggest.js";
import { shortText } from "./user_text.js";
import type { Value } from "./values.js";
import { pathIssues, type PathIssue } from "./zod_issues.js";

/** Keys every step may have besides its op. */
const COMMON_KEYS: readonly string[] = ["as", "expect", "note"];
const SIGNALS = ["SIGBUS", "SIGSEGV", "SIGKILL", "SIGTERM"] as const;
const ONE_OF = "one-of";
const KNOWN_OUTCOMES = ["ok", "blocked", ...ERRNO_NAMES, ...SIGNALS];
const EXPECT_FORMS =
  "ok, blocked, an errno name (ENODEV, ...), SIGBUS, SIGKILL, SIGTERM, a mapping of result fields or {one-of: [...]}";

export interface StepSource {
  /** Issues are added here. */
  readonly issues: PathIssue[];
  /** The line of a path in the file. */
  line(path: DataPath): number;
  /** How a number or true/false at a path was written (see SourceMap.written). */
  written(path: DataPath): string | undefined;
}

/** `label` names the step in messages ("program app, step 3"). Null when it is invalid. */
export function parseStep(
  w: WrittenStep,
  index: number,
  label: string,
  src: StepSource,
): Step | null {
  const step = { label, depth: w.path.length };
  const issue = (path: DataPath, message: string, atKey = false): void =>
    void src.issues.push({ path, atKey, message, step });
  const path = w.path;
  const raw = w.raw;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    issue(path, "a step is a mapping such as {open: /dev/dri/card0, as: fd}");
    return null;
  }
  const keys = Object.keys(raw);
  const opKeys = keys.filter((k) => OPS.has(k));
  if (opKeys.length !== 1) {
    if (opKeys.length > 1) issue(path, `a step does one thing; it names ${opKeys.join(" and ")}`);
    else {
      const known = [...OPS.keys(), "repeat"];
      const guess = keys
        .filter((k) => !COMMON_KEYS.includes(k))
        .map((k) => [k, closest(k, known)] as const)
        .find(([, c]) => c !== undefined);
      if (guess)
        issue(
          [...path, guess[0]],
          `unknown step "${shortText(guess[0])}" (did you mean "${guess[1]}"?)`,
          true,
        );
      else issue(path, `step has no operation; expected one of ${known.join(", ")}`);
    }
    return null;
  }
  const op = OPS.get(opKeys[0]!)!;
  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !COMMON_KEYS.includes(k)));
  const r = op.schema.safeParse(own);
  if (!r.success)
    src.issues.push(...pathIssues(r.error.issues, op.schema, path).map((i) => ({ ...i, step })));
  const common = raw as { as?: unknown; expect?: unknown; note?: unknown };
  if (common.as !== undefined && (typeof common.as !== "string" || !NAME_PATTERN.test(common.as)))
    issue([...path, "as"], "a name is letters, digits, '_' and '-', starting with a letter");
  if (common.note !== undefined && typeof common.note !== "string")
    issue([...path, "note"], "expected text");
  const expect =
    common.expect === undefined
      ? undefined
      : parseExpect(common.expect, [...path, "expect"], src, issue);
  if (r.success && expect != null && op.checkExpected !== undefined)
    for (const [at, fields] of expectedFields(expect, [...path, "expect"]))
      for (const p of op.checkExpected(r.data, fields))
        src.issues.push({ path: [...at, ...p.path], atKey: p.atKey, message: p.message, step });
  if (!r.success || expect === null) return null;
  return {
    index,
    op,
    args: r.data,
    line: src.line(path),
    ...(typeof common.as === "string" ? { as: common.as } : {}),
    ...(expect !== undefined ? { expect } : {}),
    ...(typeof common.note === "string" ? { note: common.note } : {}),
    ...(w.copies.length > 0 ? { copies: w.copies } : {}),
  };
}

/** The mappings of result fields an expectation names, with where each was written. */
function expectedFields(e: Expectation, path: DataPath): [DataPath, Readonly<Record<string, Value>>][] {
  if (e.kind === "fields") return [[path, e.fields]];
  if (e.kind === "one-of") return e.options.flatMap((o, i) => expectedFields(o, [...path, ONE_OF, i]));
  return [];
}

type Report = (path: DataPath, message: string) => void;

function parseExpect(
  raw: unknown,
  path: DataPath,
  src: StepSource,
  issue: Report,
): Expectation | null {
  if (typeof raw === "string") {
    if (raw === "ok") return { kind: "ok" };
    if (raw === "blocked") return { kind: "blocked" };
    if (isErrnoName(raw)) return { kind: "errno", errno: raw };
    if ((SIGNALS as readonly string[]).includes(raw))
      return { kind: "signal", signal: raw as (typeof SIGNALS)[number] };
    issue(
      path,
      `unknown "${shortText(raw)}"${didYouMean(raw, KNOWN_OUTCOMES)}; expected ${EXPECT_FORMS}`,
    );
    return null;
  }
  if (raw === null || typeof raw !== "object") {
    issue(path, `expected ${EXPECT_FORMS}`);
    return null;
  }
  if (Object.hasOwn(raw, ONE_OF))
    return parseOneOf(raw as Record<string, unknown>, path, src, issue);
  if (Array.isArray(raw)) {
    issue(path, `expected ${EXPECT_FORMS}; for several allowed outcomes write {one-of: [...]}`);
    return null;
  }
  const fields: Record<string, Value> = {};
  const written: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!isValue(v)) {
      issue([...path, k], "expected a number, text, true/false, null or a list of them");
      return null;
    }
    fields[k] = v;
    const w =
      typeof v === "number" || typeof v === "bigint" || typeof v === "boolean"
        ? src.written([...path, k])
        : undefined;
    if (w !== undefined && w !== String(v)) written[k] = w;
  }
  return { kind: "fields", fields, ...(Object.keys(written).length > 0 ? { written } : {}) };
}

function parseOneOf(
  raw: Record<string, unknown>,
  path: DataPath,
  src: StepSource,
  issue: Report,
): Expectation | null {
  const options = raw[ONE_OF];
  if (Object.keys(raw).length > 1) {
    issue(path, `${ONE_OF} stands alone: expect: {${ONE_OF}: [ok, ENODEV]}`);
    return null;
  }
  if (!Array.isArray(options) || options.length === 0) {
    issue([...path, ONE_OF], `expected a list of the allowed outcomes, e.g. [ok, ENODEV]`);
    return null;
  }
  const parsed = options.map((o, i) => parseExpect(o, [...path, ONE_OF, i], src, issue));
  return parsed.every((e): e is Expectation => e !== null)
    ? { kind: "one-of", options: parsed }
    : null;
}

function isValue(v: unknown): v is Value {
  if (v === null || typeof v === "number" || typeof v === "bigint") return true;
  if (typeof v === "string" || typeof v === "boolean") return true;
  return Array.isArray(v) && v.every(isValue);
}
