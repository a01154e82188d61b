/**
 * Runs a scenario: builds its world, boots it, starts every program at once (the scheduler
 * interleaves them from the seed), records each step's outcome and the uevents, evaluates the
 * final checks, shuts the world down (so leaks count) and gives a verdict.
 *
 * A program still asleep when nothing more can happen has its step recorded as `blocked`,
 * with the call it is in. Asleep interruptibly, it is the program's business: the verdict is
 * `blocked` unless the scenario allowed it (may-end-blocked, or the step expects `blocked`).
 * Asleep uninterruptibly, it is the kernel's: a `hang` finding. Shutdown then kills it.
 */
import type { KernelVersion, ProfileName, Process } from "../base/mod.js";
import { findingClass, ReplayMismatchError, RunStopped, TaskKilled, type CallRecord, type ExecutionObserver, type Finding, type FindingClass, type FootprintMode, type RunOutcome, type SchedulingStrategy, type Sim, type TraceLevel } from "../kernel/mod.js";
import type { Call, Fd, Uevent } from "../uapi/mod.js";
import { manageServices, resolvedProfile, World, type BlockedProgram, type Service, type WorldOptions } from "../world/mod.js";
import { ticksFromUs } from "../kernel/mod.js";
import { checkDevice, checkFindings, checkUevents, isExpectedFinding, type CheckResult } from "./checks.js";
import { RunCrash } from "./crash.js";
import { checkExpectation, formatExpectation } from "./expect.js";
import { WorldMachine } from "./machine.js";
import type { Outcome, StepContext } from "./op.js";
import type { ProgramSpec, Scenario, Step } from "./scenario.js";
import { seedCommand } from "./replay.js";
import { NamedResults, StepError } from "./values.js";
import { STEPS_MAX_DEFAULT, worstVerdict, type ScenarioVerdict } from "./verdict.js";

export type { ScenarioVerdict } from "./verdict.js";

export interface RunOverrides {
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly trace?: TraceLevel;
  /**
   * Replays this decision list instead of scheduling from the seed. A list that does not fit
   * the run throws ReplayMismatchError (from src/kernel/strategy.ts).
   */
  readonly decisions?: readonly number[];
  /** @default STEPS_MAX_DEFAULT */
  readonly stepsMax?: number;
  /** "check" runs the footprint checker (an undeclared access is a finding). @default the Sim's */
  readonly footprints?: FootprintMode;
  /**
   * Schedules with this strategy (an explorer's) instead of the seed's; it may end the run
   * early by throwing RunStopped, which is passed on. Not with `decisions`.
   */
  readonly strategy?: SchedulingStrategy;
  /** Hears of every transition (an explorer's). */
  readonly observer?: ExecutionObserver;
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
  /** The expectation with its references resolved when the step returned. */
  readonly expected?: string;
  /** null: no expectation. */
  readonly met: boolean | null;
  readonly why?: string;
}

/** A setting of the world that the command line gave in place of the file's. */
export interface Override<T> {
  readonly file: T;
  readonly used: T;
}

/** What the command line overrode, by option; only those that differ from the file. */
export interface Overrides {
  readonly seed?: Override<number>;
  readonly profile?: Override<ProfileName>;
  readonly kernel?: Override<KernelVersion>;
}

export interface UeventRecord {
  readonly tick: number;
  readonly event: Uevent;
}

/** A program still asleep at the end, in the step recorded as `blocked`. */
export interface BlockedRecord {
  readonly record: StepRecord;
  /**
   * It makes the verdict `blocked`: asleep interruptibly, not reported as a kernel hang
   * (wait-never-woken), and the scenario did not allow it.
   */
  readonly unexpected: boolean;
}

