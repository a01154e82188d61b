/**
 * What a conformance run runs: the cases of a directory, filtered by the command line, as
 * jobs (a case with one driver, profile and seed at each applicable version), and the
 * negative controls: each broken driver told every story of its correct sibling (the correct
 * driver of the same card).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { KernelVersion, ProfileName } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { loadCase, type ConformanceCase } from "./case.js";
import type { Job } from "./execute.js";

export interface Filters {
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly driver?: string;
  /** Requirement ids (R38) or case ids (r38-ioctl-after-unplug). */
  readonly only?: readonly string[];
  readonly seeds: number;
}

export type CasesLoad =
  | { readonly ok: true; readonly cases: readonly ConformanceCase[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Every case file of `dir` (`*.yaml`, by name); all problems of all files, or the cases. */
export function loadCases(dir: string): CasesLoad {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (e) {
    return { ok: false, errors: [`${dir}: cannot read the cases: ${(e as NodeJS.ErrnoException).code ?? String(e)}`] };
  }
  const cases: ConformanceCase[] = [];
  const errors: string[] = [];
  for (const n of names) {
    const r = loadCase(join(dir, n));
    if (r.ok) cases.push(r.case);
    else errors.push(...r.errors);
  }
  if (cases.length === 0 && errors.length === 0) errors.push(`${dir}: no case files (*.yaml)`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, cases };
}

/** The cases --only keeps (all without it); the ids it names that match no case. */
export function selectCases(cases: readonly ConformanceCase[], only: readonly string[] | undefined):
  { cases: ConformanceCase[]; unmatched: string[] } {
  if (only === undefined) return { cases: [...cases], unmatched: [] };
  const wanted = only.map((o) => o.trim()).filter((o) => o !== "");
  const hits = (c: ConformanceCase, o: string): boolean =>
    c.id === o || c.requirements.some((r) => r.toLowerCase() === o.toLowerCase());
  return {
    cases: cases.filter((c) => wanted.some((o) => hits(c, o))),
    unmatched: wanted.filter((o) => !cases.some((c) => hits(c, o))),
  };
}

/** The correct driver that drives the same card as a broken one. */
export function siblingOf(broken: string): string | undefined {
  const card = DRIVERS.get(broken)?.card;
  return [...DRIVERS].find(([, d]) => d.correct && d.card === card)?.[0];
}

export const BROKEN_DRIVERS: readonly string[] = [...DRIVERS].filter(([, d]) => !d.correct).map(([n]) => n);

function seedsOf(f: Filters): number[] {
  return Array.from({ length: f.seeds }, (_, i) => i + 1);
}

function versionsOf(c: ConformanceCase, f: Filters): KernelVersion[] {
  return c.kernels.filter((k) => f.kernel === undefined || k === f.kernel).reverse();
}

/** The jobs of the cases proper: each applicable driver, profile, version, seed. */
export function caseJobs(cases: readonly ConformanceCase[], f: Filters): Job[] {
  const jobs: Job[] = [];
  for (const c of cases) {
    const versions = versionsOf(c, f);
    if (versions.length === 0) continue;
    for (const driver of c.drivers.filter((d) => f.driver === undefined || d === f.driver)) {
      for (const profile of c.profiles.filter((p) => f.profile === undefined || p === f.profile)) {
        for (const seed of seedsOf(f)) jobs.push({ caseFile: c.file, driver, profile, versions, seed });
      }
    }
  }
  return jobs;
}

/**
 * The negative controls: each broken driver (or the one --driver names) with every case its
 * sibling runs, at the case's first profile and newest version.
 */
export function controlJobs(cases: readonly ConformanceCase[], f: Filters): Job[] {
  const jobs: Job[] = [];
  const brokens = BROKEN_DRIVERS.filter((b) =>
    f.driver === undefined || b === f.driver || siblingOf(b) === f.driver);
  for (const c of cases) {
    const version = versionsOf(c, f)[0];
    const profile = c.profiles.find((p) => f.profile === undefined || p === f.profile);
    if (version === undefined || profile === undefined) continue;
    for (const driver of brokens) {
      const sibling = siblingOf(driver);
      if (sibling === undefined || !c.drivers.includes(sibling)) continue;
      for (const seed of seedsOf(f)) jobs.push({ caseFile: c.file, driver, profile, versions: [version], seed });
    }
  }
  return jobs;
}
