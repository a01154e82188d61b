/**
 * The simulation: run loop, virtual clock, the PRNG, the scheduling strategy, the trace, the
 * sanitizer and the findings. It is the only owner of time, randomness, ids and ordering.
 *
 * Time is counted in ticks (one tick is one simulated microsecond). Every step a task runs
 * costs `stepTicks`; sleeps and timeouts move the clock forward when nothing else can run.
 * Equal deadlines fire in the order they were set (compare (atTick, seq), never atTick alone).
 * A timer that is due is a choice like a runnable task: the strategy decides whether it fires
 * before or after the next step of a task, so an explorer can try both.
 *
 * In footprint-checking mode (footprint.ts) the Sim also compares every access of a kernel
 * object with the footprint of the step that is running and reports what was not declared.
 */
import { assert } from "./assert.js";
import { findingSummary, type Finding, type Waiter } from "./findings.js";
import { defaultFootprintMode, fixedFieldsOf, trackKStruct, undeclaredAccessObserver, type AccessMode, type AccessSink, type FootprintMode } from "./footprint.js";
import { type AllocKind, type Allocation, type AllocationId, type KObjectClass, type KObjectTracker, type KStruct, type Site } from "./kobject.js";
import { taskKey, waitQueueKey, type ExecutionObserver, type SyncKey } from "./observer.js";
import { Prng } from "./prng.js";
import { INTERRUPTED } from "./signal.js";
import { neverWokenTasks } from "./never_woken.js";
import { FifoStrategy, type SchedulingStrategy } from "./strategy.js";
import { fixedStep, TIMED_OUT, type BlockYield, type SleepState, type SleepYield, type StepYield, type Task, type TaskId, type TaskKind, type TaskState, type TaskView, type Yield } from "./task.js";
import { TimerHeap, type Timer } from "./timer_heap.js";
import { TraceLog, type AllocEvent, type FindingEvent, type TraceLevel } from "./trace.js";
import type { WaitQueue } from "./wait_queue.js";

export interface SimOptions {
  readonly seed: number;
  readonly strategy?: SchedulingStrategy;
  /** What the trace records (see TraceLevel). @default "steps" */
  readonly trace?: TraceLevel;
  /** Ticks one step costs. @default 1 */
  readonly stepTicks?: number;
  /** A task blocked uninterruptibly longer than this is reported as hung. @default 120_000_000 (120 s) */
  readonly hungTaskTicks?: number;
  /** "check": report accesses a step did not declare (slower). @default defaultFootprintMode() */
  readonly footprints?: FootprintMode;
  /** Hears of every transition and what it touches (an interleaving explorer). */
  readonly observer?: ExecutionObserver;
}

export interface SpawnOptions {
  readonly kind?: TaskKind;
  /** A daemon waits for work forever by design; it is not part of a hang and never joined. */
  readonly daemon?: boolean;
}

export type RunOutcome =
  | { readonly kind: "quiescent"; readonly steps: number }
  | { readonly kind: "deadlock"; readonly steps: number; readonly waiters: readonly Waiter[] }
  | { readonly kind: "budget"; readonly steps: number };

export class SimTask implements TaskView {
  state: TaskState = "runnable";
  pending: StepYield | null = null;
  resumeValue: unknown = undefined;
  blockedOn: BlockedOn | null = null;
  /** This block was reported as hung (hung-task finding); cleared at the wake-up. */
  hungReported = false;
  /** This block was reported in a `hang` finding; cleared at the wake-up. */
  hangReported = false;
  /**
   * The system call it is in, as "read(3, 4096)", for the findings that name it (null between
   * calls); set by the process whose program it runs (base/process.ts).
   */
  callInProgress: (() => string | null) | null = null;
  /** A fatal signal (SIGKILL) is pending: the task dies on its way back to user mode. */
  fatalSignal = false;
  /**
   * Signals pending that are not fatal by themselves (SIGTERM): they end an interruptible
   * sleep, and the process handles them (or dies of them) on its way back to user mode.
   */
  readonly pendingSignals = new Set<string>();
  /** Incremented at every block and sleep, so that a stale timer can be told apart. */
  waitGeneration = 0;
  /** The step to run when the task is woken (the `resume` of its block or sleep). */
  resumeStep: StepYield | null = null;
  /** What the task did last when it resumes without a step: "task start", "sleep", a block. */
  resumedFrom = "task start";
  readonly frames: string[] = [];
  lastFn = "";
  result: unknown = undefined;
  error: unknown = undefined;
  readonly exitWaiters: SimTask[] = [];