/** Where a run stopped when its step budget ran out. */
export interface BudgetStop {
  readonly steps: number;
  readonly tick: number;
  /** The tasks that had not ended, e.g. "app (runnable, in drm_ioctl)". */
  readonly unfinished: readonly string[];
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly profile: ProfileName;
  readonly kernel: KernelVersion;
  readonly overrides: Overrides;
  readonly steps: readonly StepRecord[];
  readonly uevents: readonly UeventRecord[];
  readonly checks: readonly CheckResult[];
  readonly findings: readonly Finding[];
  /** Findings the scenario did not declare in checks.findings. */
  readonly unexpected: readonly Finding[];
  /** The programs still asleep when the run ended, with their blocked steps. */
  readonly blocked: readonly BlockedRecord[];
  readonly verdict: ScenarioVerdict;
  readonly world: World;
  readonly stepsMax: number;
  /** Set when the step budget ran out: the world was stopped there and not shut down. */
  readonly budget: BudgetStop | null;
  /** The files programs left on the machine (a recovery daemon's journal), by path: their lines. */
  readonly stateFiles: ReadonlyMap<string, readonly string[]>;
}

/** The most serious class among the findings, if any. */
export function worstFindingClass(findings: readonly Finding[]): FindingClass | undefined {
  const worst = worstVerdict(findings.map(findingClass));
  return worst === "pass" ? undefined : worst;
}

/**
 * Runs the scenario in a fresh world.
 * @throws RunCrash when the model throws (a bug of vdrm), with the command that replays it.
 */
export function runScenario(sc: Scenario, o: RunOverrides = {}): ScenarioRun {
  const seed = o.seed ?? sc.world.seed ?? 1;
  const profile = o.profile ?? sc.world.profile;
  const kernel = o.kernel ?? sc.world.kernel;
  const stepsMax = o.stepsMax ?? STEPS_MAX_DEFAULT;
  const options: WorldOptions = {
    seed, devices: sc.world.devices, trace: o.trace ?? "steps",
    ...(profile ? { profile } : {}), ...(kernel ? { kernel } : {}),
    ...(o.decisions !== undefined ? { schedule: { replay: o.decisions } } : {}),
    ...(o.strategy !== undefined ? { schedule: o.strategy } : {}),
    ...(o.observer !== undefined ? { observer: o.observer } : {}),
    ...(o.footprints !== undefined ? { footprints: o.footprints } : {}),
  };
  const world = new World(options);
  try {
    return runInWorld(sc, world, stepsMax, overridesOf(sc, o));
  } catch (e) {
    // A replay token that does not fit the run is bad input, not a bug of vdrm.
    if (e instanceof ReplayMismatchError || e instanceof RunStopped) throw e;
    const p = resolvedProfile(options);
    const run = { scenario: sc, seed, profile: p.name, kernel: p.version, stepsMax };
    throw new RunCrash(seedCommand(run), e);
  }
}

function runInWorld(sc: Scenario, world: World, stepsMax: number, overrides: Overrides): ScenarioRun {
  const started = startRun(sc, world, overrides);
  return finishRun(started, world.run(stepsMax), stepsMax);
}

/** A run under way: its world booted, its programs spawned, its uevents recorded. */
export interface StartedRun {
  readonly sc: Scenario;
  readonly world: World;
  readonly overrides: Overrides;
  readonly uevents: readonly UeventRecord[];
  readonly shared: Shared;
  readonly unsubscribe: () => void;
  /** The programs the caller runs itself. */
  readonly skip: ReadonlySet<string>;
}

/**
 * Boots the scenario's world and spawns its programs, but those named in `skip` (which the
 * caller runs itself, e.g. a real program attached through `vdrm exec`); nothing runs yet.
 */
export function startRun(sc: Scenario, world: World, overrides: Overrides = {}, skip: ReadonlySet<string> = new Set()): StartedRun {
  for (const n of sc.world.slots) world.bus.addRootPort(n);
  world.bootSync();
  const uevents: UeventRecord[] = [];
  const unsubscribe = world.observeUevents({ deliver: (event, tick) => void uevents.push({ tick, event }) });
  const shared: Shared = { machine: new WorldMachine(world), names: new NamedResults(), steps: [], inFlight: new Map() };
  const services: Service[] = [];
  for (const p of sc.programs) {
    if (skip.has(p.name)) continue;
    const program = world.spawnProgram(p.name, (sys) => runProgram(sys, p, shared));
    if (p.service !== null) services.push({ program, stopTimeoutTicks: ticksFromUs(p.service.stopTimeoutUs) });
  }
  manageServices(world, services);
  return { sc, world, overrides, uevents, shared, unsubscribe, skip };
}

