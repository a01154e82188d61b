/**
 * The measuring helper every benchmark shares: run a measurement several times, keep the
 * median with the min and max, and print rows of figures with their unit, target and verdict.
 *
 * The machine the figures come from is shared and noisy, so a single run means little: the
 * median of several runs is the figure, and min/max show the spread.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { assert } from "../kernel/mod.js";
import { formatTextTable } from "../report/mod.js";

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** Median, min and max of `samples` (at least one). */
export function summarize(samples: readonly number[]): Summary {
  assert(samples.length > 0, "Cannot summarize samples: none given");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
}

/** Calls `once` `runs` times (after `warmups` discarded calls) and summarizes what it returns. */
export function sampleRuns(runs: number, once: () => number, warmups = 1): Summary {
  assert(runs > 0, "Cannot sample runs: runs must be positive");
  for (let i = 0; i < warmups; i++) once();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(once());
  return summarize(samples);
}

/** The rate a summary of nanoseconds per operation stands for, in operations per second. */
export function perSecond(nsPerOp: Summary): Summary {
  assert(nsPerOp.min > 0, "Cannot convert to a rate: an operation took no time");
  return { median: 1e9 / nsPerOp.median, min: 1e9 / nsPerOp.max, max: 1e9 / nsPerOp.min, runs: nsPerOp.runs };
}

/**
 * A stopwatch started now: each call returns the wall-clock nanoseconds since. For timing
 * across the `yield`s of a simulated program, where timeNs() cannot wrap the code.
 */
export function startStopwatch(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start);
}

/**
 * A stopwatch of the CPU time the process spends from now (user and system, every thread:
 * the garbage collector's helpers too), in nanoseconds. On a shared machine it leaves out the
 * time other jobs have the CPU, which wall-clock time does not.
 */
export function startCpuStopwatch(): () => number {
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) * 1000;
  };
}

/**
 * A full garbage collection, exposed at run time so that `npm run bench` needs no node flag.
 * It collects twice: the heap a first collection reports may still count dead objects its
 * lazy sweeping has not reached (a run measured just after a large one saw them as hundreds of
 * MiB gone from its own heap).
 */
export function exposedGc(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => {
    gc();
    gc();
  };
}

/** Wall-clock nanoseconds `body` takes. */
export function timeNs(body: () => void): number {
  const elapsedNs = startStopwatch();
  body();
  return elapsedNs();
}

/** A target a figure is held to: at least, at most, or (every run) exactly `value`. */
export interface Target {
  readonly kind: "min" | "max" | "eq";
  readonly value: number;
}

export interface Row {
  readonly name: string;
  readonly summary: Summary;
  readonly unit: string;
  readonly target: Target | null;
}

/** A row of the table. */
export function row(name: string, summary: Summary, unit: string, target: Target | null = null): Row {
  return { name, summary, unit, target };
}

export type Verdict = "PASS" | "MISS" | "-";

/**
 * Judges the median against a min or max target, and every run against an eq target (a
 * count that must come out exact); a row without a target has no verdict.
 */
export function verdictOf(row: Row): Verdict {
  const t = row.target;
  if (t === null) return "-";
  const s = row.summary;
  const ok = t.kind === "min" ? s.median >= t.value
    : t.kind === "max" ? s.median <= t.value
    : s.min === t.value && s.max === t.value;
  return ok ? "PASS" : "MISS";
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

function formatTarget(target: Target | null): string {
  if (target === null) return "-";
  const op = { min: ">=", max: "<=", eq: "=" }[target.kind];
  return `${op} ${formatNumber(target.value)}`;
}

/** A plain text table: one line per row, columns padded to their widest cell. */
export function formatTable(rows: readonly Row[]): string {
  const header = ["benchmark", "median", "min", "max", "runs", "unit", "target", "verdict"];
  const cells = rows.map((r) => [
    r.name,
    formatNumber(r.summary.median),
    formatNumber(r.summary.min),
    formatNumber(r.summary.max),
    String(r.summary.runs),
    r.unit,
    formatTarget(r.target),
    verdictOf(r),
  ]);
  return formatTextTable(header, cells, new Set([1, 2, 3, 4])).join("\n");
}
