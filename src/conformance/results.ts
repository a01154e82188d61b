/**
 * The suite's answers, summed over seeds: a row per case, driver, profile and run of versions
 * with the same verdict (the table), and per broken driver and case whether the control
 * failed as declared.
 */
import { worstVerdict, type Verdict } from "../scenario/mod.js";
import type { KernelVersion, ProfileName } from "../base/mod.js";
import type { ConformanceCase } from "./case.js";
import type { JobResult, VersionResult } from "./execute.js";
import { siblingOf } from "./plan.js";

export interface CaseRow {
  readonly caseId: string;
  readonly requirement: string;
  readonly driver: string;
  readonly profile: ProfileName;
  readonly versions: readonly KernelVersion[];
  readonly verdict: Verdict;
  readonly seeds: number;
  /** Seeds that failed (at the first of the versions). */
  readonly failedSeeds: readonly number[];
  readonly why?: string;
  readonly replay?: string;
}

export interface ControlRow {
  readonly broken: string;
  readonly sibling: string;
  readonly caseId: string;
  readonly requirement: string;
  /** The finding the case declares the broken driver must give; null: it must pass. */
  readonly expected: string | null;
  readonly verdict: Verdict;
  /** The declared finding was reported (null when none is declared). */
  readonly caughtAs: boolean | null;
  readonly ok: boolean;
  readonly why?: string;
  readonly replay?: string;
}

interface Cell {
  readonly verdict: Verdict;
  readonly failed: { readonly seed: number; readonly r: VersionResult }[];
}

type Key = string;
const keyOf = (caseFile: string, driver: string, profile: string): Key => `${caseFile}\0${driver}\0${profile}`;

function cells(results: readonly JobResult[]): Map<Key, Map<KernelVersion, Cell>> {
  const out = new Map<Key, Map<KernelVersion, Cell>>();
  for (const { job, results: rs } of results) {
    const k = keyOf(job.caseFile, job.driver, job.profile);
    const byVersion = out.get(k) ?? new Map<KernelVersion, Cell>();
    out.set(k, byVersion);
    for (const r of rs) {
      const c = byVersion.get(r.version) ?? { verdict: "pass" as Verdict, failed: [] };
      const failed = r.verdict === "pass" ? c.failed : [...c.failed, { seed: job.seed, r }];
      byVersion.set(r.version, { verdict: worstVerdict([c.verdict, r.verdict]), failed });
    }
  }
  return out;
}

function sameRow(a: Cell, b: Cell): boolean {
  return a.verdict === b.verdict && a.failed[0]?.r.why === b.failed[0]?.r.why;
}

/** The table: versions with the same answer share a row, oldest first. */
export function caseRows(cases: readonly ConformanceCase[], results: readonly JobResult[], seeds: number): CaseRow[] {
  const all = cells(results);
  const rows: CaseRow[] = [];
  for (const c of cases) {
    for (const driver of c.drivers) {
      for (const profile of c.profiles) {
        const byVersion = all.get(keyOf(c.file, driver, profile));
        if (byVersion === undefined) continue;
        const versions = c.kernels.filter((v) => byVersion.has(v));
        let start = 0;
        for (let i = 1; i <= versions.length; i++) {
          const first = byVersion.get(versions[start]!)!;
          if (i < versions.length && sameRow(first, byVersion.get(versions[i]!)!)) continue;
          const f = first.failed[0];
          rows.push({
            caseId: c.id, requirement: c.requirement, driver, profile,
            versions: versions.slice(start, i), verdict: first.verdict, seeds,
            failedSeeds: first.failed.map((x) => x.seed),
            ...(f !== undefined ? { why: f.r.why!, replay: f.r.replay! } : {}),
          });
          start = i;
        }
      }
    }
  }
  return rows;
}

/** One row per broken driver and case: did it fail as the case declares, and only then? */
export function controlRows(cases: readonly ConformanceCase[], results: readonly JobResult[]): ControlRow[] {
  const rows: ControlRow[] = [];
  for (const c of cases) {
    const mine = results.filter((r) => r.job.caseFile === c.file);
    for (const broken of [...new Set(mine.map((r) => r.job.driver))]) {
      const rs = mine.filter((r) => r.job.driver === broken).flatMap((r) => r.results);
      const failures = rs.filter((r) => r.verdict !== "pass");
      const expected = c.catches[broken] ?? null;
      const caughtAs = expected === null ? null : failures.some((r) => r.findings?.includes(expected) === true);
      const ok = expected === null ? failures.length === 0 : caughtAs === true;
      const f = failures[0];
      rows.push({
        broken, sibling: siblingOf(broken) ?? "?", caseId: c.id, requirement: c.requirement,
        expected, verdict: worstVerdict(rs.map((r) => r.verdict)), caughtAs, ok,
        ...(f !== undefined ? { why: f.why!, replay: f.replay! } : {}),
      });
    }
  }
  return rows;
}
