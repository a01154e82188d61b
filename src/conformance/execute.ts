/**
 * Runs one case with one driver, profile and seed at every kernel version it applies to.
 *
 * The model changes with the kernel version only through its named switches (variant(), which
 * src/layers.test.ts enforces), so a run that asked switches S takes the same path at every
 * version where S have the same values. A passing run therefore answers for those versions
 * too (`sharedWith` says which run did); a failing one is rerun at each version, so that
 * every failure has its own replay command.
 */
import { recordVariantUse, variant, type KernelVersion, type ProfileName, type VariantName } from "../base/mod.js";
import { findingClass, findingSummary } from "../kernel/mod.js";
import {
  replayCommand, runScenario, scenarioWithDriver, type Scenario, type ScenarioRun,
  type Verdict,
} from "../scenario/mod.js";
import { formatOutcome } from "../scenario/expect.js";

export interface Job {
  readonly caseFile: string;
  readonly driver: string;
  readonly profile: ProfileName;
  /** Newest first is best: the newest version is run first. */
  readonly versions: readonly KernelVersion[];
  readonly seed: number;
  /** Keep what each program observed (the --diff report). */
  readonly observe?: boolean;
}

export interface VersionResult {
  readonly version: KernelVersion;
  readonly verdict: Verdict;
  /** The version whose run answered for this one (itself when it ran). */
  readonly ranAt: KernelVersion;
  /** For a failure: what went wrong first, and the command that replays it. */
  readonly why?: string;
  readonly replay?: string;
  /** For a failure: its verdict, and the kinds and classes of its findings. */
  readonly findings?: readonly string[];
  /** What each step returned: `program#index`, the call, its result (with `observe`). */
  readonly observed?: readonly (readonly [step: string, call: string, result: string])[];
}

export interface JobResult {
  readonly job: Job;
  readonly results: readonly VersionResult[];
  /** Runs actually made. */
  readonly runs: number;
}

function signature(used: ReadonlySet<VariantName>, profile: ProfileName, version: KernelVersion): string {
  return [...used].sort().map((n) => `${n}=${String(variant({ name: profile, version }, n))}`).join(";");
}

/** The first thing that went wrong, in one line. */
export function failureSummary(run: ScenarioRun): string {
  const step = run.steps.find((s) => s.met === false);
  if (step !== undefined) {
    return `${step.program}#${step.step.index} ${step.text} = ${formatOutcome(step.outcome)}: ${step.why ?? ""}`;
  }
  const finding = run.unexpected[0];
  if (finding !== undefined) return findingSummary(finding);
  const check = run.checks.find((c) => !c.met);
  if (check !== undefined) return `check not met: ${check.what}${check.detail ? ` (${check.detail})` : ""}`;
  const blocked = run.blocked.find((b) => b.unexpected);
  if (blocked !== undefined) return `${blocked.record.program}#${blocked.record.step.index} still blocked at the end`;
  if (run.budget !== null) return `the step budget of ${run.stepsMax} steps ran out`;
  return run.verdict;
}


function observedSteps(run: ScenarioRun): [string, string, string][] {
  // A repeated step runs several times: the key counts its runs.
  const seen = new Map<string, number>();
  return run.steps.map((s) => {
    const at = `${s.program}#${s.step.index}`;
    const n = (seen.get(at) ?? 0) + 1;
    seen.set(at, n);
    return [n === 1 ? at : `${at} (run ${n})`, s.text, formatOutcome(s.outcome)];
  });
}

function runOnce(sc: Scenario, job: Job, version: KernelVersion) {
  try {
    const { result: run, used } = recordVariantUse(() =>
      runScenario(sc, { seed: job.seed, profile: job.profile, kernel: version }));
    const failed = run.verdict !== "pass";
    const r: VersionResult = {
      version, verdict: run.verdict, ranAt: version,
      ...(failed ? {
        why: failureSummary(run), replay: replayCommand(run),
        findings: [...new Set([run.verdict, ...run.findings.flatMap((f) => [f.kind, findingClass(f)])])],
      } : {}),
      ...(job.observe === true ? { observed: observedSteps(run) } : {}),
    };
    return { r, used: failed ? null : used };
  } catch (e) {
    const why = `vdrm itself failed: ${e instanceof Error ? e.message : String(e)}`;
    const r: VersionResult = { version, verdict: "internal", ranAt: version, why };
    return { r, used: null };
  }
}

/** Runs a job: the story of `scenario` told with the job's driver, at each of its versions. */
export function executeJob(scenario: Scenario, job: Job): JobResult {
  const sc = scenarioWithDriver(scenario, job.driver);
  const results = new Map<KernelVersion, VersionResult>();
  let pending = [...job.versions];
  let runs = 0;
  while (pending.length > 0) {
    const version = pending.shift()!;
    const { r, used } = runOnce(sc, job, version);
    runs++;
    results.set(version, r);
    if (used === null) continue;
    const sig = signature(used, job.profile, version);
    pending = pending.filter((w) => {
      if (signature(used, job.profile, w) !== sig) return true;
      results.set(w, { ...r, version: w });
      return false;
    });
  }
  return { job, results: job.versions.map((v) => results.get(v)!), runs };
}
