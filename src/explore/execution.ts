/**
 * One execution of a scenario under the explorer's control: a fresh world, every choice point
 * answered by a Chooser, every transition recorded (record.ts), and the oracles read from the
 * run: its verdict (every unexpected kernel finding, the scenario's expectations and checks,
 * a program left blocked, the step budget).
 */
import { findingClass, RunStopped, type SchedulingStrategy, type TaskView, type TraceLevel } from "../kernel/mod.js";
import { runScenario, type Scenario, type ScenarioRun } from "../scenario/mod.js";
import { Recorder, type ChoiceNode } from "./record.js";

/** What a chooser sees at a choice point. */
export interface ChoiceContext {
  readonly node: ChoiceNode;
  readonly recorder: Recorder;
  /** The process of the transition before, if any (to tell a preemption). */
  readonly last: number | null;
}

/** Answers every choice point of one execution; may throw RunStopped to end it early. */
export interface Chooser {
  choose(ctx: ChoiceContext): number;
}

/** What failed in a run: its verdict and the finding kinds (or the verdict) behind it. */
export interface Failure {
  readonly verdict: Exclude<ScenarioRun["verdict"], "pass">;
  /** The unexpected finding kinds of the verdict's class, or the verdict itself. */
  readonly kinds: readonly string[];
}

export interface Execution {
  readonly recorder: Recorder;
  readonly decisions: readonly number[];
  /** null when the chooser stopped the run early (it was redundant, or the budget ran out). */
  readonly run: ScenarioRun | null;
  readonly failure: Failure | null;
}

export interface ExecuteOptions {
  readonly keepObjects?: boolean;
  readonly trace?: TraceLevel;
  readonly stepsMax?: number;
}

class ChooserStrategy implements SchedulingStrategy {
  readonly name = "explore";
  constructor(
    private readonly chooser: Chooser,
    private readonly recorder: Recorder,
  ) {}

  pick(runnable: readonly TaskView[], decision: number): number {
    const procs = runnable.map((v) => v.id as number);
    const timers = runnable.filter((v) => v.kind === "timer").length;
    const node = this.recorder.node(decision, procs, timers, runnable.map((v) => v.name));
    const last = this.recorder.transitions.at(-1)?.proc ?? null;
    node.chosen = this.chooser.choose({ node, recorder: this.recorder, last });
    return node.chosen;
  }
}

/** What failed in a finished run, or null for a pass. */
export function failureOf(run: ScenarioRun): Failure | null {
  const verdict = run.verdict;
  if (verdict === "pass") return null;
  const kinds = run.unexpected.filter((f) => findingClass(f) === verdict).map((f) => f.kind);
  return { verdict, kinds: kinds.length > 0 ? [...new Set(kinds)].sort() : [verdict] };
}

/** Whether two failures are the same oracle firing (the shrinker keeps a change only then). */
export function sameFailure(a: Failure, b: Failure): boolean {
  return a.verdict === b.verdict && a.kinds.some((k) => b.kinds.includes(k));
}

/** Runs `sc` once with `chooser` answering every choice point. */
export function execute(sc: Scenario, chooser: Chooser, o: ExecuteOptions = {}): Execution {
  const recorder = new Recorder(o.keepObjects ?? false);
  const strategy = new ChooserStrategy(chooser, recorder);
  let run: ScenarioRun | null = null;
  try {
    run = runScenario(sc, {
      strategy, observer: recorder, trace: o.trace ?? "events",
      ...(o.stepsMax !== undefined ? { stepsMax: o.stepsMax } : {}),
    });
  } catch (e) {
    if (!(e instanceof RunStopped)) throw e;
  }
  const decisions = recorder.sim?.decisions ?? [];
  return { recorder, decisions, run, failure: run === null ? null : failureOf(run) };
}

/** A chooser that follows `prefix`, then takes the default choice (see defaultChoice()). */
export function prefixChooser(prefix: readonly number[]): Chooser {
  return {
    choose: (ctx) => {
      const d = prefix[ctx.node.decision];
      if (d !== undefined && d >= 0 && d < ctx.node.procs.length) return d;
      return defaultChoice(ctx.node, ctx.last);
    },
  };
}

/**
 * The choice made where the explorer has no reason to choose: the task that ran last if it
 * can go on (no preemption), else the first option (a due timer, else the lowest task id).
 */
export function defaultChoice(node: ChoiceNode, last: number | null, asleep?: (proc: number) => boolean): number {
  const awake = (i: number): boolean => asleep === undefined || !asleep(node.procs[i]!);
  if (last !== null) {
    const i = node.procs.indexOf(last);
    if (i >= node.timers && awake(i)) return i;
  }
  for (let i = 0; i < node.procs.length; i++) if (awake(i)) return i;
  return -1;
}