  constructor(
    readonly id: TaskId,
    readonly name: string,
    readonly kind: TaskKind,
    readonly daemon: boolean,
    readonly gen: Task<unknown>,
  ) {}
}

/** How Sim.alloc() makes an object: who frees it, its name and size, who it belongs to. */
export interface AllocOptions {
  readonly kind?: AllocKind;
  readonly label?: string;
  readonly sizeBytes?: number;
  /** Hardware-lifetime objects: not leaks when alive at shutdown. */
  readonly persistent?: boolean;
  /** The object this one belongs to (its device, address space, timeline); see AllocEvent. */
  readonly owner?: KStruct | undefined;
}

/** Where and how a blocked task sleeps. */
export interface BlockedOn {
  readonly wq: WaitQueue;
  readonly reason: string;
  readonly state: SleepState;
  readonly sinceTick: number;
  /** When its timeout wakes it, or null for a sleep without one. */
  readonly untilTick: number | null;
  readonly site: Site;
}

/** A timer wakes `task` if it is still in the block or sleep of `generation`. */
interface Wakeup {
  readonly task: SimTask;
  readonly generation: number;
}

/** The steps a due timer stands for, as a strategy sees it. @see process_timeout(), hrtimer_wakeup() */
const PROCESS_TIMEOUT = fixedStep("process_timeout");
const HRTIMER_WAKEUP = fixedStep("hrtimer_wakeup");

export class Sim implements KObjectTracker, AccessSink {
  readonly seed: number;
  readonly prng: Prng;
  readonly strategy: SchedulingStrategy;
  readonly trace: TraceLog;
  readonly findings: Finding[] = [];
  readonly decisions: number[] = [];
  readonly kmsg: string[] = [];
  readonly stepTicks: number;
  readonly hungTaskTicks: number;
  readonly footprints: FootprintMode;
  readonly observer: ExecutionObserver | null;

  now = 0;
  stepCount = 0;
  current: SimTask | null = null;

  private readonly tasks: SimTask[] = [];
  private runnable: SimTask[] = [];
  private readonly timers = new TimerHeap<Wakeup>();
  /** Timers that are due, in (atTick, seq) order, each a choice for the strategy. */
  private due: Timer<Wakeup>[] = [];
  private nextTaskId = 1;
  private nextQueueSerial = 1;
  /** Counts slices of work (one resume of a task, from a yield to the next). */
  private slice = 0;
  /** The step whose footprint covers the slice running now; null after a block without one. */
  private active: StepYield | null = null;
  /** The slice each checked kernel object was made in: its accesses there are free. */
  private readonly made = new WeakMap<object, number>();
  /** Set while the Sim itself reads footprints (which may sit in kernel objects): not accesses. */
  private inChecker = false;
  /**
   * The object the running step was last found to declare, and whether for writing: the
   * next access of it in the same slice needs no search of the footprint. Reset every slice.
   */
  private declaredObj: KStruct | null = null;
  private declaredWrite = false;
  private nextAllocId = 1;
  private readonly live = new Map<AllocationId, Allocation>();
  private readonly reported = new Set<string>();
  private readonly idleObservers: (() => void)[] = [];

  constructor(options: SimOptions) {
    this.seed = options.seed;
    this.prng = new Prng(options.seed);
    this.strategy = options.strategy ?? new FifoStrategy();
    this.trace = new TraceLog(options.trace ?? "steps");
    this.stepTicks = options.stepTicks ?? 1;
    this.hungTaskTicks = options.hungTaskTicks ?? 120_000_000;
    this.footprints = options.footprints ?? defaultFootprintMode();
    this.observer = options.observer ?? null;
    this.observer?.attach(this);
    assert(this.stepTicks >= 0, "Cannot create simulation: stepTicks is negative");
  }

  // ---------------------------------------------------------------- tasks

  spawn<T>(name: string, body: Task<T>, options: SpawnOptions = {}): SimTask {
    const task = new SimTask(this.nextTaskId++ as TaskId, name, options.kind ?? "kernel", options.daemon ?? false, body);
    this.tasks.push(task);
    this.runnable.push(task);
    this.trace.push({ t: "spawn", tick: this.now, task: task.id, name, kind: task.kind });
    this.observer?.spawned(task.id);
    return task;
  }

