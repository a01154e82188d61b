/**
 * The command that replays a scenario run exactly: same file, seed, profile, kernel and step
 * budget.
 */
import type { ScenarioRun } from "./run.js";
import { STEPS_MAX_DEFAULT } from "./verdict.js";

export type ReplayOf = Pick<ScenarioRun, "scenario" | "seed" | "profile" | "kernel" | "stepsMax">;

export function replayCommand(run: ReplayOf): string {
  const { scenario, seed, profile, kernel, stepsMax } = run;
  const budget = stepsMax === STEPS_MAX_DEFAULT ? "" : ` --max-steps ${stepsMax}`;
  const options = `--seed ${seed} --profile ${profile} --kernel ${kernel}${budget}`;
  return `vdrm run ${scenario.file} ${options}`;
}
