/**
 * The command that replays a scenario run exactly: same file, seed, profile and kernel.
 */
import type { ScenarioRun } from "./run.js";

export function replayCommand(run: ScenarioRun): string {
  return `vdrm run ${run.scenario.file} --seed ${run.seed} --profile ${run.profile} --kernel ${run.kernel}`;
}