  /** Blocks the calling task until `task` has finished; returns its result. */
  *join(task: SimTask): Task<unknown> {
    for (;;) {
      this.observer?.sync(taskKey(task.id));
      if (task.state === "done") break;
      const self = this.current;
      assert(self !== null, "Cannot join task: not called from a task");
      task.exitWaiters.push(self);
      // Uninterruptible, as kthread_stop() waits for the thread's exit.
      const reason = `exit of ${task.name}`;
      yield { kind: "block", on: JOIN_QUEUE, reason, state: "uninterruptible", timeoutTicks: null };
    }
    return task.result;
  }

  get allTasks(): readonly SimTask[] {
    return this.tasks;
  }

  /**
   * Runs until no task can run (quiescent or deadlocked) or the step budget is spent.
   * Each turn the strategy picks among the due timers (earliest first) and the runnable tasks
   * (by id); with one choice it is not asked. Quiescent: no task can run and none sleeps
   * uninterruptibly (tasks asleep interruptibly, waiting for an event that may never come,
   * are not a kernel problem, unless the queue's owner says nothing will ever wake them).
   * Deadlocked: see endOfRun().
   * With `untilTick`, the clock does not pass that tick: at rest with no timer due by then, the
   * clock moves to it and the run ends quiescent (a later run() goes on from there).
   */
  run(stepsMax = 10_000_000, untilTick?: number): RunOutcome {
    for (let steps = 0; steps < stepsMax; steps++) {
      this.collectDueTimers();
      const due = this.due;
      const runnable = this.runnable;
      const choices = due.length + runnable.length;
      if (choices === 0) {
        for (const observe of this.idleObservers) observe();
        if (untilTick !== undefined && this.restUntil(untilTick)) return { kind: "quiescent", steps };
        if (this.advanceToNextTimer()) continue;
        return this.endOfRun(steps);
      }
      let index = 0;
      if (choices > 1) {
        const views = due.length === 0 ? runnable : [...due.map(timerView), ...runnable];
        index = this.strategy.pick(views, this.decisions.length);
        if (!(Number.isInteger(index) && index >= 0 && index < choices)) {
          assert(false, `Cannot schedule: strategy ${this.strategy.name} picked ${index} of ${choices}`);
        }
        this.decisions.push(index);
      }
      if (this.observer !== null) this.observeBegin(index, due, runnable);
      if (index < due.length) this.fireTimer(due.splice(index, 1)[0]!);
      else this.resume(runnable[index - due.length]!);
    }
    return { kind: "budget", steps: stepsMax };
  }

  /**
   * The run is over: nothing can run and no timer is left. Deadlocked: a non-daemon task
   * sleeps uninterruptibly (a `hang` finding), or interruptibly on a queue whose owner says
   * nothing will ever wake it (a `wait-never-woken` finding naming its system call, see
   * never_woken.ts); each is reported once for the same sleep.
   */
  private endOfRun(steps: number): RunOutcome {
    const stuck = this.tasks.filter((t) => !t.daemon && t.blockedOn?.state === "uninterruptible");
    if (stuck.some((t) => !t.hangReported)) {
      for (const t of stuck) t.hangReported = true;
      this.report({ kind: "hang", waiters: stuck.map((t) => this.waiterOf(t)) });
    }
    const never = neverWokenTasks(this);
    for (const { task, why } of never) {
      if (task.hangReported) continue;
      task.hangReported = true;
      const call = task.callInProgress === null ? null : this.observe(task.callInProgress);
      this.report({ kind: "wait-never-woken", waiter: this.waiterOf(task), call, why });
    }
    const waiters = [...stuck, ...never.map((n) => n.task)].map((t) => this.waiterOf(t));
    return waiters.length === 0 ? { kind: "quiescent", steps } : { kind: "deadlock", steps, waiters };
  }

  private observeBegin(index: number, due: readonly Timer<Wakeup>[], runnable: readonly SimTask[]): void {
    const timer = index < due.length;
    const task = timer ? due[index]!.value.task : runnable[index - due.length]!;
    this.observer!.begin(task.id, timer, due.map((t) => t.value.task.id));
  }

