/**
 * A world: one simulated machine with its PCI devices, their drivers, and the userspace
 * programs that use them. It is where tests, scenarios and the demo start.
 *
 * Shutdown is part of the contract: every program still running is killed with SIGKILL, as
 * at power-off (an interruptible sleep ends at once, the process dies on its way back to user
 * mode and do_exit() closes its files and unmaps its mappings), every driver is unloaded and
 * every device powered off; whatever kernel memory is still allocated then is a leak.
 */
import { Kernel, Process, reportFencesNeverSignalled, type PendingCall, type UeventListener } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { drmCore } from "../drm/mod.js";
import { FifoStrategy, RandomStrategy, ReplayStrategy, Sim, step, TaskKilled, ticksFromMs, WaitQueue, waitEvent, waitEventInterruptible, type RunOutcome, type SchedulingStrategy, type SimTask, type SleepState, type Task } from "../kernel/mod.js";
import { PciBus, PciHardware, type PciDriver } from "../pci/mod.js";
import { DEFAULT_DEVICES, resolvedProfile, type DeviceSpec, type WorldOptions } from "./options.js";

const MIB = 1024 * 1024;
/**
 * How long shutdown waits for the killed programs to exit before it goes on without those
 * stuck in an uninterruptible sleep (systemd's DefaultTimeoutStopSec, 90 s).
 */
const KILL_WAIT_TICKS = ticksFromMs(90_000);

export interface Program {
  readonly task: SimTask;
  /** Its process; a program that reboots the machine goes on in a new one (see reboot()). */
  process: Process;
}

/** A program asleep, not finished: where it sleeps, and the system call it is in. */
export interface BlockedProgram {
  readonly program: Program;
  /** The system call it is in; null when it waits outside one (a scenario rendezvous). */
  readonly call: PendingCall | null;
  readonly state: SleepState;
  /** What it waits for (the wait queue's reason). */
  readonly reason: string;
  readonly sinceTick: number;
  /** Its sleep was reported as a kernel hang (a `wait-never-woken` or `hang` finding). */
  readonly hang: boolean;
}

export class World {
  readonly sim: Sim;
  readonly programs: Program[] = [];
  readonly devices: readonly DeviceSpec[];
  private kernelNow: Kernel;
  private busNow: PciBus;
  private readonly loaded = new Map<string, PciDriver>();
  /** Programs whose exit (do_exit()) has run to the end; woken on `programExit`. */
  private readonly exitedPrograms = new Set<Program>();
  private readonly programExit: WaitQueue;
  /** Observers of the uevents, each with its unsubscription from the running kernel's hub. */
  private readonly ueventObservers = new Map<UeventListener, () => void>();
  /** A reboot is under way (reboot(2) holds system_transition_mutex). */
  private rebooting = false;

  constructor(readonly options: WorldOptions) {
    this.sim = new Sim({
      seed: options.seed,
      strategy: strategyFor(options),
      trace: options.trace ?? "steps",
      hungTaskTicks: ticksFromMs(options.hungTaskMs ?? 120_000),
      ...(options.footprints !== undefined ? { footprints: options.footprints } : {}),
      ...(options.observer !== undefined ? { observer: options.observer } : {}),
    });
    this.kernelNow = this.newKernel();
    // At rest, a fence that tasks wait for but nothing can signal any more is a kernel hang.
    this.sim.onIdle(() => void reportFencesNeverSignalled(this.kernel));
    this.busNow = new PciBus(this.kernel);
    this.programExit = new WaitQueue(this.sim, "program exit");
    this.devices = options.devices ?? DEFAULT_DEVICES;
    for (const d of this.devices) {
      if (!DRIVERS.has(d.driver)) throw new RangeError(`Cannot create world: unknown driver "${d.driver}" for ${d.bdf}`);
    }
  }

  /** The running kernel: a new one after each reboot(). */
  get kernel(): Kernel {
    return this.kernelNow;
  }

  /** The running kernel's PCI bus. */
  get bus(): PciBus {
    return this.busNow;
  }

  private newKernel(): Kernel {
    const kernel = new Kernel(this.sim, resolvedProfile(this.options), { firstSeqnum: this.options.firstSeqnum ?? 1 });
    drmCore(kernel);
    return kernel;
  }

  /** Cold boot: cards in their slots, drivers loaded (modprobe), devices enumerated and probed. */
  *boot(): Task<void> {
    yield* this.startKernel(this.devices.map((d) => [d.bdf, this.makeCard(d)]), this.devices.map((d) => d.driver));
  }

