/**
 * The commands that rerun a scenario run: by replay token (the same schedule, decision for
 * decision), and by seed (the same seed, scheduled by the code as it is now).
 */
import { encodeReplayToken } from "./replay_token.js";
import type { ScenarioRun } from "./run.js";

/** The replay token of a finished run: its seed, profile, kernel and every decision made. */
export function replayToken(run: ScenarioRun): string {
  const { seed, profile, kernel } = run;
  return encodeReplayToken({ seed, profile, kernel, decisions: run.world.sim.decisions });
}

/** Reruns exactly this run's schedule. */
export function replayCommand(run: ScenarioRun): string {
  return `vdrm run ${run.scenario.file} --replay ${replayToken(run)}`;
}

/** Reruns with the same seed, profile and kernel; the schedule follows the current code. */
export function seedCommand(run: ScenarioRun): string {
  return `vdrm run ${run.scenario.file} --seed ${run.seed} --profile ${run.profile} --kernel ${run.kernel}`;
}
