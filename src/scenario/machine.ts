/**
 * The scenario's view of the machine beyond system calls: cards pulled out of and plugged into
 * hot-plug slots (pciehp handles them in its own kernel thread, so the program goes on while
 * the device is torn down), displays plugged into and pulled out of a card's output (the
 * card's interrupt handles it), the restart of the whole machine, and the named rendezvous
 * between programs.
 */
import { step, TaskKilled, ticksFromUs, WaitQueue, waitEventInterruptible, type Task } from "../kernel/mod.js";
import { HPD_STATUS_REG } from "../drivers/mod.js";
import { parseBdf, pciHardwareResponds, pciRaiseIrq, type PciHardware } from "../pci/mod.js";
import type { Process } from "../base/mod.js";
import type { Call } from "../uapi/mod.js";
import type { World } from "../world/mod.js";
import type { Machine } from "./op.js";

export class WorldMachine implements Machine {
  private readonly signalled = new Set<string>();
  private readonly wq: WaitQueue;
  /**
   * The physical acts come first, pciehp's handling later (in its own thread): a card pulled
   * leaves its slot at once (it answers nothing from then on) while pciehp tears its devices
   * down later, and a card plugged is in its slot although the bus lists it only when pciehp
   * runs.
   */
  private readonly pulled = new Set<string>();
  private readonly plugging = new Map<number, PciHardware>();

  constructor(private readonly world: World) {
    this.wq = new WaitQueue(world.sim, "scenario signals");
  }

  *pullCard(bdf: string): Call<string | null> {
    const bus = this.world.bus;
    yield step("hw_card_lookup", [bus]); // the hand on the card: which slot holds it
    const addr = parseBdf(bdf);
    if (addr === null || addr.bus === 0 || bus.slot(addr.bus) === undefined) return `no hot-plug slot holds ${bdf}`;
    if (bus.card(bdf) === undefined) {
      const pending = this.plugPending(addr.bus);
      const why = "is not in place yet (pciehp has not handled it)";
      if (pending) return `the card plugged at ${bdf} ${why}`;
      return this.pulled.has(bdf) ? `the card at ${bdf} was already pulled` : `no card at ${bdf}`;
    }
    // The slot's cards (every function) leave together, now.
    for (const [other] of bus.cardsOnBus(addr.bus)) this.pulled.add(other);
    const handling = yield* bus.pullCard(bdf);
    this.world.sim.spawn(`irq/pciehp.${addr.bus}`, handling, { kind: "kernel" });
    return null;
  }

  *plugCard(bdf: string, driver: string): Call<string | null> {
    const bus = this.world.bus;
    yield step("hw_card_lookup", [bus]); // the hand on the card: which slot is free
    const addr = parseBdf(bdf);
    if (addr === null || addr.bus === 0 || addr.device !== 0 || bus.slot(addr.bus) === undefined) return `no hot-plug slot for ${bdf} (add its bus number to world.slots)`;
    const full = bus.cardsOnBus(addr.bus).length > 0 || this.plugPending(addr.bus);
    if (full) return `the slot of ${bdf} is not empty`;
    const world = this.world;
    const hw = world.makeCard({ bdf, driver });
    this.plugging.set(addr.bus, hw);
    this.pulled.delete(bdf);
    world.sim.spawn(`irq/pciehp.${addr.bus}`, (function* (): Task<void> {
      yield* world.loadDriver(driver); // udev's modprobe, before the add event is handled
      yield* bus.hotplugCard(bdf, hw);
    })(), { kind: "kernel" });
    return null;
  }

  *setDisplay(bdf: string, plugged: boolean): Call<string | null> {
    const bus = this.world.bus;
    yield step("hw_card_lookup", [bus]); // the hand on the cable: which card's output
    const hw = bus.card(bdf);
    if (hw === undefined) return this.pulled.has(bdf) ? `the card at ${bdf} was pulled` : `no card at ${bdf}`;
    const absent = (hw.sense.get(HPD_STATUS_REG) ?? 0) & 1;
    if (plugged && absent === 0) return `a display is plugged into ${bdf} already`;
    if (!plugged && absent === 1) return `no display is plugged into ${bdf}`;
    hw.sense.set(HPD_STATUS_REG, plugged ? 0 : 1);
    // The sense line interrupts the function that has the output, if it is on the bus.
    const pdev = bus.device(bdf);
    if (pdev !== undefined && pciHardwareResponds(hw)) pciRaiseIrq(pdev);
    return null;
  }

  /** A card was plugged into slot `n` and pciehp has not placed it yet. */
  private plugPending(n: number): boolean {
    const hw = this.plugging.get(n);
    return hw !== undefined && !hw.inserted;
  }

  *reboot(): Call<number> {
    const world = this.world;
    const caller = world.programs.find((p) => p.task === world.sim.current);
    if (caller === undefined) throw new Error("Cannot reboot: the calling task is not a program");
    // The cards of the old machine stay in their slots; what pciehp had yet to handle is moot.
    this.pulled.clear();
    this.plugging.clear();
    const process = yield* world.reboot(caller);
    return process.pid;
  }

  /** The files that outlive a program (a daemon's journal), by path; they survive a reboot. */
  readonly stateFiles = new Map<string, string[]>();

  pidOf(program: string): number | undefined {
    return this.processOf(program)?.pid;
  }

  /** The process program `name` runs in now (a new one after a reboot). */
  processOf(name: string): Process | undefined {
    return this.world.programs.find((p) => p.task.name === name)?.process;
  }

  signal(name: string): void {
    this.signalled.add(name);
    this.wq.wakeUpAll();
  }

  /**
   * A program's wait for another's signal sleeps as a futex wait does, interruptibly: it may
   * wait forever, and a fatal signal ends the program there. @see futex_wait() in kernel/futex
   */
  *waitSignal(name: string, timeoutUs: number | null): Call<boolean> {
    const sim = this.world.sim;
    const timeoutTicks = timeoutUs === null ? null : ticksFromUs(timeoutUs);
    const signalled = (): boolean => this.signalled.has(name);
    const reason = `scenario signal "${name}"`;
    const r = yield* waitEventInterruptible(this.wq, reason, signalled, timeoutTicks);
    if (r === "interrupted") {
      // A scenario program has no signal handlers: SIGTERM's default action ends it too.
      const task = sim.current;
      const fatal = task === null || task.fatalSignal;
      if (task !== null) task.fatalSignal = true;
      throw new TaskKilled(task?.name ?? "?", fatal ? "SIGKILL" : "SIGTERM");
    }
    return r === "ready";
  }
}
