/**
 * A scenario run as a readable timeline: every step with its result and whether its
 * expectation held, the uevents as `udevadm monitor --kernel --property` prints them, the
 * final checks, the kernel's findings with their sites, the verdict and the replay commands.
 */
import { findingClass, findingSiteLines, findingSummary, secondsFromTicks, usFromTicks } from "../kernel/mod.js";
import { formatUdevadm } from "../uapi/mod.js";
import { formatWorldOptions } from "../world/mod.js";
import { asleep, formatOutcome } from "./expect.js";
import { replayCommand, seedCommand } from "./replay.js";
import type { BlockedRecord, BudgetStop, Overrides, ScenarioRun, StepRecord } from "./run.js";
import { repeatTag, stepWhere } from "./step_label.js";
import { escapeControls, escapeLines } from "./user_text.js";
import { verdictWord } from "./verdict.js";

/** A time of the timeline, as dmesg prints it: "[   1.000053]". */
export function time(tick: number): string {
  return `[${secondsFromTicks(tick).toFixed(6).padStart(11)}]`;
}

function stepLine(s: StepRecord, width: number): string[] {
  const call = escapeControls(`${repeatTag(s.step.copies)}${s.text} = ${formatOutcome(s.outcome)}`);
  const head = `${time(s.endTick)} ${`${s.program}#${s.step.index}`.padEnd(width)} ${call}`;
  if (s.met === false) {
    const why = `${escapeControls(s.why ?? "")} (${stepWhere(s.step)})`;
    return [`${head}  FAILED`, `${" ".repeat(14)}${why}`];
  }
  if (s.met === true) return [`${head}  (expected ${escapeControls(s.expected ?? "")})`];
  return [s.outcome.status === "error" ? `${head}  (no expect: not checked)` : head];
}

/** `--kernel 6.12 (the file says 6.8)`, for each setting the command line overrode. */
function overrideLine(o: Overrides): string | null {
  const parts = (["seed", "profile", "kernel"] as const).flatMap((k) => {
    const v = o[k];
    return v === undefined ? [] : [`--${k} ${v.used} (the file's world.${k} is ${v.file})`];
  });
  return parts.length === 0 ? null : `  command line overrides the file: ${parts.join(", ")}`;
}

/** One line per program still asleep at the end: its step, its call, and what became of it. */
function blockedLines(blocked: readonly BlockedRecord[]): string[] {
  return blocked.map(({ record: r, unexpected }) => {
    if (r.outcome.status !== "blocked") return "";
    const o = r.outcome;
    const step = `${r.program}#${r.step.index} (${stepWhere(r.step)})`;
    const since = secondsFromTicks(o.sinceTick).toFixed(6);
    const call = o.call ?? r.text;
    const where = escapeControls(`${step}: ${call} since ${since}, ${asleep(o.state)} on ${o.wait}`);
    const why = o.state === "uninterruptible"
      ? "a kernel hang (see findings)"
      : unexpected ? "not allowed (declare may-end-blocked, or expect: blocked)" : "allowed";
    return `  ${where}; ${why}; killed at shutdown`;
  });
}

function budgetLine(run: ScenarioRun, b: BudgetStop, width: number): string {
  const unfinished = b.unfinished.length > 0 ? `; not ended: ${b.unfinished.join(", ")}` : "";
  const what = `the step budget of ${run.stepsMax} steps ran out${unfinished}`;
  return `${time(b.tick)} ${"budget".padEnd(width)} ${what}`;
}

/**
 * The timeline of a run. A failure ends with its replay commands (by token and by seed);
 * `replay: true` prints them for a pass too, to pin a passing interleaving.
 */
export function formatRunText(run: ScenarioRun, o: { uevents?: boolean; replay?: boolean } = {}): string {
  const out: string[] = [];
  const sc = run.scenario;
  out.push(escapeControls(`scenario ${sc.name} (${sc.file})`));
  if (sc.description) out.push(`  ${escapeLines(sc.description.trim()).replace(/\n/g, "\n  ")}`);
  const world = { seed: run.seed, profile: run.profile, kernel: run.kernel, devices: sc.world.devices };
  out.push(`  ${formatWorldOptions({ ...world, footprints: run.world.sim.footprints })}`);
  const overridden = overrideLine(run.overrides);
  if (overridden !== null) out.push(overridden);
  out.push("");
  const width = Math.max(...run.steps.map((s) => `${s.program}#${s.step.index}`.length), 6);
  type Entry = { tick: number; order: number; lines: string[] };
  const entries: Entry[] = run.steps.map((s, i) => ({ tick: s.endTick, order: i, lines: stepLine(s, width) }));
  if (o.uevents !== false) {
    for (const [i, u] of run.uevents.entries()) {
      const text = formatUdevadm(u.event, usFromTicks(u.tick)).trimEnd().split("\n");
      entries.push({ tick: u.tick, order: -run.uevents.length + i, lines: text.map((l, j) => (j === 0 ? `${time(u.tick)} ${"uevent".padEnd(width)} ${l}` : `${" ".repeat(14 + width)}${l}`)) });
    }
  }
  entries.sort((a, b) => a.tick - b.tick || a.order - b.order);
  for (const e of entries) out.push(...e.lines);
  if (run.budget !== null) out.push(budgetLine(run, run.budget, width));
  if (run.checks.length > 0) {
    out.push("", "checks:");
    for (const c of run.checks) {
      const detail = c.detail ? ` (${c.detail})` : "";
      out.push(escapeControls(`  ${c.met ? "ok  " : "FAIL"} ${c.what}${detail}`));
    }
  }
  if (run.blocked.length > 0) out.push("", "blocked at the end:", ...blockedLines(run.blocked));
  if (run.findings.length > 0) {
    out.push("", "findings:");
    for (const f of run.findings) {
      out.push(`  ${findingClass(f)}${run.unexpected.includes(f) ? "" : " (expected)"}: ${findingSummary(f)}`);
      for (const l of findingSiteLines(f)) out.push(`    ${l}`);
    }
  }
  out.push("", `verdict: ${verdictWord(run)}`);
  if (run.verdict !== "pass" || o.replay === true) out.push(`replay: ${replayCommand(run)}`, `seed: ${seedCommand(run)}`);
  return out.join("\n");
}
