/**
 * PCIe hot-plug slots and pciehp, the hot-plug service of their root ports. A slot is on
 * (powered, its devices enumerated) or off. pciehp's interrupt thread handles one event at a
 * time: a card pulled out or plugged in, or a request from the slot's sysfs `power` file.
 * Writes to `power` block until the thread has handled them, like Linux.
 *
 * The slot itself is physical and stays; pciehp lives with the root port device in front of it
 * (pciehpProbe() when the port is added to the bus, pciehpRemove() when it is stopped). While
 * the port is removed, nothing handles the slot's events and /sys/bus/pci/slots/N is gone.
 *
 * Timing follows pciehp: after power-on it waits for the link (100 ms here); after power-off
 * it waits 1 s before it reports the slot off.
 *
 * @see drivers/pci/hotplug/pciehp_ctrl.c (pciehp_handle_presence_or_link_change(),
 *      pciehp_sysfs_enable_slot(), remove_board()), pciehp_pci.c (pciehp_unconfigure_device()),
 *      pciehp_core.c (pciehp_probe(), pciehp_remove()), power_write_file() in
 *      drivers/pci/hotplug/pci_hotplug_core.c
 */
import { Mutex, mutexLock, mutexUnlock, sleepTicks, step, type Sim, type Task } from "../kernel/mod.js";
import { getDevice, putDevice } from "../base/mod.js";
import { fail, type ErrnoName, type SysResult } from "../uapi/mod.js";
import { hex, simpleStrtoul } from "./_parse.js";
import type { PciBus } from "./pci_bus.js";
import type { PciDev } from "./pci_dev.js";
import { storeResult } from "./pci_sysfs.js";
import { rootPortBdf } from "./root_port.js";

export type PciehpState = "off" | "on";

/** How long pciehp waits after power-on for the link to train. @see pcie_wait_for_link_delay() */
const LINK_UP_DELAY_TICKS = 100_000;
/** How long pciehp waits after power-off. @see remove_board() */
const POWER_OFF_DELAY_TICKS = 1_000_000;

export class PciSlot {
  state: PciehpState = "off";
  /** Slot power (what `power` shows); the cards of the slot follow it. */
  powered = false;
  /** The root port device whose pciehp handles the slot; null while the port is removed. */
  port: PciDev | null = null;
  /** pciehp's interrupt thread: one event at a time; one per port device. @see pciehp_ist() */
  ist: Mutex;

  constructor(private readonly sim: Sim, readonly number: number, port: PciDev) {
    this.ist = this.attach(port);
  }

  /** What /sys/bus/pci/slots/N/address shows (without the newline). */
  get address(): string {
    return `0000:${hex(this.number, 2)}:00`;
  }

  /** @internal pciehp starts for a new port device: a thread of its own. */
  attach(port: PciDev): Mutex {
    this.port = port;
    this.ist = new Mutex(this.sim, `pciehp_ist(slot ${this.number})`, port);
    return this.ist;
  }

  /** @internal Switches slot power and state; every card of the slot follows the power. */
  setPower(bus: PciBus, on: boolean, state: PciehpState): void {
    this.powered = on;
    this.state = state;
    for (const [, hw] of bus.cardsOnBus(this.number)) hw.powered = on;
  }
}

/** Makes /sys/bus/pci/slots/N/{address,power}. @see pci_hp_add() */
export function pciSlotSysfsInit(bus: PciBus, slot: PciSlot): void {
  const dir = `/sys/bus/pci/slots/${slot.number}`;
  const sysfs = bus.kernel.sysfs;
  sysfs.add(`${dir}/address`, { kind: "attr", show: () => `${slot.address}\n` });
  sysfs.add(`${dir}/power`, { kind: "attr", show: () => `${slot.powered ? 1 : 0}\n`, store: (data) => powerWriteFile(bus, slot, data) });
}

function ctrlInfo(bus: PciBus, slot: PciSlot, msg: string): void {
  bus.kernel.sim.printk(6, `pcieport ${rootPortBdf(slot.number)}: pciehp: Slot(${slot.number}): ${msg}`);
}

/**
 * Runs `body` in pciehp's thread of `slot`, for the port device in front of it now: one event
 * at a time, holding a reference to the port (Linux's free_irq() waits for the thread before
 * the port can go). `fallback` when the slot has no port, or the port went while we waited.
 */
function* inPciehpThread<T>(slot: PciSlot, fallback: T, body: (port: PciDev) => Task<T>): Task<T> {
  const port = slot.port;
  if (port === null) return fallback;
  const ist = slot.ist;
  getDevice(port);
  try {
    yield* mutexLock(ist);
    try {
      return slot.port === port ? yield* body(port) : fallback;
    } finally {
      mutexUnlock(ist);
    }
  } finally {
    putDevice(port);
  }
}

/** `power`: "0" disables the slot, "1" enables it; the result once pciehp is done. @see power_write_file() */
function* powerWriteFile(bus: PciBus, slot: PciSlot, data: string): Task<SysResult<number>> {
  yield step("power_write_file", slot.port === null ? [] : [slot.port]);
  const power = simpleStrtoul(data) & 0xff;
  let err: 0 | ErrnoName;
  if (power === 0) err = yield* pciehpSysfsDisableSlot(bus, slot);
  else if (power === 1) err = yield* pciehpSysfsEnableSlot(bus, slot);
  else return fail("EINVAL");
  return storeResult(err, data);
}

