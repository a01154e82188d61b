/**
 * @internal Fixtures of the GPU scheduler tests: a scheduler on a bare DRM machine whose driver
 * side is the test's. run_job gives each job a hardware fence the test signals when it likes
 * (or none), timedout_job answers what the test says, cancel_job (if installed) signals the
 * job's hardware fence with -ECANCELED, and a log records, with the time, what the scheduler
 * asked of the driver. The test holds a reference to each job's finished fence (as a syncobj
 * would) to read its status after the job is freed.
 */
import {
  dmaFenceContextAlloc,
  dmaFenceGet,
  dmaFenceInit,
  dmaFencePut,
  dmaFenceSetError,
  dmaFenceSignal,
  type DmaFence,
} from "../base/mod.js";
import {
  assert,
  findingSummary,
  lookupStep,
  sleepTicks,
  type KStruct,
  type StepYield,
  type Task,
} from "../kernel/mod.js";
import { errnoName, errnoValue, type ErrnoName } from "../uapi/mod.js";
import { drmMachine, type DrmMachine } from "./_testing.js";
import { drmSchedEntityDestroy, drmSchedEntityInit, drmSchedEntityPushJob, type DrmSchedEntity } from "./sched_entity.js";
import { drmSchedFini, drmSchedFree } from "./sched_fini.js";
import { drmSchedJobAddDependency, drmSchedJobArm, drmSchedJobInit, type DrmSchedJob } from "./sched_job.js";
import { drmSchedInit, schedKillObjects, type DrmGpuScheduler, type DrmGpuSchedStat } from "./sched_main.js";

const OPS = { getDriverName: () => "schedtest", getTimelineName: () => "hw" };

export interface RigOptions {
  /** The engine's credit limit (hw_submission); 2 unless given. */
  readonly creditLimit?: number;
  /** The job timeout; 10 000 ticks unless given. */
  readonly timeoutTicks?: number;
  /** What timedout_job does (after the rig logs it); answers NO_HANG unless given. */
  readonly timedout?: (rig: SchedRig, job: DrmSchedJob<string>) => Task<DrmGpuSchedStat>;
  /** Install cancel_job. */
  readonly cancel?: boolean;
  /** The jobs run_job gives no hardware fence (null), by name. */
  readonly noHardware?: readonly string[];
}

export interface Submit {
  readonly credits?: number;
  /** Names of jobs (submitted before) whose finished fence this one waits for. */
  readonly after?: readonly string[];
  /** Fences this one waits for. */
  readonly deps?: readonly DmaFence[];
}

export class SchedRig {
  readonly m: DrmMachine;
  readonly sched: DrmGpuScheduler;
  /**
   * What the driver side was asked ("run a", "timedout a", "cancel a") and what the hardware
   * did ("done a", "done a EIO"), in order; `ticks` holds the time of each entry.
   */
  readonly log: string[] = [];
  readonly ticks: number[] = [];
  readonly jobs = new Map<string, DrmSchedJob<string>>();
  /** The test's references to each job's finished and scheduled fences. */
  readonly finished = new Map<string, DmaFence>();
  readonly scheduled = new Map<string, DmaFence>();
  /** The latest hardware fence of each job (the test holds a reference to each it made). */
  readonly hw = new Map<string, DmaFence>();
  private readonly allHw: DmaFence[] = [];
  private readonly extra: DmaFence[] = [];
  private readonly context: bigint;
  private seqno = 0n;

  constructor(readonly options: RigOptions = {}) {
    this.m = drmMachine();
    const kernel = this.m.kernel;
    this.context = dmaFenceContextAlloc(kernel, 1);
    this.sched = drmSchedInit(kernel, "testring", {
      runJob: (job) => this.runJob(job as DrmSchedJob<string>),
      timedoutJob: (job) => this.timedoutJob(job as DrmSchedJob<string>),
      ...(options.cancel === true ? { cancelJob: (job) => this.cancelJob(job as DrmSchedJob<string>) } : {}),
    }, options.creditLimit ?? 2, options.timeoutTicks ?? 10_000);
  }

  get now(): number {
    return this.m.sim.now;
  }

  /** A step that writes everything the rig knows of: the scheduler's objects and the fences. */
  step(fn: string): StepYield {
    return lookupStep(fn, () => ({ reads: [], writes: this.objects() }));
  }

  objects(): KStruct[] {
    const held = [...this.finished.values(), ...this.scheduled.values()];
    return [...schedKillObjects(this.sched), ...this.allHw, ...held, ...this.extra];
  }

  /**
   * A fence of the test's own (a dependency from elsewhere), unsignalled. A `done` fence's
   * work is over: it signals as soon as someone enables its signalling (a waiter, a callback).
   */
  fence(done = false): DmaFence {
    const ops = done ? { ...OPS, enableSignaling: () => false } : OPS;
    const f = dmaFenceInit(this.m.kernel, ops, this.context, ++this.seqno);
    this.extra.push(f);
    return f;
  }

  /** A new entity (runs its own step). */
  entity(label: string): DrmSchedEntity {
    return this.m.run(() => this.entityTask(label));
  }

  private *entityTask(label: string): Task<DrmSchedEntity> {
    yield this.step("test_entity_init");
    return drmSchedEntityInit(this.sched, label);
  }

