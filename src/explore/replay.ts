/**
 * `vdrm replay`'s engine: reruns a replay token's run exactly (ReplayStrategy: a decision that
 * does not fit, or one left over, is a ReplayMismatchError), recording its transitions and
 * choice points so that the counterexample prints as the explorer printed it.
 */
import { ReplayStrategy, type SchedulingStrategy, type TaskView } from "../kernel/mod.js";
import { runScenario, type ReplayToken, type Scenario, type ScenarioRun } from "../scenario/mod.js";
import { failureOf, type Failure } from "./execution.js";
import { Recorder } from "./record.js";

/** ReplayStrategy, with each choice point written down in the recorder. */
class RecordedReplay implements SchedulingStrategy {
  readonly name = "replay";
  readonly inner: ReplayStrategy;
  constructor(decisions: readonly number[], private readonly recorder: Recorder) {
    this.inner = new ReplayStrategy(decisions);
  }
  pick(runnable: readonly TaskView[], decision: number): number {
    const timers = runnable.filter((v) => v.kind === "timer").length;
    const node = this.recorder.node(decision, runnable.map((v) => v.id), timers, runnable.map((v) => v.name));
    node.chosen = this.inner.pick(runnable, decision);
    return node.chosen;
  }
}

export interface Replayed {
  readonly run: ScenarioRun;
  readonly recorder: Recorder;
  readonly failure: Failure | null;
}

/** Reruns `token` on `sc`; throws ReplayMismatchError when the token does not fit the run. */
export function replayRun(sc: Scenario, token: ReplayToken, stepsMax?: number): Replayed {
  const recorder = new Recorder(false);
  const strategy = new RecordedReplay(token.decisions, recorder);
  const { seed, profile, kernel } = token;
  const run = runScenario(sc, {
    seed, profile, kernel, strategy, observer: recorder, trace: "steps",
    ...(stepsMax !== undefined ? { stepsMax } : {}),
  });
  strategy.inner.checkEnd(run.world.sim.decisions.length);
  return { run, recorder, failure: failureOf(run) };
}