/** @see pciehp_sysfs_enable_slot(): ENODEV if already on or if there is no card. */
function pciehpSysfsEnableSlot(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  return inPciehpThread(slot, "ENODEV", function* (port) {
    yield step("pciehp_sysfs_enable_slot", [port], [port]);
    if (slot.state === "on") {
      ctrlInfo(bus, slot, "Already enabled");
      return "ENODEV";
    }
    // The thread finds no card: request_result stays -ENODEV and the slot stays off.
    if (bus.cardsOnBus(slot.number).length === 0) return "ENODEV";
    ctrlInfo(bus, slot, "Card present");
    return yield* enableSlot(bus, slot, port);
  });
}

/** @see pciehp_sysfs_disable_slot(): ENODEV if already off. The cards stay in the slot. */
function pciehpSysfsDisableSlot(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  return inPciehpThread(slot, "ENODEV", function* (port): Task<0 | ErrnoName> {
    yield step("pciehp_sysfs_disable_slot", [port], [port]);
    if (slot.state === "off") {
      ctrlInfo(bus, slot, "Already disabled");
      return "ENODEV";
    }
    yield* removeBoard(bus, slot, port, true);
    return 0;
  });
}

/**
 * @internal A card was plugged into the slot: pciehp powers it on and enumerates it. A slot
 * still on from an earlier card is turned off first ("we cannot assume the card is the same").
 * ENODEV when the card went first, or when no pciehp handles the slot (its port is removed).
 */
export function pciehpHotplug(bus: PciBus, slot: PciSlot): Task<0 | ErrnoName> {
  return inPciehpThread(slot, "ENODEV", function* (port) {
    yield step("pciehp_ist", [port], [port]);
    if (slot.state === "on") yield* removeBoard(bus, slot, port, false);
    if (bus.cardsOnBus(slot.number).length === 0) return "ENODEV"; // pulled again before we ran
    ctrlInfo(bus, slot, "Card present");
    ctrlInfo(bus, slot, "Link Up");
    return yield* enableSlot(bus, slot, port);
  });
}

/**
 * @internal The slot's cards were pulled out (they answer nothing already): pciehp's thread
 * marks the slot's devices disconnected, removes them and powers the slot off.
 */
export function pciehpSurpriseRemoval(bus: PciBus, slot: PciSlot): Task<void> {
  return inPciehpThread(slot, undefined, function* (port) {
    yield step("pciehp_ist", [port], [port]);
    if (slot.state !== "on") return; // nothing was configured
    ctrlInfo(bus, slot, "Link Down");
    ctrlInfo(bus, slot, "Card not present");
    yield* removeBoard(bus, slot, port, false);
  });
}

/**
 * @internal pciehp starts for the root port `port`, once the port is on the bus: the slot is
 * on if its bus has devices; an empty slot's power goes off; it is published in sysfs; and an
 * occupied slot that is off is brought up by pciehp's thread.
 * @see pciehp_probe(), pcie_init(), pciehp_check_presence()
 */
export function* pciehpProbe(bus: PciBus, slot: PciSlot, port: PciDev): Task<void> {
  yield step("pciehp_probe", [port], [port]);
  slot.attach(port);
  const occupied = bus.cardsOnBus(slot.number).length > 0;
  if (!occupied && slot.powered) slot.setPower(bus, false, "off");
  slot.state = bus.devicesOnBus(slot.number).length > 0 ? "on" : "off";
  pciSlotSysfsInit(bus, slot);
  if (occupied && slot.state === "off") {
    bus.kernel.sim.spawn(`irq/pciehp.${slot.number}`, pciehpHotplug(bus, slot), { kind: "kernel" });
  }
}

/**
 * @internal pciehp stops with its port: the slot leaves sysfs and no thread handles it.
 * @see pciehp_remove()
 */
export function* pciehpRemove(bus: PciBus, slot: PciSlot, port: PciDev): Task<void> {
  yield step("pciehp_remove", [port], [port]);
  bus.kernel.sysfs.remove(`/sys/bus/pci/slots/${slot.number}`);
  if (slot.port === port) slot.port = null;
}

/** board_added(): power on, wait for the link, enumerate the slot's bus. @see pciehp_enable_slot() */
function* enableSlot(bus: PciBus, slot: PciSlot, port: PciDev): Task<0 | ErrnoName> {
  yield step("pciehp_power_on_slot", [port], [port]);
  slot.setPower(bus, true, "off");
  yield sleepTicks(LINK_UP_DELAY_TICKS);
  yield step("pciehp_check_link_status", [port], [port]);
  if (bus.cardsOnBus(slot.number).length === 0) {
    // The card went away while the link was training: set_slot_off().
    slot.setPower(bus, false, "off");
    return "ENODEV";
  }
  yield* bus.scan(slot.number);
  slot.state = "on";
  return 0;
}

/**
 * remove_board(): removes every device of the slot (newest address first; on a surprise
 * removal they are marked disconnected first), powers the slot off, waits 1 s.
 * @see pciehp_unconfigure_device()
 */
function* removeBoard(bus: PciBus, slot: PciSlot, port: PciDev, safeRemoval: boolean): Task<void> {
  yield* mutexLock(bus.rescanRemoveLock);
  try {
    const devs = bus.devicesOnBus(slot.number);
    yield step("pciehp_unconfigure_device", [port], [port, ...devs]);
    if (!safeRemoval) for (const pdev of devs) pdev.disconnected = true; // pci_dev_set_disconnected()
    for (const pdev of devs.reverse()) yield* bus.stopAndRemoveLocked(pdev);
  } finally {
    mutexUnlock(bus.rescanRemoveLock);
  }
  yield step("pciehp_power_off_slot", [port], [port]);
  slot.setPower(bus, false, "off");
  yield sleepTicks(POWER_OFF_DELAY_TICKS);
}
