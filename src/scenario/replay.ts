/**
 * The commands that rerun a scenario run: by replay token (the same schedule, decision for
 * decision), and by seed (the same seed, scheduled by the code as it is now). Both carry the
 * step budget when it is not the default, and the file quoted for the shell.
 */
import { DECISIONS_MAX, encodeReplayToken } from "./replay_token.js";
import type { ScenarioRun } from "./run.js";
import { shellQuote } from "./shell_quote.js";
import { STEPS_MAX_DEFAULT } from "./verdict.js";

/** What names a run for its replay commands. */
export type ReplayOf = Pick<ScenarioRun, "scenario" | "seed" | "profile" | "kernel" | "stepsMax">;

function budgetOption(run: ReplayOf): string {
  const driver = run.scenario.driver === undefined ? "" : ` --driver ${run.scenario.driver}`;
  return `${driver}${run.stepsMax === STEPS_MAX_DEFAULT ? "" : ` --max-steps ${run.stepsMax}`}`;
}

/**
 * The replay token of a finished run: its seed, profile, kernel and every decision made; null
 * when it made more decisions than a token holds.
 */
export function replayToken(run: ScenarioRun): string | null {
  const { decisions } = run.world.sim;
  if (decisions.length > DECISIONS_MAX) return null;
  return encodeReplayToken({ seed: run.seed, profile: run.profile, kernel: run.kernel, decisions });
}

/** Reruns exactly this run's schedule, or says why no token can. */
export function replayCommand(run: ScenarioRun): string {
  const token = replayToken(run);
  if (token === null) return tooManyDecisions(run.world.sim.decisions.length);
  return `vdrm run ${shellQuote(run.scenario.file)} --replay ${token}${budgetOption(run)}`;
}

/** What a run that made `count` decisions prints in place of its replay command. */
export function tooManyDecisions(count: number): string {
  return `(no replay token: the run made ${count} scheduling decisions, more than the ` +
    `${DECISIONS_MAX} a token holds; the seed command reruns it)`;
}

/** Reruns with the same seed, profile and kernel; the schedule follows the current code. */
export function seedCommand(run: ReplayOf): string {
  return `vdrm run ${shellQuote(run.scenario.file)} --seed ${run.seed} --profile ${run.profile} --kernel ${run.kernel}${budgetOption(run)}`;
}
