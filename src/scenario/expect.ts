/**
 * Whether a step's outcome meets its expectation, and how outcomes print.
 */
import { secondsFromTicks, type SleepState } from "../kernel/mod.js";
import type { Outcome } from "./op.js";
import type { Expectation } from "./scenario.js";
import { formatValue, StepError, valuesEqual, type NamedResults } from "./values.js";

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
    case "blocked":
      return `still blocked${o.call === null ? "" : ` in ${o.call}`} since ${seconds(o.sinceTick)} (${asleep(o.state)} on ${o.wait})`;
  }
}

export function formatExpectation(e: Expectation): string {
  switch (e.kind) {
    case "ok":
      return "ok";
    case "errno":
      return e.errno;
    case "signal":
      return e.signal;
    case "fields":
      return Object.entries(e.fields).map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
    case "blocked":
      return "blocked";
  }
}

function got(o: Outcome): string {
  return o.status === "ok" ? "success" : formatOutcome(o);
}

export function checkExpectation(e: Expectation | undefined, o: Outcome, names: NamedResults): Verdict {
  if (o.status === "error") return { met: false, why: o.message };
  if (e === undefined) return { met: null };
  switch (e.kind) {
    case "ok":
      return o.status === "ok" ? { met: true } : { met: false, why: `expected success, got ${got(o)}` };
    case "errno":
      return o.status === "errno" && o.errno === e.errno ? { met: true } : { met: false, why: `expected ${e.errno}, got ${got(o)}` };
    case "signal":
      return o.status === "signal" && o.signal === e.signal ? { met: true } : { met: false, why: `expected ${e.signal}, got ${got(o)}` };
    case "blocked":
      if (o.status === "blocked") return { met: true };
      return { met: false, why: `expected the call still blocked at the end, got ${got(o)}` };
    case "fields": {
      if (o.status !== "ok") return { met: false, why: `expected success, got ${got(o)}` };
      for (const [k, raw] of Object.entries(e.fields)) {
        if (!Object.hasOwn(o.fields, k)) return { met: false, why: `no result field "${k}" (the result has ${Object.keys(o.fields).join(", ") || "none"})` };
        let want;
        try {
          want = names.resolve(raw);
        } catch (err) {
          if (err instanceof StepError) return { met: false, why: err.message };
          throw err;
        }
        if (!valuesEqual(o.fields[k]!, want)) return { met: false, why: `expected ${k}=${formatValue(want)}, got ${formatValue(o.fields[k]!)}` };
      }
      return { met: true };
    }
  }
}
