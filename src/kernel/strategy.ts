/**
 * Scheduling strategies: who runs next when more than one task can run.
 *
 * The simulation asks the strategy only at real choice points (two or more runnable tasks)
 * and records every answer, so any run can be replayed from its decision list, and an
 * exhaustive explorer can later plug in a strategy of its own without changing the model.
 */
import { Prng } from "./prng.js";
import type { TaskView } from "./task.js";

export interface SchedulingStrategy {
  readonly name: string;
  /** Returns an index into `runnable` (length >= 2), which is ordered by task id. */
  pick(runnable: readonly TaskView[], decision: number): number;
}

/** Uniformly random among the runnable tasks, from its own PRNG stream. */
export class RandomStrategy implements SchedulingStrategy {
  readonly name = "random";
  private readonly prng: Prng;
  constructor(seed: number) {
    // A stream apart from the model's PRNG, so that replaying the decisions with
    // ReplayStrategy leaves the model's random draws unchanged.
    this.prng = new Prng((seed * 2654435761 + 0x5eed) % 2 ** 52);
  }
  pick(runnable: readonly TaskView[]): number {
    return this.prng.index(runnable.length);
  }
}

/** Always the lowest task id: run-to-completion in spawn order. */
export class FifoStrategy implements SchedulingStrategy {
  readonly name = "fifo";
  pick(): number {
    return 0;
  }
}

/**
 * A replay that no longer matches the run it replays: the model asked for a decision the
 * list does not have, a recorded choice names no runnable task, or the run ended with
 * decisions left. Not a model bug: the scenario, the model or the list changed since the
 * list was recorded. Callers (the CLI) report it as bad input.
 */
export class ReplayMismatchError extends Error {
  override readonly name = "ReplayMismatchError";
}

/**
 * Thrown by a strategy that wants no more of the run (an explorer that has seen enough of
 * it: a redundant order, or its budget is spent). Not a model bug: callers pass it on.
 */
export class RunStopped extends Error {
  override readonly name = "RunStopped";
}

/**
 * Replays a recorded decision list exactly. Unlike fast-check's replay, nothing is made up:
 * a run that needs a decision past the end of the list, or a choice that does not fit the
 * runnable tasks, throws ReplayMismatchError, and so does checkEnd() with decisions left.
 */
export class ReplayStrategy implements SchedulingStrategy {
  readonly name = "replay";
  constructor(private readonly decisions: readonly number[]) {}

  pick(runnable: readonly TaskView[], decision: number): number {
    const choice = this.decisions[decision];
    if (choice === undefined) {
      throw new ReplayMismatchError(
        `Cannot replay decision ${decision}: the list ends after ${decisionCount(this.decisions.length)} ` +
          `but the run goes on (runnable: ${formatRunnable(runnable)})`,
      );
    }
    if (choice >= runnable.length) {
      throw new ReplayMismatchError(
        `Cannot replay decision ${decision}: it picks choice ${choice} but only ` +
          `${runnable.length} are runnable (${formatRunnable(runnable)})`,
      );
    }
    return choice;
  }

  /** Call when the run is over, with the number of decisions it made. */
  checkEnd(decisionsMade: number): void {
    if (decisionsMade === this.decisions.length) return;
    throw new ReplayMismatchError(
      `Cannot finish replay: the run ended after ${decisionCount(decisionsMade)} but the list ` +
        `holds ${this.decisions.length}`,
    );
  }
}

function decisionCount(n: number): string {
  return `${n} decision${n === 1 ? "" : "s"}`;
}

/** "[0] timer app, [1] pciehp": the index a decision picks, and the task or due timer it names. */
function formatRunnable(runnable: readonly TaskView[]): string {
  return runnable.map((t, i) => `[${i}] ${t.name}`).join(", ");
}