/** Ends a started run whose simulation stopped with `outcome`: checks, shutdown, verdict. */
export function finishRun(r: StartedRun, outcome: RunOutcome, stepsMax: number): ScenarioRun {
  const { sc, world, overrides, uevents, shared } = r;
  const seed = world.sim.seed;
  r.unsubscribe();
  const steps = shared.steps;
  const budget = outcome.kind === "budget" ? budgetStop(world, outcome.steps) : null;
  // Programs asleep when nothing more can happen (not when the budget stopped the run).
  const blocked = budget !== null
    ? []
    : world.blockedPrograms()
      .filter((b) => !r.skip.has(b.program.task.name))
      .map((b) => blockedRecord(b, sc, shared, world.sim));
  steps.push(...blocked.map((b) => b.record));

  const checks: CheckResult[] = [
    ...checkUevents(sc.checks.uevents, uevents.map((u) => u.event)),
    ...sc.checks.devices.flatMap((d) => checkDevice(d, world.kernel.sysfs)),
  ];
  // A world stopped mid-run is not shut down: its programs are still in their calls.
  if (budget === null) {
    world.shutdownSync();
    world.endSchedule();
  }
  const findings = world.sim.findings;
  checks.push(...checkFindings(sc.checks, findings));
  const unexpected = sc.checks.clean ? findings.filter((f) => !isExpectedFinding(f, sc.checks)) : [];
  const expectationFailed = steps.some((s) => s.met === false) || checks.some((c) => !c.met);
  const verdict: ScenarioVerdict = worstVerdict<ScenarioVerdict>([
    ...unexpected.map(findingClass),
    ...(blocked.some((b) => b.unexpected) ? ["blocked" as const] : []),
    ...(budget !== null ? ["budget" as const] : []),
    ...(expectationFailed ? ["expectation" as const] : []),
  ]);
  const p = world.kernel.profile;
  return {
    scenario: sc, seed, profile: p.name, kernel: p.version, overrides, steps, uevents, checks,
    findings, unexpected, blocked, verdict, world, stepsMax, budget,
    stateFiles: shared.machine.stateFiles,
  };
}

function budgetStop(world: World, steps: number): BudgetStop {
  const unfinished = world.sim.allTasks
    .filter((t) => t.state !== "done" && !t.daemon)
    .map((t) => `${t.name} (${t.state}${t.lastFn ? `, in ${t.lastFn}` : ""})`);
  return { steps, tick: world.sim.now, unfinished };
}

/** The command line's value where the file has another one. */
function override<T>(file: T | undefined, used: T | undefined): { file: T; used: T } | undefined {
  return file !== undefined && used !== undefined && file !== used ? { file, used } : undefined;
}

function overridesOf(sc: Scenario, o: RunOverrides): Overrides {
  const seed = override(sc.world.seed, o.seed);
  const profile = override(sc.world.profile, o.profile);
  const kernel = override(sc.world.kernel, o.kernel);
  return { ...(seed && { seed }), ...(profile && { profile }), ...(kernel && { kernel }) };
}

/** The step a program is running, from its start until it returns. */
interface InFlight {
  readonly step: Step;
  readonly text: string;
  readonly startTick: number;
  /** Where the step's calls start in the trace, and the task that makes them. */
  readonly firstEvent: number;
  readonly task: number;
}

