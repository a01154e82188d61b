/**
 * An explicit-state model for the explorer: a transition system whose whole state is a vector
 * of small integer variables (as a Promela model's state vector is), so that a search can store
 * every state it reaches exactly and count them (model_search.ts). It is how vdrm checks its
 * state counting against an independent model checker: the twin of a Promela model
 * (twin_unplug.ts) is written as one of these, one transition per Promela transition.
 *
 * Each process has a program counter (one of the variables); a transition belongs to one
 * process and one value of its counter, has a guard (executable or not) and an action that
 * writes the successor's variables and may fail an oracle (an assertion: the finding it stands
 * for). A state where no transition is executable and some process is not at one of its end
 * points is an invalid end state (a hang: SPIN's "invalid end state").
 */
import { assert } from "../kernel/mod.js";

/** A variable of the state vector: its name and its largest value (the smallest is 0). */
export interface ModelVar {
  readonly name: string;
  readonly max: number;
}

/** The finding kinds a model's oracle may stand for (they map to the CLI's verdicts). */
export type ModelFindingKind =
  | "use-after-free" | "hardware-after-unplug" | "hang" | "leak" | "kref-underflow" | "warn";

/** An oracle that failed in a transition's action. */
export interface ModelViolation {
  readonly kind: ModelFindingKind;
  readonly message: string;
}

export interface ModelTransition {
  /** The process it belongs to (an index of TransitionModel.processes). */
  readonly proc: number;
  /** The value of the process's program counter it starts from. */
  readonly at: number;
  /** The kernel function it stands for (what a counterexample prints). */
  readonly fn: string;
  /** Whether it is executable in state `v` (the variables, unpacked). */
  readonly guard: (v: Int32Array) => boolean;
  /**
   * Writes the successor into `v` (a copy of the state), its program counter included;
   * returns the oracle it fails, or null.
   */
  readonly act: (v: Int32Array) => ModelViolation | null;
}

export interface ModelProcess {
  readonly name: string;
  /** The index of its program counter in `vars`. */
  readonly pcVar: number;
  /** The program counter values where it may stay forever (SPIN's end labels). */
  readonly ends: readonly number[];
}

export interface TransitionModel {
  readonly name: string;
  readonly vars: readonly ModelVar[];
  readonly initial: readonly number[];
  readonly processes: readonly ModelProcess[];
  readonly transitions: readonly ModelTransition[];
}

/** Where each variable lives in the packed vector: 32-bit words, no variable across two. */
export interface Layout {
  readonly words: number;
  readonly word: Int32Array;
  readonly shift: Int32Array;
  readonly mask: Int32Array;
}

function bitsFor(max: number): number {
  return max <= 0 ? 1 : 32 - Math.clz32(max);
}

/** Packs the variables first-fit into 32-bit words (each variable needs bits for its max). */
export function layoutOf(vars: readonly ModelVar[]): Layout {
  const n = vars.length;
  const word = new Int32Array(n);
  const shift = new Int32Array(n);
  const mask = new Int32Array(n);
  const used: number[] = [];
  for (let i = 0; i < n; i++) {
    const bits = bitsFor(vars[i]!.max);
    assert(bits <= 31, `variable ${vars[i]!.name} needs ${bits} bits; at most 31`);
    let w = used.findIndex((u) => u + bits <= 32);
    if (w < 0) {
      w = used.length;
      used.push(0);
    }
    word[i] = w;
    shift[i] = used[w]!;
    mask[i] = (1 << bits) - 1;
    used[w] = used[w]! + bits;
  }
  return { words: used.length, word, shift, mask };
}

/** Checks a model's shape: initial values in range, transitions on existing processes. */
export function checkModel(m: TransitionModel): void {
  assert(m.initial.length === m.vars.length, "one initial value per variable");
  m.initial.forEach((x, i) => assert(x >= 0 && x <= m.vars[i]!.max, `initial ${m.vars[i]!.name} in range`));
  for (const t of m.transitions) {
    assert(t.proc >= 0 && t.proc < m.processes.length, `transition ${t.fn} of an existing process`);
    assert(t.at >= 0 && t.at <= m.vars[m.processes[t.proc]!.pcVar]!.max, `transition ${t.fn} at a valid pc`);
  }
}

/** The transitions of each process, by program counter value. */
export function transitionsByPc(m: TransitionModel): ModelTransition[][][] {
  return m.processes.map((p, i) => {
    const pcs: ModelTransition[][] = Array.from({ length: m.vars[p.pcVar]!.max + 1 }, () => []);
    for (const t of m.transitions) if (t.proc === i) pcs[t.at]!.push(t);
    return pcs;
  });
}

/**
 * The invalid end state of `v` (SPIN's): no transition executable (the caller knows) and some
 * process not at one of its end points; null when every process may end where it is.
 */
export function invalidEndMessage(m: TransitionModel, v: ArrayLike<number>): string | null {
  const waiting = m.processes.filter((p) => !p.ends.includes(v[p.pcVar]!)).map((p) => p.name);
  if (waiting.length === 0) return null;
  return `invalid end state: ${waiting.join(", ")} blocked forever, no transition executable`;
}
