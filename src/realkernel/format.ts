/**
 * The comparison as text, in the manner of a unified diff: each step with a difference gets a
 * hunk (`@@ <step> @@`) with the difference and a few matching observations around it as
 * context (two spaces). A difference is a `!` line with its verdict, then `- real:` (what Linux
 * did) and `+ model:` (what the model did); a missing observation has only the first, an extra
 * one only the second. The last line is the summary.
 */
import type { Comparison, Verdict } from "./compare.js";
import { escapeControls } from "../scenario/mod.js";
import { summarize } from "./compare.js";

export interface FormatOptions {
  /** Matching observations shown on each side of a difference; Infinity shows every one. */
  readonly context?: number;
}

/** Matching rows shown before and after a difference unless told otherwise. */
const DEFAULT_CONTEXT = 2;

const WHAT: Readonly<Record<Exclude<Verdict, "match">, string>> = {
  mismatch: "mismatch",
  missing: "missing: Linux did this, the model did not",
  extra: "extra: the model did this, Linux did not",
  "not-modelled": "not modelled",
};

export function formatSummary(results: readonly Comparison[]): string {
  const c = summarize(results);
  return `${c.match} match, ${c.mismatch} mismatch, ${c.missing} missing, ${c.extra} extra, ` +
    `${c["not-modelled"]} not modelled`;
}

/** The hunks and the summary line. */
export function formatComparison(results: readonly Comparison[], o: FormatOptions = {}): string {
  return [...formatHunks(results, o), formatSummary(results)].join("\n");
}

/** The lines of the hunks alone, without the summary. */
export function formatHunks(results: readonly Comparison[], o: FormatOptions = {}): string[] {
  const lines: string[] = [];
  for (const hunk of hunks(results, o.context ?? DEFAULT_CONTEXT)) {
    lines.push(`@@ ${escapeControls(hunk[0]!.scn)} @@`);
    for (const r of hunk) lines.push(...rowLines(r));
  }
  return lines;
}

/** A row's lines; what the recording holds (it may be any file) has its controls escaped. */
function rowLines(r: Comparison): string[] {
  if (r.verdict === "match") return [`  ${escapeControls(r.real ?? "")}`];
  const lines = [`! ${WHAT[r.verdict]}${r.reason ? `: ${r.reason}` : ""}`];
  if (r.real !== null) lines.push(`- real:  ${escapeControls(r.real)}`);
  if (r.model !== null) lines.push(`+ model: ${escapeControls(r.model)}`);
  return lines;
}

/**
 * The runs of rows to print: every difference with up to `context` rows of the same step on
 * each side (every row of every step when `context` is Infinity); runs that touch or overlap
 * are one hunk, and a hunk never spans two steps.
 */
function hunks(results: readonly Comparison[], context: number): Comparison[][] {
  const shown = new Array<boolean>(results.length).fill(!Number.isFinite(context));
  results.forEach((r, i) => {
    if (r.verdict === "match") return;
    const near = (j: number): boolean => Math.abs(j - i) <= context && results[j]?.scn === r.scn;
    for (let j = i; near(j); j--) shown[j] = true;
    for (let j = i; near(j); j++) shown[j] = true;
  });
  const out: Comparison[][] = [];
  let current: Comparison[] = [];
  results.forEach((r, i) => {
    const continues = shown[i] && i > 0 && shown[i - 1] && results[i - 1]!.scn === r.scn;
    if (!continues && current.length > 0) {
      out.push(current);
      current = [];
    }
    if (shown[i]) current.push(r);
  });
  if (current.length > 0) out.push(current);
  return out;
}