  /** The running kernel starts: the cards in their slots, enumerated, then the drivers loaded. */
  private *startKernel(cards: readonly (readonly [string, PciHardware])[], drivers: readonly string[]): Task<void> {
    yield step("start_kernel");
    for (const [bdf, hw] of cards) yield* this.bus.insertCard(bdf, hw);
    yield* this.bus.enumerate();
    for (const name of drivers) yield* this.loadDriver(name);
  }

  /**
   * Hands every uevent of the running kernel, and after a reboot of the next one, to `l` (an
   * observer outside the model: a scenario's record). Returns the unsubscription.
   */
  observeUevents(l: UeventListener): () => void {
    this.sim.observe(() => void this.ueventObservers.set(l, this.kernel.uevents.subscribe(l)));
    return () => {
      this.sim.observe(() => void this.ueventObservers.get(l)?.());
      this.ueventObservers.delete(l);
    };
  }

  /** Builds the card a device spec describes, with the registers its driver reads at probe. */
  makeCard(d: DeviceSpec): PciHardware {
    const info = DRIVERS.get(d.driver);
    if (info === undefined) throw new RangeError(`Cannot make card: unknown driver "${d.driver}"`);
    const { mmio, ...ids } = info.card;
    return new PciHardware({ ...ids, vramBytes: d.vramBytes ?? 16 * MIB, mmioBytes: 4096, powerOnMmio: mmio });
  }

  /** modprobe: registers the PCI driver once; it probes every matching unbound device. */
  *loadDriver(name: string): Task<void> {
    if (this.loaded.has(name)) return;
    const info = DRIVERS.get(name);
    if (info === undefined) throw new RangeError(`Cannot load driver: unknown driver "${name}"`);
    this.loaded.set(name, info.driver);
    yield* this.bus.registerDriver(info.driver);
  }

  /** Boots synchronously (runs the simulation until boot is done). */
  bootSync(): void {
    this.sim.runTask("boot", this.boot());
  }

  /** Starts a userspace program: a user task with its own process. Its files close when it ends. */
  spawnProgram<T>(name: string, body: (p: Process) => Generator<unknown, T, unknown>): Program {
    const process = new Process(this.kernel, name);
    // A program that ends keeps nothing open, like do_exit(): its process of the moment.
    const exit = function* (this: World): Task<void> {
      yield* program.process.exit();
      this.exitedPrograms.add(program);
      this.programExit.wakeUpAll();
    }.bind(this);
    const program: Program = { task: this.sim.spawn(name, runProgram(process, body, exit), { kind: "user" }), process };
    process.task = program.task;
    this.programs.push(program);
    return program;
  }

  run(stepsMax?: number): RunOutcome {
    return this.sim.run(stepsMax);
  }

  /** The programs asleep now (after run(): those that never finished), with their calls. */
  blockedPrograms(): BlockedProgram[] {
    const out: BlockedProgram[] = [];
    for (const program of this.programs) {
      const on = program.task.state === "blocked" ? program.task.blockedOn : null;
      if (on === null) continue;
      const call = program.process.pendingCall;
      const hang = program.task.hangReported;
      out.push({ program, call, state: on.state, reason: on.reason, sinceTick: on.sinceTick, hang });
    }
    return out;
  }

  /**
   * Every program still running is killed and exits, every driver is unloaded, every device
   * removed; then leaks are reported.
   */
  *shutdown(): Task<void> {
    yield step("kernel_power_off");
    yield* this.killPrograms(this.programs);
    yield* this.tearDown("kernel_power_off");
  }

  /**
   * What the kernel frees when it stops: a program stuck in an uninterruptible sleep (a hang,
   * already reported) cannot die, so its files are closed here and what it holds is not
   * counted as leaked; then every driver is unloaded (unbinding its devices) and every device
   * removed, newest first.
   */
  private *tearDown(fn: string): Task<void> {
    for (const p of this.programs) yield* p.process.exit();
    for (const drv of [...this.loaded.values()].reverse()) yield* this.bus.unregisterDriver(drv);
    this.loaded.clear();
    yield step(fn, [this.bus]);
    for (const pdev of [...this.bus.devices].reverse()) yield* this.bus.removeDevice(pdev);
  }

