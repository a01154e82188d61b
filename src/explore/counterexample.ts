/**
 * A counterexample as the explorer prints it: what failed (each unexpected finding as Linux
 * words it, each unmet expectation or check, each program left blocked), then one line per
 * step of the run (the task, the kernel function, and where a choice picked it), then the
 * replay token and the command that reruns it exactly (`vdrm replay`).
 */
import { findingSiteLines, findingSummary, secondsFromTicks } from "../kernel/mod.js";
import { escapeControls, replayToken, shellQuote, type Scenario, type ScenarioRun } from "../scenario/mod.js";
import { defaultChoice, execute, type Chooser, type Failure } from "./execution.js";
import type { Recorder } from "./record.js";

export interface Counterexample {
  readonly run: ScenarioRun;
  readonly recorder: Recorder;
  readonly decisions: readonly number[];
  readonly failure: Failure;
  /** null when the run made more decisions than a token holds. */
  readonly token: string | null;
}

/** Follows `decisions` exactly (a choice that does not fit is a bug of the caller). */
function exactChooser(decisions: readonly number[]): Chooser {
  return {
    choose: (ctx) => {
      const d = decisions[ctx.node.decision];
      if (d === undefined || d >= ctx.node.procs.length) throw new Error(`Cannot rerun counterexample: decision ${ctx.node.decision} does not fit`);
      return d;
    },
  };
}

/** Reruns `decisions` with every step traced; null if it no longer fails (nondeterminism). */
export function counterexample(sc: Scenario, decisions: readonly number[], stepsMax?: number): Counterexample | null {
  const ex = execute(sc, exactChooser(decisions), { trace: "steps", ...(stepsMax !== undefined ? { stepsMax } : {}) });
  if (ex.run === null || ex.failure === null) return null;
  return { run: ex.run, recorder: ex.recorder, decisions: ex.decisions, failure: ex.failure, token: replayToken(ex.run) };
}

/** What failed, one line each (findings with their sites indented). */
export function failureLines(run: ScenarioRun): string[] {
  const out: string[] = [];
  for (const f of run.unexpected) {
    out.push(`  ${escapeControls(findingSummary(f))}`);
    for (const l of findingSiteLines(f)) out.push(`    ${escapeControls(l)}`);
  }
  for (const s of run.steps) {
    if (s.met === false) out.push(`  expectation: ${s.program}#${s.step.index} ${escapeControls(s.text)}: ${escapeControls(s.why ?? "")}`);
  }
  for (const c of run.checks) {
    if (!c.met) out.push(`  check: ${escapeControls(c.what)}${c.detail === undefined ? "" : `: ${escapeControls(c.detail)}`}`);
  }
  for (const b of run.blocked) {
    if (b.unexpected) out.push(`  blocked: ${b.record.program}#${b.record.step.index} ${escapeControls(b.record.text)}`);
  }
  if (run.budget !== null) out.push(`  budget: the step budget of ${run.stepsMax} steps ran out`);
  return out;
}

/**
 * One line per transition that ran a kernel step or fired a timer, from the programs' start
 * (boot has no choices), numbered as steps of the run. A choice that was not the default one
 * (see defaultChoice(): the task before goes on, else the first option) is marked on the
 * first step it led to: those are the choices that make the interleaving.
 */
export function stepLines(r: Recorder): string[] {
  const names = new Map<number, string>((r.sim?.allTasks ?? []).map((t) => [t.id, t.name]));
  const name = (p: number | null): string => (p === null ? "?" : names.get(p) ?? String(p));
  const width = Math.max(8, ...[...names.values()].map((n) => n.length));
  const users = new Set((r.sim?.allTasks ?? []).filter((t) => t.kind === "user").map((t) => t.id as number));
  const first = r.transitions.findIndex((t) => users.has(t.proc));
  const marks = new Map<number, string>();
  const out: string[] = [];
  let n = 0;
  for (const [i, t] of r.transitions.entries()) {
    const node = t.decision >= 0 ? r.nodes[t.decision] : undefined;
    const prev = i > 0 ? r.transitions[i - 1]!.proc : null;
    if (node !== undefined && defaultChoice(node, prev) !== node.chosen) {
      const preempts = prev !== null && node.procs.indexOf(prev) >= node.timers;
      marks.set(t.proc, `  <- choice ${t.decision}${preempts ? ` (preempts ${name(prev)})` : ""}`);
    }
    if (t.fn === "") continue;
    n++;
    if (i < first) continue;
    const mark = marks.get(t.proc) ?? "";
    marks.delete(t.proc);
    const who = escapeControls(name(t.proc).padEnd(width));
    out.push(`  ${String(n).padStart(5)}  ${who}  ${t.timer ? "timer fires" : t.fn}${mark}`);
  }
  return out;
}

/** The command that reruns a counterexample. */
export function replayLine(cx: Counterexample): string {
  if (cx.token === null) return "replay: (no token: too many decisions)";
  return `vdrm replay ${cx.token} ${shellQuote(cx.run.scenario.file)}`;
}

/** The whole counterexample as text. */
export function formatCounterexample(cx: Counterexample): string[] {
  const r = cx.run;
  const kinds = cx.failure.kinds.join(", ");
  return [
    `counterexample: ${cx.failure.verdict} (${kinds}) after ${cx.decisions.length} decisions, ` +
      `${r.world.sim.stepCount} steps, t=${secondsFromTicks(r.world.sim.now).toFixed(6)} s`,
    ...failureLines(r),
    "steps:",
    ...stepLines(cx.recorder),
    `replay: ${replayLine(cx)}`,
  ];
}