  /** @internal The running transition touched a sync object (see observer.ts). */
  syncAccess(key: SyncKey): void {
    this.observer?.sync(key);
  }

  /** @internal A serial for a new wait queue (its sync key, see observer.ts). */
  newQueueSerial(): number {
    return this.nextQueueSerial++;
  }

  /**
   * Calls `observe` each time no task can run and no timer is due, before the clock moves to
   * the next timer (or the run ends): a checker that looks at the system at rest. It runs
   * outside any task, and may report findings but not wake or spawn tasks.
   */
  onIdle(observe: () => void): void {
    this.idleObservers.push(observe);
  }

  /** Spawns `body`, runs the simulation until it is done, and returns its result. */
  runTask<T>(name: string, body: Task<T>, options: SpawnOptions & { stepsMax?: number } = {}): T {
    const task = this.spawn(name, body, options);
    const outcome = this.run(options.stepsMax);
    assert(task.state === "done", `Cannot finish task ${name}: run ended ${outcome.kind} with the task ${task.state}`);
    if (task.error !== undefined) throw task.error;
    return task.result as T;
  }

  private resume(task: SimTask): void {
    const pending = task.pending;
    this.slice++;
    this.declaredObj = null;
    this.active = pending === null ? null : this.runStep(task, pending);
    this.current = task;
    let next: IteratorResult<Yield, unknown>;
    try {
      const value = task.resumeValue;
      task.resumeValue = undefined;
      next = task.gen.next(value);
    } catch (error) {
      this.current = null;
      this.active = null;
      this.finish(task, undefined, error);
      throw error;
    }
    this.current = null;
    this.active = null;
    if (next.done === true) {
      this.finish(task, next.value, undefined);
      return;
    }
    const y = next.value;
    switch (y.kind) {
      case "step":
        task.pending = y;
        return;
      case "block":
        task.pending = null;
        this.block(task, y);
        return;
      case "sleep":
        this.sleep(task, y);
        return;
    }
  }

  /** Runs the sanitizer on a step's footprint and traces it; returns the step with its objects. */
  private runStep(task: SimTask, pending: StepYield): StepYield {
    task.pending = null;
    task.lastFn = pending.fn;
    this.stepCount++;
    this.now += this.stepTicks;
    this.current = task;
    this.inChecker = true;
    const s = pending.resolve === undefined ? pending : { kind: "step" as const, fn: pending.fn, ...pending.resolve() };
    // Indexed loops, not for-of: footprints mix frozen (NO_OBJECTS) and plain arrays, and V8's
    // for-of over such a mix is several times slower; this runs at every step.
    const reads = s.reads;
    for (let i = 0; i < reads.length; i++) this.sanitize(reads[i]!.mem, "read", s.fn);
    const writes = s.writes;
    for (let i = 0; i < writes.length; i++) this.sanitize(writes[i]!.mem, "write", s.fn);
    this.inChecker = false;
    this.current = null;
    if (this.trace.recordsSteps || this.observer !== null) {
      const readIds = s.readIds ?? allocationIds(reads);
      const writeIds = s.writeIds ?? allocationIds(writes);
      this.observer?.footprint(s.fn, readIds, writeIds);
      if (this.trace.recordsSteps) this.trace.push({ t: "step", tick: this.now, task: task.id, fn: s.fn, reads: readIds, writes: writeIds });
    }
    if (this.now >= this.nextHungCheck) this.checkHungTasks();
    return s;
  }

  private block(task: SimTask, y: BlockYield): void {
    this.removeRunnable(task);
    task.state = "blocked";
    task.waitGeneration++;
    task.resumeStep = y.resume ?? null;
    task.resumedFrom = `block on ${y.reason}`;
    const site = this.siteOf(task, task.lastFn);
    const untilTick = y.timeoutTicks === null ? null : this.now + y.timeoutTicks;
    const { on: wq, reason, state } = y;
    task.blockedOn = { wq, reason, state, sinceTick: this.now, untilTick, site };
    if (y.on !== JOIN_QUEUE) {
      y.on.enqueue(task);
      this.observer?.sync(waitQueueKey(y.on.serial));
    }
    if (y.timeoutTicks !== null) this.addTimer(task, this.now + y.timeoutTicks);
    this.trace.push({ t: "block", tick: this.now, task: task.id, reason: y.reason });
  }

