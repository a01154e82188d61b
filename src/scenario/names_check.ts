/**
 * Names across steps: every `$name` refers to a step named with `as`, every `wait` has a
 * `signal`. Each unknown name is reported once per value that uses it, however many times
 * the value repeats it, and the work is linear in the size of the file.
 */
import { ERRORS_SHOWN_MAX } from "./limits.js";
import type { DataPath } from "./locate.js";
import type { Step } from "./scenario.js";
import { didYouMean } from "./suggest.js";
import { shortText } from "./user_text.js";
import { refsInString } from "./values.js";
import type { PathIssue } from "./zod_issues.js";

/** A valid step with what was written for it and where. */
export interface CheckedStep {
  readonly step: Step;
  readonly raw: unknown;
  readonly path: DataPath;
  readonly label: string;
}

/** Names longer than this get no "did you mean" (the edit distance costs their length). */
const SUGGEST_CHARS_MAX = 64;

export function checkNames(
  steps: readonly CheckedStep[],
  counters: ReadonlySet<string>,
): PathIssue[] {
  const issues: PathIssue[] = [];
  const named = new Set(steps.flatMap(({ step }) => (step.as === undefined ? [] : [step.as])));
  const signals = new Set(
    steps.flatMap(({ step }) =>
      step.op.name === "signal" ? [(step.args as { signal: string }).signal] : step.op.signals?.(step.args) ?? [],
    ),
  );
  // A suggestion costs a pass over every name: make them for as many names as errors are shown.
  const hints = new Map<string, string>();
  const hint = (name: string): string => {
    let h = hints.get(name);
    if (h === undefined) {
      const suggest = name.length <= SUGGEST_CHARS_MAX && hints.size < ERRORS_SHOWN_MAX;
      h = counters.has(name)
        ? ` ("${name}" counts a repeat, and is known only inside its steps)`
        : suggest
          ? didYouMean(name, named)
          : "";
      hints.set(name, h);
    }
    return h;
  };
  for (const { step, raw, path, label } of steps) {
    const where = { label, depth: path.length };
    if (step.as !== undefined && counters.has(step.as)) {
      issues.push({
        path: [...path, "as"],
        atKey: false,
        message: `"${step.as}" also counts a repeat; give the step another name`,
        step: where,
      });
    }
    for (const [at, v] of stringsIn(raw)) {
      for (const [name, text] of refsInString(v)) {
        if (!named.has(name))
          issues.push({
            path: [...path, ...at],
            atKey: false,
            message: `${shortText(text)}: no step is named "${shortText(name)}"${hint(name)}`,
            step: where,
          });
      }
    }
    if (step.op.name === "wait") {
      const name = (step.args as { wait: string }).wait;
      if (!signals.has(name))
        issues.push({
          path: [...path, "wait"],
          atKey: false,
          message: `no program signals "${shortText(name)}"${didYouMean(name, signals)}`,
          step: where,
        });
    }
  }
  return issues;
}

/** The strings of a value that may hold a reference (a `$`), with their paths; `note` aside. */
function stringsIn(v: unknown): [PropertyKey[], string][] {
  const out: [PropertyKey[], string][] = [];
  const at: PropertyKey[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === "string") {
      if (x.includes("$")) out.push([[...at], x]);
    } else if (Array.isArray(x)) {
      for (const [i, y] of x.entries()) (at.push(i), walk(y), at.pop());
    } else if (x !== null && typeof x === "object") {
      for (const [k, y] of Object.entries(x))
        if (at.length > 0 || k !== "note") (at.push(k), walk(y), at.pop());
    }
  };
  walk(v);
  return out;
}
