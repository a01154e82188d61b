/**
 * Runs a scenario: builds its world, boots it, starts every program at once (the scheduler
 * interleaves them from the seed), records each step's outcome and the uevents, evaluates the
 * final checks, shuts the world down (so leaks count) and gives a verdict.
 */
import type { KernelVersion, ProfileName, Process } from "../base/mod.js";
import { findingClass, type CallRecord, type Finding, type FindingClass, type Sim, type TraceLevel } from "../kernel/mod.js";
import type { Call, Fd, Uevent } from "../uapi/mod.js";
import { World } from "../world/mod.js";
import { checkDevice, checkFindings, checkUevents, isExpectedFinding, type CheckResult } from "./checks.js";
import { checkExpectation } from "./expect.js";
import { WorldMachine } from "./machine.js";
import type { Outcome, StepContext } from "./op.js";
import type { ProgramSpec, Scenario, Step } from "./scenario.js";
import { NamedResults, StepError } from "./values.js";

export interface RunOverrides {
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly trace?: TraceLevel;
}

export interface StepRecord {
  readonly program: string;
  readonly step: Step;
  readonly text: string;
  readonly startTick: number;
  readonly endTick: number;
  readonly outcome: Outcome;
  /**
   * The system calls the step made, in order: the trace's own records (the same objects), so
   * the timeline, its JSON and the HTML report all read one record of each call.
   */
  readonly calls: readonly CallRecord[];
  /** null: no expectation. */
  readonly met: boolean | null;
  readonly why?: string;
}

export interface UeventRecord {
  readonly tick: number;
  readonly event: Uevent;
}

/** pass, or the failure class; the CLI gives each its exit code. */
export type ScenarioVerdict = "pass" | "expectation" | FindingClass;

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly profile: ProfileName;
  readonly kernel: KernelVersion;
  readonly steps: readonly StepRecord[];
  readonly uevents: readonly UeventRecord[];
  readonly checks: readonly CheckResult[];
  readonly findings: readonly Finding[];
  /** Findings the scenario did not declare in checks.findings. */
  readonly unexpected: readonly Finding[];
  readonly verdict: ScenarioVerdict;
  readonly world: World;
}

/** The failure classes, most serious first. */
const CLASS_ORDER: readonly FindingClass[] = ["memory", "hang", "leak", "warn"];

/** The most serious class among the findings, if any. */
export function worstFindingClass(findings: readonly Finding[]): FindingClass | undefined {
  const classes = new Set(findings.map(findingClass));
  return CLASS_ORDER.find((c) => classes.has(c));
}

export function runScenario(sc: Scenario, o: RunOverrides = {}): ScenarioRun {
  const seed = o.seed ?? sc.world.seed ?? 1;
  const profile = o.profile ?? sc.world.profile;
  const kernel = o.kernel ?? sc.world.kernel;
  const world = new World({ seed, devices: sc.world.devices, trace: o.trace ?? "steps", ...(profile ? { profile } : {}), ...(kernel ? { kernel } : {}) });
  for (const n of sc.world.slots) world.bus.addRootPort(n);
  world.bootSync();

  const uevents: UeventRecord[] = [];
  const unsubscribe = world.kernel.uevents.subscribe({ deliver: (event, tick) => void uevents.push({ tick, event }) });
  const machine = new WorldMachine(world);
  const names = new NamedResults();
  const steps: StepRecord[] = [];
  for (const p of sc.programs) world.spawnProgram(p.name, (sys) => runProgram(sys, p, { machine, names, steps }));
  world.run();
  unsubscribe();

  const checks: CheckResult[] = [...checkUevents(sc.checks.uevents, uevents.map((u) => u.event)), ...sc.checks.devices.flatMap((d) => checkDevice(d, world.kernel.sysfs))];
  world.shutdownSync();
  const findings = world.sim.findings;
  checks.push(...checkFindings(sc.checks, findings));
  const unexpected = sc.checks.clean ? findings.filter((f) => !isExpectedFinding(f, sc.checks)) : [];
  const failedClass = worstFindingClass(unexpected);
  const expectationFailed = steps.some((s) => s.met === false) || checks.some((c) => !c.met);
  const verdict: ScenarioVerdict = failedClass ?? (expectationFailed ? "expectation" : "pass");
  const p = world.kernel.profile;
  return { scenario: sc, seed, profile: p.name, kernel: p.version, steps, uevents, checks, findings, unexpected, verdict, world };
}

interface Shared {
  readonly machine: WorldMachine;
  readonly names: NamedResults;
  readonly steps: StepRecord[];
}

function* runProgram(sys: Process, p: ProgramSpec, shared: Shared): Call<void> {
  let ueventFd: Fd | null = null;
  if (p.steps.some((s) => s.op.name === "wait-uevent")) {
    const r = yield* sys.ueventSocket();
    if (r.ok) ueventFd = r.value;
  }
  const ctx: StepContext = { program: p.name, sys, names: shared.names, machine: shared.machine, ueventFd };
  const sim = sys.kernel.sim;
  const task = sim.current?.id ?? 0;
  for (const step of p.steps) {
    const startTick = sim.now;
    const firstEvent = sim.trace.events.length;
    const text = step.op.describe(shared.names.substitute(step.args));
    let outcome: Outcome;
    try {
      outcome = yield* step.op.run(ctx, step.args);
    } catch (e) {
      if (!(e instanceof StepError)) throw e;
      outcome = { status: "error", message: e.message };
    }
    if (step.as !== undefined && outcome.status === "ok") shared.names.set(step.as, outcome.fields, step.op.main);
    const v = checkExpectation(step.expect, outcome, shared.names);
    const calls = callsSince(sim, firstEvent, task);
    shared.steps.push({ program: p.name, step, text, startTick, endTick: sim.now, outcome, calls, met: v.met, ...(v.why !== undefined ? { why: v.why } : {}) });
  }
}

/** The calls task `task` made since trace event `from`: the records themselves. */
function callsSince(sim: Sim, from: number, task: number): CallRecord[] {
  const events = sim.trace.events;
  const calls: CallRecord[] = [];
  for (let i = from; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.t === "call" && ev.task === task) calls.push(ev);
  }
  return calls;
}
