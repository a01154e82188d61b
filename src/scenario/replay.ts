/**
 * The commands that rerun a scenario run: by replay token (the same schedule, decision for
 * decision), and by seed (the same seed, scheduled by the code as it is now). Both carry the
 * step budget when it is not the default, and the file quoted for the shell.
 */
import { encodeReplayToken } from "./replay_token.js";
import type { ScenarioRun } from "./run.js";
import { shellQuote } from "./shell_quote.js";
import { STEPS_MAX_DEFAULT } from "./verdict.js";

/** What names a run for its replay commands. */
export type ReplayOf = Pick<ScenarioRun, "scenario" | "seed" | "profile" | "kernel" | "stepsMax">;

function budgetOption(run: ReplayOf): string {
  return run.stepsMax === STEPS_MAX_DEFAULT ? "" : ` --max-steps ${run.stepsMax}`;
}

/** The replay token of a finished run: its seed, profile, kernel and every decision made. */
export function replayToken(run: ScenarioRun): string {
  return encodeReplayToken({ seed: run.seed, profile: run.profile, kernel: run.kernel, decisions: run.world.sim.decisions });
}

/** Reruns exactly this run's schedule. */
export function replayCommand(run: ScenarioRun): string {
  return `vdrm run ${shellQuote(run.scenario.file)} --replay ${replayToken(run)}${budgetOption(run)}`;
}

/** Reruns with the same seed, profile and kernel; the schedule follows the current code. */
export function seedCommand(run: ReplayOf): string {
  return `vdrm run ${shellQuote(run.scenario.file)} --seed ${run.seed} --profile ${run.profile} --kernel ${run.kernel}${budgetOption(run)}`;
}