/** The record of a step that never returned, and whether the scenario allowed that. */
function blockedRecord(
  b: BlockedProgram,
  sc: Scenario,
  shared: Shared,
  sim: Sim,
): BlockedRecord {
  const name = b.program.task.name;
  const at = shared.inFlight.get(name);
  const spec = sc.programs.find((p) => p.name === name);
  if (at === undefined || spec === undefined) {
    throw new Error(`Cannot record blocked program ${name}: it is not in a step`);
  }
  const call = b.call === null ? null : `${b.call.op}(${b.call.args})`;
  const sinceTick = b.call?.sinceTick ?? b.sinceTick;
  const outcome: Outcome = { status: "blocked", call, wait: b.reason, state: b.state, sinceTick };
  // Its calls are those it finished before it blocked (the pending one has no record yet).
  const record = stepRecord(name, at, outcome, shared.names, sim);
  shared.inFlight.delete(name);
  // A service waits for events by design; it is stopped when the others end, not waited for.
  const allowed = spec.mayEndBlocked || spec.service !== null || at.step.expect?.kind === "blocked";
  // A sleep reported as a kernel hang is the kernel's: its finding makes the verdict.
  return { record, unexpected: b.state === "interruptible" && !b.hang && !allowed };
}

/** The record of the step `at` of `program`, which ended now with `outcome`. */
function stepRecord(
  program: string,
  at: InFlight,
  outcome: Outcome,
  names: NamedResults,
  sim: Sim,
): StepRecord {
  const { step, text, startTick } = at;
  const v = checkExpectation(step.expect, outcome, names);
  // The expectation as it reads now, its references resolved (later steps may rename them).
  const expected = step.expect && { expected: formatExpectation(step.expect, names) };
  const why = v.why !== undefined ? { why: v.why } : {};
  const calls = callsSince(sim, at.firstEvent, at.task);
  return {
    program, step, text, startTick, endTick: sim.now, outcome, calls, ...expected, met: v.met,
    ...why,
  };
}

interface Shared {
  readonly machine: WorldMachine;
  readonly names: NamedResults;
  readonly steps: StepRecord[];
  readonly inFlight: Map<string, InFlight>;
}

/** The context of `p`'s steps in process `sys`, with its uevent socket if it waits for uevents. */
function* stepContext(sys: Process, p: ProgramSpec, shared: Shared): Call<StepContext> {
  let ueventFd: Fd | null = null;
  if (p.steps.some((s) => s.op.name === "wait-uevent")) {
    const r = yield* sys.ueventSocket();
    if (r.ok) ueventFd = r.value;
  }
  return { program: p.name, sys, names: shared.names, machine: shared.machine, ueventFd };
}

function* runProgram(first: Process, p: ProgramSpec, shared: Shared): Call<void> {
  let sys = first;
  let ctx = yield* stepContext(sys, p, shared);
  const sim = sys.kernel.sim;
  const task = sim.current?.id ?? 0;
  for (const step of p.steps) {
    const text = step.op.describe(shared.names.substitute(step.args));
    const at: InFlight = { step, text, startTick: sim.now, firstEvent: sim.trace.events.length, task };
    shared.inFlight.set(p.name, at);
    let outcome: Outcome;
    try {
      outcome = yield* step.op.run(ctx, step.args);
    } catch (e) {
      // Killed in the step (a reboot's SIGKILL): the step ends there, and so does the program.
      // A step already recorded as blocked at the end is not recorded again.
      if (e instanceof TaskKilled && shared.inFlight.get(p.name) === at) {
        shared.inFlight.delete(p.name);
        shared.steps.push(stepRecord(p.name, at, { status: "signal", signal: e.signal }, shared.names, sim));
      }
      if (!(e instanceof StepError)) throw e;
      outcome = { status: "error", message: e.message };
    }
    shared.inFlight.delete(p.name);
    if (step.as !== undefined && outcome.status === "ok") shared.names.set(step.as, outcome.fields, step.op.main);
    shared.steps.push(stepRecord(p.name, at, outcome, shared.names, sim));
    // The signal of a CPU access is fatal (no handlers): the program runs no further step.
    if (outcome.status === "signal") throw new TaskKilled(p.name, outcome.signal);
    // After a reboot the program goes on in a new process, with a new uevent socket.
    const now = shared.machine.processOf(p.name);
    if (now !== undefined && now !== sys) {
      sys = now;
      ctx = yield* stepContext(sys, p, shared);
    }
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
