/**
 * Whether a step's outcome meets its expectation, and how outcomes print.
 */
import { secondsFromTicks, type SleepState } from "../kernel/mod.js";
import type { Outcome } from "./op.js";
import type { Expectation } from "./scenario.js";
import { formatValue, StepError, type NamedResults, type Value } from "./values.js";

export interface Verdict {
  /** null: the step had no expectation (and ran). */
  readonly met: boolean | null;
  readonly why?: string;
}

/** A time in ticks as the timeline prints it, in seconds. */
function seconds(tick: number): string {
  return secondsFromTicks(tick).toFixed(6);
}

/** How a task sleeps, in words: "asleep interruptibly". */
export function asleep(state: SleepState): string {
  return state === "interruptible" ? "asleep interruptibly" : "asleep uninterruptibly";
}

export function formatOutcome(o: Outcome): string {
  switch (o.status) {
    case "ok": {
      const fields = Object.entries(o.fields).map(([k, v]) => `${k}=${formatValue(v)}`);
      return fields.length === 0 ? "ok" : fields.join(" ");
    }
    case "errno":
      return `-1 ${o.errno}`;
    case "signal":
      return o.signal;
    case "error":
      return `error: ${o.message}`;
    case "blocked": {
      const call = o.call === null ? "" : ` in ${o.call}`;
      return `still blocked${call} since ${seconds(o.sinceTick)} (${asleep(o.state)} on ${o.wait})`;
    }
  }
}

/** A value an expectation names: resolved, with its reference kept (`4096 ($bo.size)`). */
function shown(raw: Value, names: NamedResults | undefined): string {
  if (names === undefined || typeof raw !== "string") return formatValue(raw);
  const resolved = names.substitute(raw) as Value;
  return resolved === raw || raw.startsWith("$$")
    ? formatValue(resolved)
    : `${formatValue(resolved)} (${raw})`;
}

/** The expectation as written; with `names`, its references resolved as they are now. */
export function formatExpectation(e: Expectation, names?: NamedResults): string {
  switch (e.kind) {
    case "ok":
      return "ok";
    case "errno":
      return e.errno;
    case "signal":
      return e.signal;
    case "fields":
      return Object.entries(e.fields)
        .map(([k, v]) => `${k}=${shown(v, names)}`)
        .join(" ");
    case "one-of":
      return `one of: ${e.options.map((o) => formatExpectation(o, names)).join(" | ")}`;
    case "blocked":
      return "blocked";
  }
}

function fieldNames(fields: Readonly<Record<string, unknown>>): string {
  return Object.keys(fields).join(", ") || "none";
}

function got(o: Outcome): string {
  return o.status === "ok" ? "success" : formatOutcome(o);
}

/**
 * Whether a result field has the expected value. A number or true/false compared with a
 * text field (sysfs text, uevent keys) matches the text it prints as, or the text it was
 * written as in the file: `text: 1` matches "1", `text: 0x10` matches "0x10" and "16".
 */
export function sameValue(actual: Value, want: Value, written?: string): boolean {
  if (Array.isArray(actual) || Array.isArray(want)) {
    if (!Array.isArray(actual) || !Array.isArray(want) || actual.length !== want.length)
      return false;
    return actual.every((x, i) => sameValue(x, want[i]!));
  }
  if (actual === want) return true;
  // A 64-bit field is a bigint; it equals the number of the same value.
  if (typeof actual === "bigint" && typeof want === "number")
    return Number.isInteger(want) && actual === BigInt(want);
  if (typeof actual === "number" && typeof want === "bigint")
    return Number.isInteger(actual) && BigInt(actual) === want;
  if (typeof actual === "string" && (typeof want === "number" || typeof want === "boolean"))
    return actual === String(want) || actual === written;
  if (typeof want === "string" && (typeof actual === "number" || typeof actual === "boolean"))
    return want === String(actual);
  return false;
}

function checkFields(
  e: Extract<Expectation, { kind: "fields" }>,
  o: Outcome,
  names: NamedResults,
): Verdict {
  if (o.status !== "ok") return { met: false, why: `expected success, got ${got(o)}` };
  for (const [k, raw] of Object.entries(e.fields)) {
    if (!Object.hasOwn(o.fields, k))
      return {
        met: false,
        why: `no result field "${k}" (the result has ${fieldNames(o.fields)})`,
      };
    let want;
    try {
      want = names.resolve(raw);
    } catch (err) {
      if (err instanceof StepError) return { met: false, why: err.message };
      throw err;
    }
    if (!sameValue(o.fields[k]!, want, e.written?.[k]))
      return {
        met: false,
        why: `expected ${k}=${formatValue(want)}, got ${formatValue(o.fields[k]!)}`,
      };
  }
  return { met: true };
}

/**
 * Whether the outcome meets the expectation. A step without one has no verdict (met: null),
 * whatever its outcome, an error included: it is shown and does not fail the run.
 */
export function checkExpectation(
  e: Expectation | undefined,
  o: Outcome,
  names: NamedResults,
): Verdict {
  if (e === undefined) return { met: null };
  if (o.status === "error") return { met: false, why: o.message };
  switch (e.kind) {
    case "ok":
      return o.status === "ok"
        ? { met: true }
        : { met: false, why: `expected success, got ${got(o)}` };
    case "errno":
      return o.status === "errno" && o.errno === e.errno
        ? { met: true }
        : { met: false, why: `expected ${e.errno}, got ${got(o)}` };
    case "signal":
      return o.status === "signal" && o.signal === e.signal
        ? { met: true }
        : { met: false, why: `expected ${e.signal}, got ${got(o)}` };
    case "fields":
      return checkFields(e, o, names);
    case "blocked":
      if (o.status === "blocked") return { met: true };
      return { met: false, why: `expected the call still blocked at the end, got ${got(o)}` };
    case "one-of": {
      const verdicts = e.options.map((x) => checkExpectation(x, o, names));
      if (verdicts.some((v) => v.met === true)) return { met: true };
      const whys = verdicts.map((v) => v.why).join("; ");
      return {
        met: false,
        why: `expected ${formatExpectation(e, names)}; got ${formatOutcome(o)} (${whys})`,
      };
    }
  }
}
