/**
 * PCIe hot-plug slots and pciehp, the hot-plug service of their root ports. A slot is on
 * (powered, its devices enumerated) or off. pciehp's interrupt thread handles one event at a
 * time: a card pulled out or plugged in, or a request from the slot's sysfs `power` file.
 * Writes to `power` block until the thread has handled them, like Linux.
 *
 * The slot itself is physical and stays; pciehp works for the root port device in front of it
 * (pciehpProbe() when pcieport binds the port, pciehpRemove() when it unbinds). While the port
 * is removed, nothing handles the slot's events and /sys/bus/pci/slots/N is gone.
 *
 * Timing follows pciehp: after power-on it waits for the link (100 ms here); after power-off
 * it waits 1 s before it reports the slot off.
 *
 * @see drivers/pci/hotplug/pciehp_ctrl.c (pciehp_handle_presence_or_link_change(),
 *      pciehp_sysfs_enable_slot(), remove_board()), pciehp_pci.c (pciehp_unconfigure_device()),
 *      pciehp_core.c (pciehp_probe(), pciehp_remove()), power_write_file() in
 *      drivers/pci/hotplug/pci_hotplug_core.c
 */
import { KObject, Mutex, mutexLock, mutexUnlock, sleepTicks, step, ticksFromMs, type Sim, type Task } from "../kernel/mod.js";
import { fail, type ErrnoName, type SysResult } from "../uapi/mod.js";
import { hex, simpleStrtoul } from "./_parse.js";
import type { PciBus } from "./pci_bus.js";
import { pciHardwarePowerOnState, type PciDev } from "./pci_dev.js";
import { storeResult } from "./pci_sysfs.js";
import { rootPortBdf } from "./root_port.js";

export type PciehpState = "off" | "on";

/** How long pciehp waits after power-on for the link to train. @see pcie_wait_for_link_delay() */
const LINK_UP_DELAY_TICKS = ticksFromMs(100);
/** How long pciehp waits after power-off. @see remove_board() */
const POWER_OFF_DELAY_TICKS = ticksFromMs(1000);

export class PciSlot extends KObject {
  static readonly fixedFields = ["number", "ist"];
  state: PciehpState = "off";
  /** Slot power (what `power` shows); the cards of the slot follow it. */
  powered = false;
  /** The root port device pciehp works for; null while the port is removed. */
  port: PciDev | null;
  /** pciehp's interrupt thread: one event at a time. @see pciehp_ist() */
  readonly ist: Mutex;

  constructor(sim: Sim, readonly number: number, port: PciDev) {
    // The slot and pciehp's struct controller for it: hardware lifetime, the whole run.
    super(sim, sim.alloc("controller", { label: `pciehp slot ${number}`, persistent: true }));
    this.port = port;
    this.ist = new Mutex(sim, `pciehp_ist(slot ${number})`, this);
  }

  /** What /sys/bus/pci/slots/N/address shows (without the newline). */
  get address(): string {
    return `0000:${hex(this.number, 2)}:00`;
  }

  /**
   * @internal Switches slot power and state; every card of the slot follows the power, and a
   * card powered up again starts from its power-on register values (a cold reset).
   */
  setPower(bus: PciBus, on: boolean, state: PciehpState): void {
    this.powered = on;
    this.state = state;
    for (const [, hw] of bus.cardsOnBus(this.number)) {
      if (on && !hw.powered) pciHardwarePowerOnState(hw);
      hw.powered = on;
    }
  }
}

/** Makes /sys/bus/pci/slots/N/{address,power}. @see pci_hp_add() */
export function pciSlotSysfsInit(bus: PciBus, slot: PciSlot): void {
  const dir = `/sys/bus/pci/slots/${slot.number}`;
  const sysfs = bus.kernel.sysfs;
  sysfs.add(`${dir}/address`, { kind: "attr", show: () => `${slot.address}\n` });
  sysfs.add(`${dir}/power`, { kind: "attr", owner: slot, show: () => `${slot.powered ? 1 : 0}\n`, store: (data) => powerWriteFile(bus, slot, data) });
}

function ctrlInfo(bus: PciBus, slot: PciSlot, msg: string): void {
  const port = rootPortBdf(slot.number);
  bus.kernel.sim.printk(6, `pcieport ${port}: pciehp: Slot(${slot.number}): ${msg}`);
}

/**
 * Runs `body` in pciehp's thread of `slot`: one event at a time. `fallback` when no pciehp
 * handles the slot (its root port is removed).
 */
function* inPciehpThread<T>(slot: PciSlot, fallback: T, body: () => Task<T>): Task<T> {
  yield* mutexLock(slot.ist);
  try {
    if (slot.port === null) return fallback;
    return yield* body();
  } finally {
    yield* mutexUnlock(slot.ist);
  }
}

/** `power`: "0" disables the slot, "1" enables it; the result once pciehp is done. @see power_write_file() */
function* powerWriteFile(bus: PciBus, slot: PciSlot, data: string): Task<SysResult<number>> {
  yield step("power_write_file", [slot]);
  const power = simpleStrtoul(data) & 0xff;
  let err: 0 | ErrnoName;
  if (power === 0) err = yield* pciehpSysfsDisableSlot(bus, slot);
  else if (power === 1) err = yield* pciehpSysfsEnableSlot(bus, slot);
  else return fail("EINVAL");
  return storeResult(err, data);
}

