/**
 * A scenario run as one JSON object for scripts: scenario, seed, profile, kernel, what the
 * command line overrode, verdict, per-step results with the system calls each step made (their
 * records, 64-bit values exact), uevents (with their keys in kernel order), checks, findings,
 * the replay command and token (the exact schedule) and the seed command.
 */
import { callJson, findingClass, usFromTicks } from "../kernel/mod.js";
import { ueventGet } from "../uapi/mod.js";
import type { Outcome } from "./op.js";
import { replayCommand, replayToken, seedCommand } from "./replay.js";
import type { ScenarioRun } from "./run.js";

/** A step that never returned, as its pending call: the syscall, what it waits on, since when. */
function pendingCall(o: Outcome): Record<string, unknown> {
  if (o.status !== "blocked") return {};
  const sinceUs = usFromTicks(o.sinceTick);
  return { status: o.status, call: o.call, wait: o.wait, state: o.state, sinceUs };
}

export function runJson(run: ScenarioRun): Record<string, unknown> {
  const sc = run.scenario;
  return {
    scenario: sc.name,
    file: sc.file,
    seed: run.seed,
    profile: run.profile,
    kernel: run.kernel,
    overrides: run.overrides,
    devices: sc.world.devices,
    verdict: run.verdict,
    ...(run.budget !== null ? { budget: { stepsMax: run.stepsMax, ...run.budget } } : {}),
    steps: run.steps.map((s) => ({
      program: s.program,
      index: s.step.index,
      line: s.step.line,
      op: s.step.op.name,
      call: s.text,
      startUs: usFromTicks(s.startTick),
      endUs: usFromTicks(s.endTick),
      ...(s.step.copies !== undefined ? { copies: s.step.copies } : {}),
      ...(s.step.as !== undefined ? { as: s.step.as } : {}),
      result: s.outcome.status === "blocked" ? pendingCall(s.outcome) : s.outcome,
      calls: s.calls.map(callJson),
      ...(s.expected !== undefined ? { expect: s.expected } : {}),
      met: s.met,
      ...(s.why !== undefined ? { why: s.why } : {}),
    })),
    uevents: run.uevents.map((u) => ({ timeUs: usFromTicks(u.tick), seqnum: Number(ueventGet(u.event, "SEQNUM")), action: u.event.action, devpath: u.event.devpath, env: u.event.env.map(([k, v]) => `${k}=${v}`) })),
    blocked: run.blocked.map(({ record: r, unexpected }) => ({
      program: r.program,
      index: r.step.index,
      line: r.step.line,
      ...pendingCall(r.outcome),
      allowed: !unexpected,
    })),
    checks: run.checks,
    findings: run.findings.map((f) => ({ class: findingClass(f), expected: !run.unexpected.includes(f), ...f })),
    replay: replayCommand(run),
    replayToken: replayToken(run),
    seedCommand: seedCommand(run),
  };
}