  private sleep(task: SimTask, y: SleepYield): void {
    task.pending = null;
    assert(y.ticks >= 0, "Cannot sleep: negative ticks");
    this.removeRunnable(task);
    task.state = "sleeping";
    task.waitGeneration++;
    task.resumeStep = y.resume ?? null;
    task.resumedFrom = "sleep";
    this.addTimer(task, this.now + y.ticks);
  }

  /** Makes a blocked or sleeping task runnable again; `value` is what its yield returns. */
  wake(task: SimTask, value: unknown = undefined): void {
    if (task.state !== "blocked" && task.state !== "sleeping") return;
    if (task.state === "blocked") task.blockedOn?.wq.dequeue(task);
    if (this.observer !== null) {
      const wq = task.blockedOn?.wq;
      if (wq !== undefined && wq !== JOIN_QUEUE) this.observer.sync(waitQueueKey(wq.serial));
      this.observer.woke(task.id);
    }
    task.state = "runnable";
    task.blockedOn = null;
    task.hungReported = false;
    task.hangReported = false;
    task.resumeValue = value;
    task.pending = task.resumeStep;
    task.resumeStep = null;
    this.insertRunnable(task);
    this.trace.push({ t: "wake", tick: this.now, task: task.id, timedOut: value === TIMED_OUT });
  }

  /**
   * Sends SIGKILL to `task`: an interruptible sleep ends at once (its wait returns
   * "interrupted"); an uninterruptible one goes on until its event. From now on the task's
   * interruptible waits return at once, and its process dies at its next return to user mode.
   * @see send_sig(SIGKILL), signal_wake_up() in kernel/signal.c
   */
  sendFatalSignal(task: SimTask): void {
    if (task.state === "done") return;
    task.fatalSignal = true;
    if (task.blockedOn?.state === "interruptible") this.wake(task, INTERRUPTED);
  }

  /**
   * Sends a signal a process may handle (SIGTERM) to `task`: an interruptible sleep ends at
   * once, an uninterruptible one goes on; the process takes it at its next return to user mode.
   * @see send_signal_locked(), signal_wake_up() in kernel/signal.c
   */
  sendSignal(task: SimTask, signal: string): void {
    if (task.state === "done") return;
    task.pendingSignals.add(signal);
    if (task.blockedOn?.state === "interruptible") this.wake(task, INTERRUPTED);
  }

  /** Whether the current task has any signal pending. @see signal_pending() */
  signalPending(): boolean {
    const t = this.current;
    return t !== null && (t.fatalSignal || t.pendingSignals.size > 0);
  }

  /** Whether the current task has a fatal signal pending. @see fatal_signal_pending() */
  fatalSignalPending(): boolean {
    return this.current?.fatalSignal === true;
  }

  private finish(task: SimTask, result: unknown, error: unknown): void {
    this.removeRunnable(task);
    task.state = "done";
    task.result = result;
    task.error = error;
    this.trace.push({ t: "exit", tick: this.now, task: task.id });
    this.observer?.sync(taskKey(task.id));
    for (const waiter of task.exitWaiters.splice(0)) this.wake(waiter);
  }

  // Runnable tasks stay ordered by id, so a strategy's index means the same in every run.
  private insertRunnable(task: SimTask): void {
    let i = this.runnable.length;
    while (i > 0 && this.runnable[i - 1]!.id > task.id) i--;
    this.runnable.splice(i, 0, task);
  }

  private removeRunnable(task: SimTask): void {
    const i = this.runnable.indexOf(task);
    if (i >= 0) this.runnable.splice(i, 1);
  }

  // ---------------------------------------------------------------- time

  private addTimer(task: SimTask, atTick: number): void {
    this.timers.add(atTick, { task, generation: task.waitGeneration });
  }

  /** A timer of an earlier block or sleep (ended by a wake-up) must not end a later one. */
  private static live(timer: Timer<Wakeup>): boolean {
    const { task, generation } = timer.value;
    return (task.state === "sleeping" || task.state === "blocked") && generation === task.waitGeneration;
  }

  /** Moves the timers due now from the heap to `due`, and drops due ones gone stale. */
  private collectDueTimers(): void {
    if (this.due.length > 0) this.due = this.due.filter(Sim.live);
    for (let t = this.timers.peek(); t !== undefined && t.atTick <= this.now; t = this.timers.peek()) {
      this.timers.pop();
      if (Sim.live(t)) this.due.push(t);
    }
  }

