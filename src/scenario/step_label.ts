/**
 * How a copied step is named in errors and in the timeline: the repetition it belongs to
 * (`round 7 of 20`) and the alias it came through (`*healthcheck at line 52`).
 */
import type { Step, StepCopy } from "./scenario.js";
import { formatValue } from "./values.js";

function repetition(c: Extract<StepCopy, { kind: "repeat" }>, short: boolean): string {
  const n = short ? `${c.n}/${c.of}` : `${c.n} of ${c.of}`;
  if (c.as === undefined) return `repetition ${n}`;
  // A count (1..N) reads as `round 7 of 20`; a value of a list as `repetition 2 of 3, node=render`.
  if (typeof c.value === "number" && c.value === c.n) return `${c.as} ${n}`;
  const value = `${c.as}=${formatValue(c.value)}`;
  return short ? `${value} ${n}` : `repetition ${n}, ${value}`;
}

export function copyLabel(c: StepCopy): string {
  return c.kind === "alias" ? `*${c.name} at line ${c.line}` : repetition(c, false);
}

/** Where a step is, then its copies: `line 14, round 7 of 20, *healthcheck at line 52`. */
export function stepWhere(step: Pick<Step, "line" | "copies">): string {
  return [`line ${step.line}`, ...(step.copies ?? []).map(copyLabel)].join(", ");
}

/** The repetitions of a step for the timeline, e.g. `[round 7/20] `; empty outside a repeat. */
export function repeatTag(copies: readonly StepCopy[] | undefined): string {
  const reps = (copies ?? []).flatMap((c) => (c.kind === "repeat" ? [repetition(c, true)] : []));
  return reps.length === 0 ? "" : `[${reps.join(", ")}] `;
}