/** @see pciehp_sysfs_enable_slot(): ENODEV if already on or if there is no card. */
function pciehpSysfsEnableSlot(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  return inPciehpThread(slot, "ENODEV", function* () {
    yield step("pciehp_sysfs_enable_slot", [bus], [slot]);
    if (slot.state === "on") {
      ctrlInfo(bus, slot, "Already enabled");
      return "ENODEV";
    }
    // The thread finds no card: request_result stays -ENODEV and the slot stays off.
    if (bus.cardsOnBus(slot.number).length === 0) return "ENODEV";
    ctrlInfo(bus, slot, "Card present");
    return yield* enableSlot(bus, slot);
  });
}

/** @see pciehp_sysfs_disable_slot(): ENODEV if already off. The cards stay in the slot. */
function pciehpSysfsDisableSlot(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  return inPciehpThread(slot, "ENODEV", function* (): Task<0 | ErrnoName> {
    yield step("pciehp_sysfs_disable_slot", [], [slot]);
    if (slot.state === "off") {
      ctrlInfo(bus, slot, "Already disabled");
      return "ENODEV";
    }
    yield* removeBoard(bus, slot, true);
    return 0;
  });
}

/**
 * @internal A card was plugged into the slot: pciehp powers it on and enumerates it. A slot
 * still on from an earlier card is turned off first ("we cannot assume the card is the same").
 * ENODEV when the card went first, or when no pciehp handles the slot (its port is removed).
 */
export function pciehpHotplug(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  return inPciehpThread(slot, "ENODEV", function* () {
    yield step("pciehp_ist", [bus], [slot]);
    if (slot.state === "on") yield* removeBoard(bus, slot, false);
    if (bus.cardsOnBus(slot.number).length === 0) return "ENODEV"; // pulled again before we ran
    ctrlInfo(bus, slot, "Card present");
    ctrlInfo(bus, slot, "Link Up");
    return yield* enableSlot(bus, slot);
  });
}

/**
 * @internal The slot's cards were pulled out (they answer nothing already): pciehp's thread
 * marks the slot's devices disconnected, removes them and powers the slot off.
 */
export function pciehpSurpriseRemoval(bus: PciBus, slot: PciSlot): Task<void> {
  return inPciehpThread(slot, undefined, function* () {
    yield step("pciehp_ist", [bus], [slot]);
    if (slot.state !== "on") return; // nothing was configured
    ctrlInfo(bus, slot, "Link Down");
    ctrlInfo(bus, slot, "Card not present");
    yield* removeBoard(bus, slot, false);
  });
}

/**
 * @internal pciehp starts for the root port `port` (pcieport's probe): the slot is on if its
 * bus has devices; an empty slot's power goes off; the slot is published in sysfs; an occupied
 * slot that is off is brought up by pciehp's thread.
 * @see pciehp_probe(), pcie_init(), pciehp_check_presence()
 */
export function* pciehpProbe(bus: PciBus, slot: PciSlot, port: PciDev): Task<void> {
  yield step("pciehp_probe", [bus], [slot, bus.kernel.sysfs]);
  slot.port = port;
  const occupied = bus.cardsOnBus(slot.number).length > 0;
  if (!occupied && slot.powered) slot.setPower(bus, false, "off");
  slot.state = bus.devicesOnBus(slot.number).length > 0 ? "on" : "off";
  pciSlotSysfsInit(bus, slot);
  if (occupied && slot.state === "off") {
    bus.kernel.sim.spawn(`irq/pciehp.${slot.number}`, pciehpHotplug(bus, slot), { kind: "kernel" });
  }
}

/**
 * @internal pciehp stops with its port (pcieport's remove): the slot leaves sysfs and no
 * thread handles it. @see pciehp_remove()
 */
export function* pciehpRemove(bus: PciBus, slot: PciSlot, port: PciDev): Task<void> {
  yield step("pciehp_remove", [], [slot, bus.kernel.sysfs]);
  bus.kernel.sysfs.remove(`/sys/bus/pci/slots/${slot.number}`);
  if (slot.port === port) slot.port = null;
}

/** board_added(): power on, wait for the link, enumerate the slot's bus. @see pciehp_enable_slot() */
function* enableSlot(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  yield step("pciehp_power_on_slot", [bus], [slot]);
  slot.setPower(bus, true, "off");
  yield sleepTicks(LINK_UP_DELAY_TICKS);
  yield step("pciehp_check_link_status", [bus], [slot]);
  if (bus.cardsOnBus(slot.number).length === 0) {
    // The card went away while the link was training: set_slot_off().
    slot.setPower(bus, false, "off");
    return "ENODEV";
  }
  yield* bus.scan(slot.number);
  yield step("pciehp_enable_slot", [], [slot]);
  slot.state = "on";
  return 0;
}

/**
 * remove_board(): removes every device of the slot (newest address first; on a surprise
 * removal they are marked disconnected first), powers the slot off, waits 1 s.
 * @see pciehp_unconfigure_device()
 */
function* removeBoard(bus: PciBus, slot: PciSlot, safeRemoval: boolean): Task<void> {
  yield* mutexLock(bus.rescanRemoveLock);
  try {
    const devs = bus.devicesOnBus(slot.number);
    yield step("pciehp_unconfigure_device", [bus], [slot, ...devs]);
    if (!safeRemoval) for (const pdev of devs) pdev.disconnected = true; // pci_dev_set_disconnected()
    for (const pdev of devs.reverse()) yield* bus.stopAndRemoveLocked(pdev);
  } finally {
    yield* mutexUnlock(bus.rescanRemoveLock);
  }
  yield step("pciehp_power_off_slot", [bus], [slot]);
  slot.setPower(bus, false, "off");
  yield sleepTicks(POWER_OFF_DELAY_TICKS);
}