  /**
   * The tick of the earliest live timer (a sleep or a wait with a timeout), or null: when
   * the simulation at rest would go on by itself.
   */
  nextTimerTick(): number | null {
    for (let t = this.timers.peek(); t !== undefined; t = this.timers.peek()) {
      if (Sim.live(t)) return t.atTick;
      this.timers.pop();
    }
    return null;
  }

  /**
   * At rest with a clock that follows another one (run()'s `untilTick`, the wall clock of a
   * real process attached to the model): the clock moves up to `untilTick` and the run stops
   * there when no timer is due by then. False when a timer is due by then (the run goes on).
   */
  private restUntil(untilTick: number): boolean {
    const next = this.nextTimerTick();
    if (next !== null && next <= untilTick) return false;
    if (this.now < untilTick) this.now = untilTick;
    return true;
  }

  /** With nothing to run, moves the clock to the next live timer, which becomes due. */
  private advanceToNextTimer(): boolean {
    for (let t = this.timers.pop(); t !== undefined; t = this.timers.pop()) {
      if (!Sim.live(t)) continue;
      if (t.atTick > this.now) this.now = t.atTick;
      this.due.push(t);
      return true;
    }
    return false;
  }

  private fireTimer(timer: Timer<Wakeup>): void {
    const task = timer.value.task;
    this.wake(task, task.state === "blocked" ? TIMED_OUT : undefined);
    this.checkHungTasks();
  }

  private nextHungCheck = 0;

  private checkHungTasks(): void {
    this.nextHungCheck = this.now + Math.max(1, Math.floor(this.hungTaskTicks / 8));
    for (const task of this.tasks) {
      // Like the kernel's detector, only uninterruptible sleeps count.
      if (task.daemon || task.hungReported || task.hangReported) continue;
      if (task.blockedOn === null || task.blockedOn.state !== "uninterruptible") continue;
      const blockedTicks = this.now - task.blockedOn.sinceTick;
      if (blockedTicks <= this.hungTaskTicks) continue;
      task.hungReported = true;
      this.report({ kind: "hung-task", waiter: this.waiterOf(task), blockedTicks });
    }
  }

  /** Who `task` is and what it waits for, as findings name a waiter; it must be blocked. */
  waiterOf(task: SimTask): Waiter {
    const b = task.blockedOn;
    assert(b !== null, `Cannot describe waiter: task ${task.name} is not blocked`);
    return { task: task.name, reason: b.reason, sinceTick: b.sinceTick, site: b.site };
  }

  // ---------------------------------------------------------------- memory and the sanitizer

  /**
   * Allocates a tracked kernel object; `kind` says who will free it, `owner` the object it
   * belongs to (recorded in the trace for the HTML timeline; see AllocEvent).
   */
  alloc(type: string, options: AllocOptions = {}): Allocation {
    const id = this.nextAllocId++ as AllocationId;
    const mem: Allocation = {
      id,
      kind: options.kind ?? "kzalloc",
      type,
      label: options.label ?? `${type}#${id}`,
      sizeBytes: options.sizeBytes ?? 0,
      allocSite: this.site(),
      freeSite: null,
      persistent: options.persistent ?? false,
    };
    this.live.set(id, mem);
    const ev: AllocEvent = { t: "alloc", tick: this.now, id, type, kind: mem.kind, label: mem.label, site: mem.allocSite };
    this.trace.push(options.owner === undefined ? ev : { ...ev, owner: options.owner.mem.id });
    return mem;
  }

  relabel(mem: Allocation, label: string): void {
    mem.label = label;
    this.trace.push({ t: "label", tick: this.now, id: mem.id, label });
  }

  /** Records in the trace that `mem`, a one-shot completion (a dma_fence), signalled with `error`. */
  traceSignaled(mem: Allocation, error: number): void {
    this.trace.push({ t: "signaled", tick: this.now, id: mem.id, error });
  }

  /** Records in the trace that `mem` entered `state` (null: left it); see StateEvent. */
  traceState(mem: Allocation, state: string | null, detail = ""): void {
    this.trace.push({ t: "state", tick: this.now, id: mem.id, state, detail });
  }

