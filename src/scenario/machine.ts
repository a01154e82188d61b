/**
 * The scenario's view of the machine beyond system calls: cards pulled out of and plugged into
 * hot-plug slots (pciehp handles them in its own kernel thread, so the program goes on while
 * the device is torn down), and the named rendezvous between programs.
 */
import { step, TaskKilled, ticksFromUs, WaitQueue, waitEventInterruptible, type Task } from "../kernel/mod.js";
import { parseBdf } from "../pci/mod.js";
import type { Call } from "../uapi/mod.js";
import type { World } from "../world/mod.js";
import type { Machine } from "./op.js";

export class WorldMachine implements Machine {
  private readonly signalled = new Set<string>();
  private readonly wq: WaitQueue;

  constructor(private readonly world: World) {
    this.wq = new WaitQueue(world.sim, "scenario signals");
  }

  /**
   * The card leaves its slot at once, in the caller's step; pciehp handles that in its own
   * thread. Pulling again what is already out (or being torn down) fails: the slot is empty.
   */
  *pullCard(bdf: string): Call<string | null> {
    const bus = this.world.bus;
    yield step("hw_card_lookup", [bus]); // the hand on the card: which slot holds it
    const addr = parseBdf(bdf);
    if (addr === null || addr.bus === 0 || bus.slot(addr.bus) === undefined) return `no hot-plug slot holds ${bdf}`;
    if (bus.card(bdf) === undefined) {
      if (bus.cardsOnBus(addr.bus).length > 0) return `no card at ${bdf}`;
      return `no card at ${bdf}: slot ${addr.bus} is empty (pulled out already?)`;
    }
    const handling = yield* bus.pullCard(bdf);
    this.world.sim.spawn(`irq/pciehp.${addr.bus}`, handling, { kind: "kernel" });
    return null;
  }

  *plugCard(bdf: string, driver: string): Call<string | null> {
    const bus = this.world.bus;
    yield step("hw_card_lookup", [bus]); // the hand on the card: which slot is free
    const addr = parseBdf(bdf);
    if (addr === null || addr.bus === 0 || addr.device !== 0 || bus.slot(addr.bus) === undefined) return `no hot-plug slot for ${bdf} (add its bus number to world.slots)`;
    if (bus.cardsOnBus(addr.bus).length > 0) return `the slot of ${bdf} is not empty`;
    const world = this.world;
    const hw = world.makeCard({ bdf, driver });
    world.sim.spawn(`irq/pciehp.${addr.bus}`, (function* (): Task<void> {
      yield* world.loadDriver(driver); // udev's modprobe, before the add event is handled
      yield* bus.hotplugCard(bdf, hw);
    })(), { kind: "kernel" });
    return null;
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
    const r = yield* waitEventInterruptible(this.wq, `scenario signal "${name}"`, signalled, timeoutTicks);
    if (r === "interrupted") throw new TaskKilled(sim.current?.name ?? "?");
    return r === "ready";
  }
}
