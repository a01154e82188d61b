/**
 * A world: one simulated machine with its PCI devices, their drivers, and the userspace
 * programs that use them. It is where tests, scenarios and the demo start.
 *
 * Shutdown is part of the contract: every program still running is killed with SIGKILL, as
 * at power-off (an interruptible sleep ends at once, the process dies on its way back to user
 * mode and do_exit() closes its files and unmaps its mappings), every driver is unloaded and
 * every device powered off; whatever kernel memory is still allocated then is a leak.
 */
import { Kernel, Process, reportFencesNeverSignalled, type PendingCall } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { drmCore } from "../drm/mod.js";
import { FifoStrategy, RandomStrategy, ReplayStrategy, Sim, step, TaskKilled, ticksFromMs, WaitQueue, waitEvent, type RunOutcome, type SchedulingStrategy, type SimTask, type SleepState, type Task } from "../kernel/mod.js";
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
  readonly process: Process;
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
}

export class World {
  readonly sim: Sim;
  readonly kernel: Kernel;
  readonly bus: PciBus;
  readonly programs: Program[] = [];
  readonly devices: readonly DeviceSpec[];
  private readonly loaded = new Map<string, PciDriver>();
  /** Programs whose exit (do_exit()) has run to the end; woken on `programExit`. */
  private readonly exitedPrograms = new Set<Process>();
  private readonly programExit: WaitQueue;

  constructor(readonly options: WorldOptions) {
    this.sim = new Sim({
      seed: options.seed,
      strategy: strategyFor(options),
      trace: options.trace ?? "steps",
      hungTaskTicks: ticksFromMs(options.hungTaskMs ?? 120_000),
      ...(options.footprints !== undefined ? { footprints: options.footprints } : {}),
    });
    this.kernel = new Kernel(this.sim, resolvedProfile(options), { firstSeqnum: options.firstSeqnum ?? 1 });
    drmCore(this.kernel);
    // At rest, a fence that tasks wait for but nothing can signal any more is a kernel hang.
    this.sim.onIdle(() => void reportFencesNeverSignalled(this.kernel));
    this.bus = new PciBus(this.kernel);
    this.programExit = new WaitQueue(this.sim, "program exit");
    this.devices = options.devices ?? DEFAULT_DEVICES;
    for (const d of this.devices) {
      if (!DRIVERS.has(d.driver)) throw new RangeError(`Cannot create world: unknown driver "${d.driver}" for ${d.bdf}`);
    }
  }

  /** Cold boot: cards in their slots, drivers loaded (modprobe), devices enumerated and probed. */
  *boot(): Task<void> {
    yield step("start_kernel");
    for (const d of this.devices) yield* this.bus.insertCard(d.bdf, this.makeCard(d));
    yield* this.bus.enumerate();
    for (const d of this.devices) yield* this.loadDriver(d.driver);
  }

  /** Builds the card a device spec describes, with the registers its driver reads at probe. */
  makeCard(d: DeviceSpec): PciHardware {
    const info = DRIVERS.get(d.driver);
    if (info === undefined) throw new RangeError(`Cannot make card: unknown driver "${d.driver}"`);
    const { mmio, ...ids } = info.card;
    const hw = new PciHardware({ ...ids, vramBytes: d.vramBytes ?? 16 * MIB, mmioBytes: 4096 });
    for (const [offset, value] of mmio) hw.mmio.set(offset, value);
    return hw;
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
    const exited = (): void => {
      this.exitedPrograms.add(process);
      this.programExit.wakeUpAll();
    };
    const task = this.sim.spawn(name, runProgram(process, body, exited), { kind: "user" });
    const program = { task, process };
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
      out.push({ program, call, state: on.state, reason: on.reason, sinceTick: on.sinceTick });
    }
    return out;
  }

  /**
   * Every program still running is killed and exits, every driver is unloaded, every device
   * removed; then leaks are reported.
   */
  *shutdown(): Task<void> {
    yield step("kernel_power_off");
    yield* this.killPrograms();
    // A program stuck in an uninterruptible sleep (a hang, already reported) cannot die: its
    // files are closed here, so that what it holds is not counted as leaked.
    for (const p of this.programs) yield* p.process.exit();
    for (const drv of [...this.loaded.values()].reverse()) yield* this.bus.unregisterDriver(drv);
    this.loaded.clear();
    yield step("kernel_power_off", [this.bus]);
    for (const pdev of [...this.bus.devices].reverse()) yield* this.bus.removeDevice(pdev);
  }

  /**
   * SIGKILL to every program still running, then a wait (bounded: KILL_WAIT_TICKS) until
   * each has exited.
   * @see kill(2); the stop timeout of systemd at power-off
   */
  private *killPrograms(): Task<void> {
    const running = this.programs.filter((p) => p.task.state !== "done");
    if (running.length === 0) return;
    for (const p of running) {
      this.sim.note(`SIGKILL to ${p.process.comm} (pid ${p.process.pid})`);
      this.sim.sendFatalSignal(p.task);
    }
    const allExited = (): boolean => running.every((p) => this.exitedPrograms.has(p.process));
    yield* waitEvent(this.programExit, "exit of the killed programs", allExited, KILL_WAIT_TICKS);
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
  exited: () => void,
): Task<T | undefined> {
  try {
    // Userspace yields what the syscalls yield: kernel scheduling requests.
    return yield* (body(process) as Task<T>);
  } catch (e) {
    if (!(e instanceof TaskKilled)) throw e;
    return undefined;
  } finally {
    // A program that ends keeps nothing open, like do_exit().
    yield* process.exit();
    exited();
  }
}

function strategyFor(o: WorldOptions): SchedulingStrategy {
  const s = o.schedule ?? "random";
  if (s === "random") return new RandomStrategy(o.seed);
  if (s === "fifo") return new FifoStrategy();
  return new ReplayStrategy(s.replay);
}
