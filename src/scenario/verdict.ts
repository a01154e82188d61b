/**
 * The one table of verdicts: what a run (or the vdrm command) can end with, most serious
 * first, with the exit code of the `vdrm` command and a one-line meaning. The runner combines
 * verdicts with worstVerdict(); the CLI's exit codes, its --help text and the exit-code tables
 * in README.md and docs/scenarios.md are generated from (or checked against) this table.
 *
 * Every finding class of src/kernel/findings.ts must have a row (checked at compile time).
 */
import type { FindingClass } from "../kernel/mod.js";

/** The steps a run may take before it stops with the verdict `budget` (vdrm run --max-steps). */
export const STEPS_MAX_DEFAULT = 10_000_000;

export interface VerdictRow {
  readonly name: string;
  /** The exit code of the vdrm command. */
  readonly exit: number;
  readonly meaning: string;
}

/** Most serious first: with several runs, the command exits with the first that occurred. */
export const VERDICTS = [
  { name: "internal", exit: 70,
    meaning: "a bug of vdrm itself (an unexpected exception, a model assertion)" },
  { name: "input", exit: 2,
    meaning: "bad input: command line, scenario file, replay token, fixture or output path" },
  { name: "memory", exit: 3,
    meaning: "use-after-free, double free, kref underflow or get after release, " +
      "a program killed by SIGBUS" },
  { name: "hang", exit: 4,
    meaning: "kernel hang: kernel waits that can never end, or a hung task" },
  { name: "blocked", exit: 7,
    meaning: "a program still blocked at the end, which the scenario did not allow" },
  { name: "budget", exit: 8,
    meaning: "the step budget ran out before the programs ended" },
  { name: "leak", exit: 5,
    meaning: "kernel memory still allocated after shutdown" },
  { name: "warn", exit: 6,
    meaning: "a kernel WARN" },
  { name: "footprint", exit: 9,
    meaning: "a kernel step touched an object it did not declare" },
  { name: "expectation", exit: 1,
    meaning: "a step's expectation or a final check did not hold" },
  { name: "pass", exit: 0,
    meaning: "every expectation and check held, no unexpected finding" },
] as const satisfies readonly VerdictRow[];

export type Verdict = (typeof VERDICTS)[number]["name"];

/** What a scenario run can end with; `input` and `internal` belong to the command. */
export type ScenarioVerdict = Exclude<Verdict, "input" | "internal">;

/** Fails to compile when a finding class has no verdict row. */
type EveryClassIsAVerdict<T extends never> = T;
export type _ClassesWithoutVerdict = EveryClassIsAVerdict<Exclude<FindingClass, ScenarioVerdict>>;

const RANK: ReadonlyMap<string, number> = new Map(VERDICTS.map((v, i) => [v.name, i]));

/** The most serious of the verdicts; pass for none. */
export function worstVerdict<V extends Verdict>(verdicts: Iterable<V>): V | "pass" {
  let worst: V | "pass" = "pass";
  for (const v of verdicts) if (RANK.get(v)! < RANK.get(worst)!) worst = v;
  return worst;
}

/** The rows ordered by exit code, as the help text and the docs list them. */
export function verdictsByExitCode(): readonly VerdictRow[] {
  return [...VERDICTS].sort((a, b) => a.exit - b.exit);
}

/** What verdictWord() looks at in a run. */
export interface WordedRun {
  readonly verdict: ScenarioVerdict;
  readonly scenario: { readonly checks: { readonly findings: readonly unknown[] } };
}

/**
 * The word shown for a run's verdict in the timeline, the demo table and the HTML report.
 * A pass of a scenario that declares findings (a broken driver whose bug must be caught) is
 * "caught": the declared findings occurred and nothing else failed.
 */
export function verdictWord(run: WordedRun): string {
  return run.verdict === "pass" && run.scenario.checks.findings.length > 0 ? "caught" : run.verdict;
}

/** Whether a word from verdictWord() is a success (exit code 0). */
export function isPassWord(word: string): boolean {
  return word === "pass" || word === "caught";
}