  /** Runs `body` `afterTicks` from now in a task of its own, in a step writing objects(). */
  at(afterTicks: number, body: () => Task<void> | void): void {
    const rig = this;
    this.m.sim.spawn(`test at +${afterTicks}`, (function* (): Task<void> {
      yield sleepTicks(afterTicks, rig.step("test_action"));
      const r = body();
      if (r !== undefined) yield* r;
    })());
  }

  /** Makes, arms and pushes job `name` (call inside at() or run()). */
  *submit(entity: DrmSchedEntity, name: string, s: Submit = {}): Task<void> {
    const job = drmSchedJobInit(entity, s.credits ?? 1, name);
    for (const d of s.after ?? []) drmSchedJobAddDependency(job, this.finishedOf(d));
    for (const d of s.deps ?? []) drmSchedJobAddDependency(job, d);
    const sFence = drmSchedJobArm(job);
    this.jobs.set(name, job);
    this.finished.set(name, dmaFenceGet(sFence.finished));
    this.scheduled.set(name, dmaFenceGet(sFence.scheduled));
    yield* drmSchedEntityPushJob(job);
  }

  /** The hardware is done with job `name`'s latest run (with `error`, if given). */
  complete(name: string, error?: ErrnoName): void {
    const f = this.hw.get(name);
    assert(f !== undefined, `Cannot complete ${name}: it never ran`);
    if (error !== undefined) dmaFenceSetError(f, -errnoValue(error));
    dmaFenceSignal(f);
    this.note(error === undefined ? `done ${name}` : `done ${name} ${error}`);
  }

  /** Adds `what` to the log, at the current time. */
  note(what: string): void {
    this.log.push(what);
    this.ticks.push(this.now);
  }

  /** The time of the log's `n`th entry `what` (from 0). */
  tickOf(what: string, n = 0): number {
    const at = this.log.flatMap((w, i) => (w === what ? [this.ticks[i]!] : []))[n];
    assert(at !== undefined, `Cannot find "${what}" #${n} in the log: ${this.log.join(", ")}`);
    return at;
  }

  /** Runs the machine until nothing can run. */
  settle(): void {
    this.m.sim.run();
  }

  /**
   * "active", "signaled" or the errno name of job `name`'s finished fence (or its scheduled
   * fence), as a sync_file of it reports it (an error that is not negative shows as a number).
   */
  status(name: string, which: "finished" | "scheduled" = "finished"): string {
    const f = which === "finished" ? this.finishedOf(name) : this.scheduled.get(name);
    assert(f !== undefined, `Cannot find job ${name}`);
    if (!f.signaled) return "active";
    if (f.error === 0) return "signaled";
    return f.error < 0 ? (errnoName(f.error) ?? String(f.error)) : String(f.error);
  }

  /** Every job's status, in submission order, "name:status". */
  statuses(): string[] {
    return [...this.finished.keys()].map((n) => `${n}:${this.status(n)}`);
  }

  finishedOf(name: string): DmaFence {
    const f = this.finished.get(name);
    assert(f !== undefined, `Cannot find job ${name}`);
    return f;
  }

  /**
   * Destroys `entities`, runs drm_sched_fini() and frees the scheduler, drops the test's
   * references; returns the leak count. Throws if the WARNs are not `warnings`, or on any
   * other finding but leaks (a footprint finding, a use after free).
   */
  finish(entities: readonly DrmSchedEntity[], warnings: readonly string[] = []): number {
    const rig = this;
    this.m.run(function* () {
      yield rig.step("test_teardown");
      for (const e of entities) yield* drmSchedEntityDestroy(e);
      yield rig.step("test_teardown");
      if (rig.sched.thread !== null) yield* drmSchedFini(rig.sched);
      yield rig.step("test_teardown");
      drmSchedFree(rig.sched);
      const held = [...rig.finished.values(), ...rig.scheduled.values()];
      for (const f of [...held, ...rig.allHw, ...rig.extra]) yield* dmaFencePut(f);
    });
    const others = this.m.sim.findings.filter((f) => f.kind !== "leak" && f.kind !== "warn");
    assert(others.length === 0, `findings: ${others.map(findingSummary).join("; ")}`);
    const warned = this.warnings();
    assert(
      warned.join("\n") === warnings.join("\n"),
      `Cannot finish: WARNs ${JSON.stringify(warned)}, expected ${JSON.stringify(warnings)}`,
    );
    return this.m.sim.reportLeaks();
  }

  /** WARN findings so far, as messages. */
  warnings(): string[] {
    return this.m.warnings();
  }

  private *runJob(job: DrmSchedJob<string>): Task<DmaFence | null> {
    yield this.step("test_run_job");
    this.note(`run ${job.data}`);
    if (this.options.noHardware?.includes(job.data) === true) return null;
    const f = dmaFenceInit(this.m.kernel, OPS, this.context, ++this.seqno);
    this.allHw.push(f);
    this.hw.set(job.data, f);
    return dmaFenceGet(f);
  }

  private *timedoutJob(job: DrmSchedJob<string>): Task<DrmGpuSchedStat> {
    yield this.step("test_timedout_job");
    this.note(`timedout ${job.data}`);
    return this.options.timedout === undefined ? "NO_HANG" : yield* this.options.timedout(this, job);
  }

  private *cancelJob(job: DrmSchedJob<string>): Task<void> {
    yield this.step("test_cancel_job");
    this.note(`cancel ${job.data}`);
    const f = this.hw.get(job.data);
    if (f === undefined || f.signaled) return;
    this.complete(job.data, "ECANCELED");
  }
}