  /**
   * SIGKILL to each of `programs` still running, then a wait (bounded: KILL_WAIT_TICKS) until
   * each has exited.
   * @see kill(2); the stop timeout of systemd at power-off
   */
  private *killPrograms(programs: readonly Program[]): Task<void> {
    const running = programs.filter((p) => p.task.state !== "done");
    if (running.length === 0) return;
    for (const p of running) {
      this.sim.note(`SIGKILL to ${p.process.comm} (pid ${p.process.pid})`);
      this.sim.sendFatalSignal(p.task);
    }
    const allExited = (): boolean => running.every((p) => this.exitedPrograms.has(p));
    yield* waitEvent(this.programExit, "exit of the killed programs", allExited, KILL_WAIT_TICKS);
  }

  /**
   * Waits, interruptibly, until each of `programs` has exited (its do_exit() ran to the end),
   * or `timeoutTicks` passed (null: no limit). True when they all did.
   */
  *waitForExit(programs: readonly Program[], reason: string, timeoutTicks: number | null): Task<boolean> {
    const allExited = (): boolean => programs.every((p) => this.exitedPrograms.has(p));
    return (yield* waitEventInterruptible(this.programExit, reason, allExited, timeoutTicks)) === "ready";
  }

  /**
   * The machine restarts, at the request of program `caller` (systemctl reboot): every other
   * program is killed and exits, the caller's files are closed as at its exit, the kernel
   * shuts its devices down (device_shutdown(), newest first) and the machine restarts. The
   * next boot is a new kernel on the same cards: every card starts from its power-on state
   * and is enumerated and probed again, minors count from 0, nothing of the old kernel is
   * reachable. The caller goes on in a new process of that kernel, which this returns.
   *
   * The old kernel's memory goes with the machine; the model frees it by tearing it down as
   * power-off does (so a leak of a driver still shows), and its observers see none of that
   * teardown's uevents, which Linux does not send.
   * @see kernel_restart(), kernel_restart_prepare() in kernel/reboot.c, device_shutdown()
   */
  *reboot(caller: Program): Task<Process> {
    yield step("sys_reboot");
    if (this.rebooting) {
      // Another program's reboot holds system_transition_mutex: this one waits for its SIGKILL.
      yield* waitEventInterruptible(this.programExit, "system_transition_mutex", () => false);
      throw new TaskKilled(caller.task.name);
    }
    this.rebooting = true;
    yield* this.killPrograms(this.programs.filter((p) => p !== caller));
    yield* caller.process.exit();
    yield step("kernel_restart", [this.bus]);
    yield* this.bus.deviceShutdown();
    this.sim.printk(0, "reboot: Restarting system");
    const drivers = [...this.loaded.keys()];
    this.sim.observe(() => {
      for (const unsubscribe of this.ueventObservers.values()) unsubscribe();
    });
    yield* this.tearDown("machine_restart");
    const { cards, rootPorts } = yield* this.bus.takeCards();
    this.kernelNow = this.newKernel();
    this.busNow = new PciBus(this.kernel, { rootPorts });
    yield* this.startKernel(cards, drivers);
    this.sim.observe(() => {
      for (const l of this.ueventObservers.keys()) this.ueventObservers.set(l, this.kernel.uevents.subscribe(l));
    });
    caller.process = new Process(this.kernel, caller.process.comm);
    caller.process.task = caller.task;
    this.rebooting = false;
    return caller.process;
  }

  /**
   * Ends the run's schedule. A replayed one must have used its whole decision list: decisions
   * left over throw ReplayMismatchError (the run no longer matches the list).
   */
  endSchedule(): void {
    const strategy = this.sim.strategy;
    if (strategy instanceof ReplayStrategy) strategy.checkEnd(this.sim.decisions.length);
  }

  /** Runs the shutdown to completion and reports what is still allocated. Returns the leak count. */
  shutdownSync(): number {
    this.sim.runTask("shutdown", this.shutdown());
    return this.sim.reportLeaks();
  }
}

/** Runs a program to its end, or until it is killed; then do_exit() closes what it holds. */
function* runProgram<T>(
  process: Process,
  body: (p: Process) => Generator<unknown, T, unknown>,
  exit: () => Task<void>,
): Task<T | undefined> {
  try {
    // Userspace yields what the syscalls yield: kernel scheduling requests.
    return yield* (body(process) as Task<T>);
  } catch (e) {
    if (!(e instanceof TaskKilled)) throw e;
    return undefined;
  } finally {
    yield* exit();
  }
}

function strategyFor(o: WorldOptions): SchedulingStrategy {
  const s = o.schedule ?? "random";
  if (s === "random") return new RandomStrategy(o.seed);
  if (s === "fifo") return new FifoStrategy();
  if ("replay" in s) return new ReplayStrategy(s.replay);
  return s;
}