  /** Records in the trace a display event of the device `mem` on CRTC `crtc`; see DisplayEvent. */
  traceDisplay(mem: Allocation, what: "flip" | "vblank-event", crtc: number, detail: string): void {
    this.trace.push({ t: "display", tick: this.now, id: mem.id, what, crtc, detail });
  }

  /** Frees an allocation; a second free is reported, not performed. */
  free(mem: Allocation, fn?: string): void {
    const here = this.site(fn);
    if (mem.freeSite !== null) {
      this.report({ kind: "double-free", object: mem.label, alloc: mem.allocSite, free: mem.freeSite, again: here }, mem);
      return;
    }
    mem.freeSite = here;
    this.live.delete(mem.id);
    this.trace.push({ t: "free", tick: this.now, id: mem.id, site: here });
  }

  /**
   * The sanitizer's hook for an access the model makes on purpose (kref_get, get_device, ...):
   * an access to freed memory is a use-after-free finding (once per object and function), and
   * in footprint-checking mode an access the running step did not declare is reported too.
   * Returns false if the memory was freed.
   */
  check(obj: KStruct, mode: AccessMode, fn?: string): boolean {
    const mem = obj.mem;
    const fine = this.sanitize(mem, mode, fn);
    if (this.footprints === "check") this.checkDeclared(obj, mem, mode, fn === undefined ? "(access)" : `${fn}()`);
    return fine;
  }

  /** @internal An access of a field of `obj` (memory `mem`), reported by its checked view (footprint.ts). */
  access(obj: KStruct, mem: Allocation, mode: AccessMode, field: string): void {
    if (this.current === null || this.inChecker) return; // setup code, or the Sim's own reads
    this.sanitize(mem, mode);
    this.checkDeclared(obj, mem, mode, field);
  }

  /**
   * Runs `fn` as an observer outside the model (a test's uevent listener, a tracer) that reads
   * kernel state while a step runs: its reads are not the step's, so they are neither checked
   * against its footprint nor reported.
   */
  observe<T>(fn: () => T): T {
    const was = this.inChecker;
    this.inChecker = true;
    try {
      return fn();
    } finally {
      this.inChecker = was;
    }
  }

  /** @internal Whether `obj` was made in the slice of work running now. */
  madeInCurrentSlice(obj: object): boolean {
    return this.made.get(obj) === this.slice;
  }

  /** The checked view of a new kernel object (see KObject); the object itself in trust mode. */
  track<T extends KStruct>(obj: T, cls: KObjectClass): T {
    this.observer?.tracked(obj);
    if (this.footprints !== "check") return obj;
    const view = trackKStruct(this, obj, fixedFieldsOf(cls));
    this.made.set(view, this.slice);
    return view;
  }

  private sanitize(mem: Allocation, mode: AccessMode, fn?: string): boolean {
    if (mem.freeSite === null) return true;
    const access = this.site(fn);
    const key = `uaf:${mem.id}:${access.fn}:${access.task}`;
    if (!this.reported.has(key)) {
      this.reported.add(key);
      this.report({ kind: "use-after-free", object: mem.label, mode, access, alloc: mem.allocSite, free: mem.freeSite }, mem);
    }
    return false;
  }

