/**
 * Scheduling strategies: who runs next when more than one task can run.
 *
 * The simulation asks the strategy only at real choice points (two or more runnable tasks)
 * and records every answer, so any run can be replayed from its decision list, and an
 * exhaustive explorer can later plug in a strategy of its own without changing the model.
 */
import { assert } from "./assert.js";
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

/** Replays a recorded decision list; after its end it behaves like FifoStrategy. */
export class ReplayStrategy implements SchedulingStrategy {
  readonly name = "replay";
  constructor(private readonly decisions: readonly number[]) {}
  pick(runnable: readonly TaskView[], decision: number): number {
    const choice = this.decisions[decision] ?? 0;
    assert(choice < runnable.length, `Cannot replay decision ${decision}: choice ${choice} but only ${runnable.length} runnable tasks`);
    return choice;
  }
}

/** Decision lists print as dot-separated indexes, e.g. "0.1.1.0". */
export function encodeDecisions(decisions: readonly number[]): string {
  return decisions.join(".");
}

export function decodeDecisions(text: string): number[] {
  if (text.trim() === "") return [];
  return text.split(".").map((part, i) => {
    // Digits only: Number() would read "" as 0 and accept "1e0" or "0x1".
    const n = /^\d+$/.test(part) ? Number(part) : NaN;
    if (!Number.isSafeInteger(n)) throw new SyntaxError(`Cannot decode decision ${i}: "${part}" is not a non-negative integer`);
    return n;
  });
}
