/**
 * What steps return and how later steps refer to it. A step named with `as: bo` keeps its
 * result's fields; `$bo.handle` reads one field, `$bo` reads the step's main field (the fd of
 * an open, the address of an mmap). A literal string that starts with `$` is written `$$...`.
 * A 64-bit value (an ioctl's __u64 field) is a bigint, exact: it equals the number of the same
 * value, and reads as a number where a step needs one if it fits one exactly.
 */
import { jsonText } from "../kernel/mod.js";

export type Value = number | bigint | string | boolean | null | readonly Value[];
export type Fields = Readonly<Record<string, Value>>;

export const REF_PATTERN = /^\$([A-Za-z_][\w-]*)(?:\.([A-Za-z_]\w*))?$/;
/** `${name}` or `${name.field}` inside a longer string. */
export const INTERPOLATION = /\$\{([A-Za-z_][\w-]*)(?:\.([A-Za-z_]\w*))?\}/g;

/**
 * The names a string refers to (the whole string `$name`, or each `${name}` inside it), each
 * once, with the reference as first written (`$bo.handle`, `${card.node}`).
 */
export function refsInString(v: string): Map<string, string> {
  const refs = new Map<string, string>();
  if (v.startsWith("$$")) return refs;
  const m = REF_PATTERN.exec(v);
  if (m !== null) return refs.set(m[1]!, v);
  for (const x of v.matchAll(INTERPOLATION)) if (!refs.has(x[1]!)) refs.set(x[1]!, x[0]);
  return refs;
}

/**
 * `$name` and `${name}` of the given counters (of `repeat` steps) replaced by their values,
 * deeply; other references are kept for the run. Done when the file is loaded.
 */
export function substituteCounters(v: unknown, counters: ReadonlyMap<string, Value>): unknown {
  if (typeof v === "string") {
    if (v.startsWith("$$")) return v;
    const m = REF_PATTERN.exec(v);
    if (m !== null) return m[2] === undefined && counters.has(m[1]!) ? counters.get(m[1]!)! : v;
    return v.replace(INTERPOLATION, (text, name: string, field: string | undefined) => {
      const value = field === undefined ? counters.get(name) : undefined;
      return value === undefined ? text : formatPlain(value);
    });
  }
  if (Array.isArray(v)) return v.map((x) => substituteCounters(x, counters));
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v).map(([k, x]) => [k, substituteCounters(x, counters)]);
    return Object.fromEntries(entries);
  }
  return v;
}

/** A step that cannot run as written: an unknown name, a value of the wrong type. */
export class StepError extends Error {}

interface Named {
  readonly fields: Fields;
  readonly main: string | undefined;
}

/** The named results of one scenario run (shared by its programs). */
export class NamedResults {
  private readonly names = new Map<string, Named>();

  set(name: string, fields: Fields, main: string | undefined): void {
    this.names.set(name, { fields, main });
  }

  /**
   * Replaces `$name[.field]` (a whole string, keeping the value's type) and `${name[.field]}`
   * (inside a string) in a value, deeply; throws StepError when a name is unknown.
   */
  resolve(v: unknown): Value {
    if (typeof v === "string") {
      if (v.startsWith("$$")) return v.slice(1);
      const m = REF_PATTERN.exec(v);
      if (m === null) return v.replace(INTERPOLATION, (text, name: string, field: string | undefined) => formatPlain(this.lookup(text, name, field)));
      return this.lookup(v, m[1]!, m[2]);
    }
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" || v === null) return v;
    throw new TypeError(`Cannot use ${typeof v} as a scenario value`);
  }

  private lookup(text: string, name: string, fieldName: string | undefined): Value {
    const named = this.names.get(name);
    if (named === undefined) throw new StepError(`${text}: no earlier step is named "${name}" (or it failed)`);
    const field = fieldName ?? named.main;
    const has = Object.keys(named.fields).join(", ") || "none";
    if (field === undefined) throw new StepError(`${text}: the step "${name}" has several fields (${has}); write $${name}.<field>`);
    if (!Object.hasOwn(named.fields, field)) throw new StepError(`${text}: "${name}" has no field "${field}" (it has ${has})`);
    return named.fields[field]!;
  }

  /** For display: the value with every reference that resolves replaced, the others kept as written. */
  substitute(v: unknown): unknown {
    if (typeof v === "string") {
      try {
        return this.resolve(v);
      } catch (e) {
        if (e instanceof StepError) return v;
        throw e;
      }
    }
    if (Array.isArray(v)) return v.map((x) => this.substitute(x));
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.substitute(x)]));
    return v;
  }

  resolveNumber(v: unknown, what: string): number {
    const r = this.resolve(v);
    if (typeof r === "bigint") {
      if (r < BigInt(Number.MIN_SAFE_INTEGER) || r > BigInt(Number.MAX_SAFE_INTEGER)) throw new StepError(`${what} must fit a number exactly, got ${r}`);
      return Number(r);
    }
    if (typeof r !== "number") throw new StepError(`${what} must be a number, got ${jsonText(r)}`);
    return r;
  }

  resolveString(v: unknown, what: string): string {
    const r = this.resolve(v);
    if (typeof r !== "string") throw new StepError(`${what} must be a string, got ${jsonText(r)}`);
    return r;
  }
}

function formatPlain(v: Value): string {
  return Array.isArray(v) ? v.map(formatPlain).join(",") : String(v);
}

export function formatValue(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (typeof v === "string") return /^[\w./:@=+-]*$/.test(v) && v !== "" ? v : JSON.stringify(v);
  return String(v);
}