  /** Reports an access of `obj` (memory `mem`) that the running step's footprint does not cover. */
  private checkDeclared(obj: KStruct, mem: Allocation, mode: AccessMode, field: string): void {
    const task = this.current;
    if (task === null) return;
    if (obj === this.declaredObj && (mode === "read" || this.declaredWrite)) return;
    if (this.made.get(obj) === this.slice) return;
    const s = this.active;
    this.inChecker = true;
    const declared = s !== null && declares(s, mem, mode);
    this.inChecker = false;
    if (declared) {
      this.declaredObj = obj;
      this.declaredWrite = mode === "write";
      return;
    }
    const stepName = s?.fn ?? `(no step, after ${task.resumedFrom})`;
    const key = `fp:${stepName}:${mem.type}:${field}:${mode}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const object = mem.label;
    const finding: Finding = { kind: "undeclared-access", step: stepName, object, mode, field, site: this.site() };
    this.report(finding);
    undeclaredAccessObserver()?.(this, finding);
  }

  /** Allocations still live (not persistent), oldest first. */
  liveAllocations(): Allocation[] {
    return [...this.live.values()].filter((m) => !m.persistent);
  }

  /** Reports every live, non-persistent allocation as a leak. Call once the world is shut down. */
  reportLeaks(): number {
    const leaked = this.liveAllocations();
    for (const mem of leaked) this.report({ kind: "leak", object: mem.label, alloc: mem.allocSite }, mem);
    return leaked.length;
  }

  // ---------------------------------------------------------------- findings and the log

  /** Reports a finding; `about` is the allocation it concerns, if one (the trace keeps its id). */
  report(finding: Finding, about?: Allocation): void {
    this.findings.push(finding);
    const ev: FindingEvent = { t: "finding", tick: this.now, finding };
    this.trace.push(about === undefined ? ev : { ...ev, id: about.id });
    this.printk(3, findingSummary(finding));
  }

  /** A kernel WARN: logged and reported as a finding. With `onceKey`, only the first time. */
  warn(message: string, onceKey?: string): void {
    if (onceKey !== undefined) {
      if (this.reported.has(`warn:${onceKey}`)) return;
      this.reported.add(`warn:${onceKey}`);
    }
    this.report({ kind: "warn", message, site: this.site() });
  }

  printk(level: number, msg: string): void {
    this.kmsg.push(`<${level}>${msg}`);
    this.trace.push({ t: "kmsg", tick: this.now, level, msg });
  }

  note(text: string): void {
    this.trace.push({ t: "note", tick: this.now, task: this.current?.id ?? null, text });
  }

  /** Where the current task is now; `fn` overrides the function of its last step. */
  site(fn?: string): Site {
    const task = this.current;
    if (task === null) return { task: "(sim)", fn: fn ?? "(setup)", frames: [], step: this.stepCount, tick: this.now };
    return this.siteOf(task, fn ?? task.lastFn);
  }

  private siteOf(task: SimTask, fn: string): Site {
    return { task: task.name, fn, frames: task.frames.slice(), step: this.stepCount, tick: this.now };
  }

  /** Runs `body` with `name` on the current task's simulated backtrace. */
  *frame<T>(name: string, body: Task<T>): Task<T> {
    const task = this.pushFrame(name);
    try {
      return yield* body;
    } finally {
      this.popFrame(task, name);
    }
  }

  /**
   * Puts `name` on the current task's simulated backtrace, for hot paths that cannot afford
   * the generator of frame(). Caller must: call popFrame() with the returned task in a
   * `finally`, so the frame goes on every path.
   */
  pushFrame(name: string): SimTask {
    const task = this.current;
    if (task === null) assert(false, `Cannot enter frame ${name}: not called from a task`);
    task.frames.push(name);
    return task;
  }

  /** Takes `name`, the innermost frame, off `task`'s backtrace (see pushFrame()). */
  popFrame(task: SimTask, name: string): void {
    const top = task.frames.pop();
    if (top !== name) assert(false, `Cannot leave frame ${name}: the innermost frame is ${String(top)}`);
  }
}

const NO_IDS: readonly number[] = Object.freeze([]);

/** The ids the trace records for a step's objects; steps with none share one empty array. */
function allocationIds(objects: readonly KStruct[]): readonly number[] {
  return objects.length === 0 ? NO_IDS : objects.map((o) => o.mem.id);
}

/** Whether step `s` declares an access of `mode` to memory `mem` (a write covers a read). */
function declares(s: StepYield, mem: Allocation, mode: AccessMode): boolean {
  const writes = s.writes;
  for (let i = 0; i < writes.length; i++) if (writes[i]!.mem === mem) return true;
  if (mode === "write") return false;
  const reads = s.reads;
  for (let i = 0; i < reads.length; i++) if (reads[i]!.mem === mem) return true;
  return false;
}

/** How a due timer looks to a strategy: the task it wakes, running the timer's step. */
function timerView(timer: Timer<Wakeup>): TaskView {
  const task = timer.value.task;
  return { id: task.id, name: `timer ${task.name}`, kind: "timer", pending: task.state === "sleeping" ? HRTIMER_WAKEUP : PROCESS_TIMEOUT };
}

/** Joiners are woken by the task's exit, not through a queue; this placeholder marks them. */
const JOIN_QUEUE = { name: "join", serial: 0, enqueue(): void {}, dequeue(): void {} } as unknown as WaitQueue;

