/**
 * Reruns a model's counterexample from its decisions (model_token.ts): from the initial state,
 * at each step the executable transitions are listed in the order the search tries them
 * (process by process, each process's transitions in the model's order) and the decision picks
 * one. The run ends in the oracle its last transition fails, or in an invalid end state.
 */
import {
  checkModel, invalidEndMessage, transitionsByPc, type ModelTransition, type ModelViolation,
  type TransitionModel,
} from "./model.js";

/** The decisions do not fit the model (another model, other parameters, or vdrm changed). */
export class ModelReplayMismatch extends Error {
  override readonly name = "ModelReplayMismatch";
}

export interface ModelRun {
  readonly trail: readonly ModelTransition[];
  /** The oracle failed at the end, or null when the run ends without one. */
  readonly violation: ModelViolation | null;
}

/** Steps through a model's states, one transition at a time. */
class Stepper {
  readonly v: Int32Array;
  private readonly byPc: ModelTransition[][][];

  constructor(private readonly m: TransitionModel) {
    checkModel(m);
    this.byPc = transitionsByPc(m);
    this.v = Int32Array.from(m.initial);
  }

  /** The transitions executable now, in the search's order. */
  executable(): ModelTransition[] {
    return this.m.processes.flatMap((p, i) => this.byPc[i]![this.v[p.pcVar]!]!.filter((t) => t.guard(this.v)));
  }

  /** Runs `t` (executable now); the oracle it fails, if any. */
  take(t: ModelTransition): ModelViolation | null {
    const next = Int32Array.from(this.v);
    const failed = t.act(next);
    this.v.set(next);
    return failed;
  }
}

/** The decisions of `trail` (a run of `m` from its initial state). */
export function decisionsOf(m: TransitionModel, trail: readonly ModelTransition[]): number[] {
  const s = new Stepper(m);
  return trail.map((t, i) => {
    const d = s.executable().indexOf(t);
    if (d < 0) throw new Error(`Cannot make a model token: transition ${i + 1} (${t.fn}) is not executable there`);
    s.take(t);
    return d;
  });
}

/** Reruns `decisions` on `m`; throws ModelReplayMismatch when they do not fit. */
export function replayModel(m: TransitionModel, decisions: readonly number[]): ModelRun {
  const s = new Stepper(m);
  const trail: ModelTransition[] = [];
  for (const [i, d] of decisions.entries()) {
    const ts = s.executable();
    const t = ts[d];
    if (t === undefined) {
      throw new ModelReplayMismatch(`decision ${i + 1} takes transition ${d + 1} of ${ts.length} executable`);
    }
    trail.push(t);
    const failed = s.take(t);
    if (failed !== null && i < decisions.length - 1) {
      throw new ModelReplayMismatch(`transition ${i + 1} (${t.fn}) fails an oracle before the token's last decision`);
    }
    if (failed !== null) return { trail, violation: failed };
  }
  const hang = s.executable().length === 0 ? invalidEndMessage(m, s.v) : null;
  return { trail, violation: hang === null ? null : { kind: "hang", message: hang } };
}
