/**
 * A whole conformance run: the cases proper, the negative controls and the checks against
 * the real-kernel recordings, timed, with the exit verdict (pass only if every applicable case
 * passes, every broken driver fails exactly the cases that declare it, and every recording
 * claim holds).
 */
import { fileURLToPath } from "node:url";
import { worstVerdict, type Verdict } from "../scenario/mod.js";
import type { ConformanceCase } from "./case.js";
import { caseJobs, controlJobs, type Filters } from "./plan.js";
import { runJobs, runJobsInThread, type Progress } from "./pool.js";
import { checkRealkernel, type RealkernelRow } from "./realkernel_check.js";
import { caseRows, controlRows, type CaseRow, type ControlRow } from "./results.js";

/** The cases that ship with vdrm: `conformance/` of the package. */
export const CASE_DIR = fileURLToPath(new URL("../../conformance/", import.meta.url));

export interface SuiteOptions extends Filters {
  readonly workers: number;
  readonly progress?: Progress;
}

export interface SuiteReport {
  readonly cases: readonly ConformanceCase[];
  readonly rows: readonly CaseRow[];
  readonly controls: readonly ControlRow[];
  readonly realkernel: readonly RealkernelRow[];
  /** Scenario runs made, and (case, version) answers they gave. */
  readonly runs: number;
  readonly answers: number;
  readonly seconds: number;
  readonly workers: number;
  readonly verdict: Verdict;
}

export async function runSuite(cases: readonly ConformanceCase[], o: SuiteOptions): Promise<SuiteReport> {
  const started = performance.now();
  const jobs = caseJobs(cases, o);
  const controls = controlJobs(cases, o);
  const all = await runJobs([...jobs, ...controls], casesByFile(cases), o.workers, o.progress);
  return report(cases, o, jobs.length, all, started);
}

/** The same run in this thread, without workers (the demo's: it stays synchronous). */
export function runSuiteInThread(cases: readonly ConformanceCase[], o: Filters): SuiteReport {
  const started = performance.now();
  const jobs = caseJobs(cases, o);
  const all = runJobsInThread([...jobs, ...controlJobs(cases, o)], casesByFile(cases), () => {});
  return report(cases, { ...o, workers: 1 }, jobs.length, all, started);
}

function casesByFile(cases: readonly ConformanceCase[]): Map<string, ConformanceCase> {
  return new Map(cases.map((c) => [c.file, c]));
}

function report(
  cases: readonly ConformanceCase[], o: SuiteOptions, caseCount: number,
  all: Awaited<ReturnType<typeof runJobs>>, started: number,
): SuiteReport {
  const rows = caseRows(cases, all.slice(0, caseCount), o.seeds);
  const controlled = controlRows(cases, all.slice(caseCount));
  const wantReal = o.driver === undefined || o.driver === "bochs-drm";
  const realkernel = wantReal && o.profile !== "uapi-doc" ? checkRealkernel(cases) : [];
  const verdict = worstVerdict([
    ...rows.map((r) => r.verdict),
    ...controlled.map((c) => (c.ok ? "pass" : "expectation") as Verdict),
    ...realkernel.map((r) => (r.ok ? "pass" : "expectation") as Verdict),
  ]);
  return {
    cases, rows, controls: controlled, realkernel,
    runs: all.reduce((n, r) => n + r.runs, 0),
    answers: all.reduce((n, r) => n + r.results.length, 0),
    seconds: (performance.now() - started) / 1000,
    workers: o.workers, verdict,
  };
}
