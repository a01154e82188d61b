/**
 * PCIe hot-plug slots and pciehp, the driver of their root ports. A slot is on (powered, its
 * devices enumerated) or off. pciehp's interrupt thread handles one event at a time: a card
 * pulled out or plugged in, or a request from the slot's sysfs `power` file. Writes to
 * `power` block until the thread has handled them, like Linux.
 *
 * Timing follows pciehp: after power-on it waits for the link (100 ms here); after power-off
 * it waits 1 s before it reports the slot off.
 *
 * @see drivers/pci/hotplug/pciehp_ctrl.c (pciehp_handle_presence_or_link_change(),
 *      pciehp_sysfs_enable_slot(), remove_board()), pciehp_pci.c (pciehp_unconfigure_device()),
 *      power_write_file() in drivers/pci/hotplug/pci_hotplug_core.c
 */
import { KObject, Mutex, mutexLock, mutexUnlock, sleepTicks, step, ticksFromMs, type Sim, type Task } from "../kernel/mod.js";
import type { Device } from "../base/mod.js";
import { fail, type ErrnoName, type SysResult } from "../uapi/mod.js";
import { hex, simpleStrtoul } from "./_parse.js";
import type { PciBus } from "./pci_bus.js";
import { storeResult } from "./pci_sysfs.js";

export type PciehpState = "off" | "on";

/** How long pciehp waits after power-on for the link to train. @see pcie_wait_for_link_delay() */
const LINK_UP_DELAY_TICKS = ticksFromMs(100);
/** How long pciehp waits after power-off. @see remove_board() */
const POWER_OFF_DELAY_TICKS = ticksFromMs(1000);

export class PciSlot extends KObject {
  static readonly fixedFields = ["number", "port", "ist"];
  state: PciehpState = "off";
  /** Slot power (what `power` shows); the cards of the slot follow it. */
  powered = false;
  /** pciehp's interrupt thread: one event at a time. @see pciehp_ist() */
  readonly ist: Mutex;

  constructor(sim: Sim, readonly number: number, readonly port: Device) {
    // pciehp's struct controller: it lives as long as its root port, the whole run.
    super(sim, sim.alloc("controller", { label: `pciehp slot ${number}`, persistent: true }));
    this.ist = new Mutex(sim, `pciehp_ist(slot ${number})`, this);
  }

  /** What /sys/bus/pci/slots/N/address shows (without the newline). */
  get address(): string {
    return `0000:${hex(this.number, 2)}:00`;
  }

  /** @internal Switches slot power and state; every card of the slot follows the power. */
  setPower(bus: PciBus, on: boolean, state: PciehpState): void {
    this.powered = on;
    this.state = state;
    for (const [, hw] of bus.cardsOnBus(this.number)) hw.powered = on;
  }
}

/** Makes /sys/bus/pci/slots/N/{address,power}. */
export function pciSlotSysfsInit(bus: PciBus, slot: PciSlot): void {
  const dir = `/sys/bus/pci/slots/${slot.number}`;
  const sysfs = bus.kernel.sysfs;
  sysfs.add(`${dir}/address`, { kind: "attr", show: () => `${slot.address}\n` });
  sysfs.add(`${dir}/power`, { kind: "attr", owner: slot, show: () => `${slot.powered ? 1 : 0}\n`, store: (data) => powerWriteFile(bus, slot, data) });
}

function ctrlInfo(bus: PciBus, slot: PciSlot, msg: string): void {
  bus.kernel.sim.printk(6, `pcieport ${slot.port.name}: pciehp: Slot(${slot.number}): ${msg}`);
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
function* pciehpSysfsEnableSlot(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  yield* mutexLock(slot.ist);
  try {
    yield step("pciehp_sysfs_enable_slot", [bus], [slot]);
    if (slot.state === "on") {
      ctrlInfo(bus, slot, "Already enabled");
      return "ENODEV";
    }
    // The thread finds no card: request_result stays -ENODEV and the slot stays off.
    if (bus.cardsOnBus(slot.number).length === 0) return "ENODEV";
    ctrlInfo(bus, slot, "Card present");
    return yield* enableSlot(bus, slot);
  } finally {
    yield* mutexUnlock(slot.ist);
  }
}

/** @see pciehp_sysfs_disable_slot(): ENODEV if already off. The cards stay in the slot. */
function* pciehpSysfsDisableSlot(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  yield* mutexLock(slot.ist);
  try {
    yield step("pciehp_sysfs_disable_slot", [], [slot]);
    if (slot.state === "off") {
      ctrlInfo(bus, slot, "Already disabled");
      return "ENODEV";
    }
    yield* removeBoard(bus, slot, true);
    return 0;
  } finally {
    yield* mutexUnlock(slot.ist);
  }
}

/**
 * @internal A card was plugged into the slot: pciehp powers it on and enumerates it. A slot
 * still on from an earlier card is turned off first ("we cannot assume the card is the same").
 */
export function* pciehpHotplug(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  yield* mutexLock(slot.ist);
  try {
    yield step("pciehp_ist", [bus], [slot]);
    if (slot.state === "on") yield* removeBoard(bus, slot, false);
    if (bus.cardsOnBus(slot.number).length === 0) return "ENODEV"; // pulled again before we ran
    ctrlInfo(bus, slot, "Card present");
    ctrlInfo(bus, slot, "Link Up");
    return yield* enableSlot(bus, slot);
  } finally {
    yield* mutexUnlock(slot.ist);
  }
}

/**
 * @internal The slot's cards were pulled out: they answer nothing from now on. When pciehp's
 * thread runs, it marks the slot's devices disconnected, removes them and powers the slot off.
 */
export function* pciehpSurpriseRemoval(bus: PciBus, slot: PciSlot): Task<void> {
  yield step("hw_card_pull", [], [bus, slot]);
  bus.pullCards(slot.number);
  yield* mutexLock(slot.ist);
  try {
    yield step("pciehp_ist", [bus], [slot]);
    if (slot.state !== "on") return; // nothing was configured
    ctrlInfo(bus, slot, "Link Down");
    ctrlInfo(bus, slot, "Card not present");
    yield* removeBoard(bus, slot, false);
  } finally {
    yield* mutexUnlock(slot.ist);
  }
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
