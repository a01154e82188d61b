/**
 * The PCI bus of one kernel: the host bridge, its root ports with their hot-plug slots, the
 * cards in them, the devices enumerated for those cards, and the registered PCI drivers.
 *
 * Topology: a card at "0000:00:dd.f" sits on the root bus, under the host bridge "pci0000:00";
 * a card at "0000:NN:00.f" (NN > 0) sits behind root port "0000:00:NN.0" (a PCI-to-PCI bridge,
 * see root_port.ts), on its secondary bus NN, in hot-plug slot NN. The host bridge is
 * firmware-made and persistent. Root ports made by firmware send no uevents at boot; like any
 * PCI device they can be removed (with everything behind them) and found again by a rescan.
 *
 * Enumeration and removal are serialised by pci_rescan_remove_lock, as in Linux. Enumeration
 * first adds every new device (an `add` uevent each: the root bus's, then behind each bridge
 * its bus and its devices), then probes them (whatever the driver sends, then `bind`). Removal
 * of a device stops it and everything below it (children first: `unbind`), then removes them
 * (children first: `remove`, then the bridge's bus, then the bridge), and drops the bus's
 * references; a struct lives on while others hold references. A card stays in its slot across
 * removal, so a rescan makes a NEW PciDev for it.
 *
 * @see drivers/pci/probe.c (pci_scan_child_bus, pci_bus_add_devices), drivers/pci/remove.c
 *      (pci_stop_and_remove_bus_device), drivers/pci/pci-driver.c, drivers/base/bus.c
 */
import { assert, KObject, lookupStep, Mutex, mutexLock, mutexUnlock, step, type StepYield, type Task } from "../kernel/mod.js";
import { Device, deviceAdd, deviceAddSilently, deviceBoundAtBoot, deviceDel, deviceDriverAttach, deviceReleaseDriver, driverSysfsDir, getDevice, putDevice, type Kernel } from "../base/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { hex, parseBdf } from "./_parse.js";
import { PciDev, pciHardwareResponds, type PciHardware } from "./pci_dev.js";
import { pciBusMatch, type PciDriver } from "./pci_driver.js";
import { pciResetFunction } from "./pci_reset.js";
import { pciehpHotplug, pciehpSurpriseRemoval, PciSlot, pciSlotSysfsInit } from "./pci_slot.js";
import { pciePortDriver } from "./pcie_portdrv.js";
import { pciBusSysfsInit, pciCreateDevFiles, pciDriverAddBindFiles, pciDriverRemoveBindFiles } from "./pci_sysfs.js";
import { isBridge, isBridgeClass, pciAddNewBus, pciBusClassLink, pciBusDevice, pciRemoveBus, rootPortBdf, rootPortHardware, secondaryBusNumber } from "./root_port.js";

/** Kernels that have a PCI bus: one each. */
const kernelsWithBus = new WeakSet<Kernel>();

export interface PciBusOptions {
  /** Root ports (and their slots) that exist from boot, even when empty. @default [] */
  readonly rootPorts?: readonly number[];
}

export class PciBus extends KObject {
  static readonly fixedFields = ["kernel", "hostBridge", "rescanRemoveLock", "portDriver"];
  readonly hostBridge: Device;
  /** Serialises enumeration and removal. @see pci_lock_rescan_remove() */
  readonly rescanRemoveLock: Mutex;
  private readonly slotByNumber = new Map<number, PciSlot>();
  private readonly cards = new Map<string, PciHardware>();
  /** Devices on the bus's device list (bus_find_device_by_name() finds these), in add order. */
  private readonly devs = new Map<string, PciDev>();
  /** Devices from creation to the end of device_del(): driver_detach() looks here. */
  private readonly live = new Set<PciDev>();
  private readonly drivers: PciDriver[] = [];
  /** pcieport, built in: registered and bound to firmware's root ports before anyone listens. */
  readonly portDriver: PciDriver;

  constructor(readonly kernel: Kernel, options: PciBusOptions = {}) {
    // The root bus (struct pci_bus 0000:00) is persistent.
    super(kernel.sim, kernel.sim.alloc("pci_bus", { label: "pci_bus 0000:00", persistent: true }));
    assert(!kernelsWithBus.has(kernel), "Cannot create PCI bus: the kernel already has one");
    kernelsWithBus.add(kernel);
    const sim = kernel.sim;
    this.rescanRemoveLock = new Mutex(sim, "pci_rescan_remove_lock", this);
    this.hostBridge = new Device(kernel, { name: "pci0000:00", parent: null, subsystem: "", persistent: true });
    this.hostBridge.added = true;
    kernel.sysfs.mkdirs(this.hostBridge.sysfsPath);
    pciBusSysfsInit(this);
    this.portDriver = pciePortDriver(this);
    this.drivers.push(this.portDriver);
    kernel.sysfs.mkdirs(driverSysfsDir(this.portDriver));
    pciDriverAddBindFiles(this, this.portDriver);
    for (const n of options.rootPorts ?? []) this.addRootPort(n);
  }

  // ---------------------------------------------------------------- topology

  /**
   * Adds root port "0000:00:NN.0" with its bus NN and hot-plug slot NN (empty, powered off),
   * as firmware makes them and pcieport binds them before boot: in sysfs, without uevents.
   */
  addRootPort(n: number): PciSlot {
    assert(Number.isInteger(n) && n >= 1 && n <= 0x1f, `Cannot add root port ${n}: not a device number 1..0x1f`);
    assert(!this.slotByNumber.has(n), `Cannot add root port ${n}: exists`);
    const name = rootPortBdf(n);
    assert(!this.cards.has(name), `Cannot add root port ${name}: a card sits at that address`);
    const hw = rootPortHardware();
    hw.inserted = true;
    this.cards.set(name, hw);
    const port = this.newDevice(name, hw, this.hostBridge);
    deviceAddSilently(port);
    port.matchDriver = true;
    port.busAdded = true;
    port.subordinate = pciBusDevice(port, n);
    deviceAddSilently(port.subordinate, pciBusClassLink(port.subordinate));
    deviceBoundAtBoot(port, this.portDriver);
    // What pcieport's probe does, through pciehp_probe(): the slot, published.
    const slot = new PciSlot(this.kernel.sim, n, port);
    this.slotByNumber.set(n, slot);
    pciSlotSysfsInit(this, slot);
    return slot;
  }

  /** The hot-plug slot NN (it stays when its root port device is removed). */
  slot(n: number): PciSlot | undefined {
    return this.slotByNumber.get(n);
  }

  /** The registered device at `bdf`, as bus_find_device_by_name() finds it. */
  device(bdf: string): PciDev | undefined {
    return this.devs.get(bdf);
  }

  /** Registered devices in the order they were added. */
  get devices(): readonly PciDev[] {
    return [...this.devs.values()];
  }

  /** The card at `bdf`, if one is in place. */
  card(bdf: string): PciHardware | undefined {
    return this.cards.get(bdf);
  }

  /** @internal The cards at bus number `n` (null: on every bus), by address. */
  cardsOnBus(n: number | null): [string, PciHardware][] {
    return [...this.cards].filter(([bdf]) => n === null || parseBdf(bdf)?.bus === n).sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** @internal Registered devices at bus number `n`, in bus-list order. */
  devicesOnBus(n: number): PciDev[] {
    return [...this.devs.values()].filter((d) => d.address.bus === n);
  }

  /** @internal Takes the cards of a slot out of the machine: they answer nothing from now on. */
  pullCards(n: number): void {
    for (const [bdf, hw] of this.cardsOnBus(n)) {
      hw.present = false;
      this.cards.delete(bdf);
    }
  }

  private placeCard(bdf: string, hw: PciHardware): PciSlot | null {
    const addr = parseBdf(bdf);
    assert(addr !== null && addr.domain === 0, `Cannot insert card at ${bdf}: not a bus address in domain 0000`);
    assert(!this.cards.has(bdf), `Cannot insert card at ${bdf}: the address is taken`);
    assert(!hw.inserted && hw.present, `Cannot insert card at ${bdf}: this card was inserted before (make a new PciHardware)`);
    let slot: PciSlot | null = null;
    if (addr.bus > 0) {
      assert(addr.device === 0, `Cannot insert card at ${bdf}: behind a root port only device 00 exists`);
      slot = this.slotByNumber.get(addr.bus) ?? this.addRootPort(addr.bus);
    } else {
      assert(!this.slotByNumber.has(addr.device) || addr.fn !== 0, `Cannot insert card at ${bdf}: a root port sits there`);
    }
    hw.inserted = true;
    hw.powered = slot === null ? true : slot.powered;
    this.cards.set(bdf, hw);
    return slot;
  }

  /**
   * Plugs a card in without enumerating it, as before boot: a card behind a root port powers
   * its slot on. Run enumerate() (or rescan()) to make the device.
   */
  *insertCard(bdf: string, hw: PciHardware): Task<void> {
    yield lookupStep("hw_card_insert", () => {
      const slot = this.slotByNumber.get(parseBdf(bdf)?.bus ?? 0);
      return { reads: [], writes: slot === undefined ? [this, this.kernel.sysfs] : [this, this.kernel.sysfs, slot] };
    });
    const slot = this.placeCard(bdf, hw);
    if (slot !== null) slot.setPower(this, true, "on");
  }

  /**
   * Plugs a card into an empty slot; pciehp sees the presence change, powers the slot on and
   * enumerates (add, probe, bind). Returns 0 or ENODEV (the card went away first).
   * @see pciehp_handle_presence_or_link_change(), pciehp_enable_slot()
   */
  *hotplugCard(bdf: string, hw: PciHardware): Task<0 | ErrnoName> {
    yield step("pciehp_isr", [this]); // the presence-detect interrupt
    const addr = parseBdf(bdf);
    const slot = addr === null ? undefined : this.slotByNumber.get(addr.bus);
    assert(slot !== undefined, `Cannot hot-plug card at ${bdf}: no hot-plug slot for bus ${addr?.bus ?? "?"}`);
    assert(this.cardsOnBus(slot.number).length === 0, `Cannot hot-plug card at ${bdf}: slot ${slot.number} is not empty`);
    yield step("hw_card_insert", [this], [this, slot]);
    this.placeCard(bdf, hw);
    return yield* pciehpHotplug(this, slot);
  }

  /**
   * The card at `bdf` is pulled out of its slot, now, in the calling task: from now on it
   * answers nothing (MMIO reads all ones). Returns pciehp's handling, to run in its own thread
   * (pciehpPresenceChange()). The card is gone for good: a rescan does not bring it back.
   */
  *pullCard(bdf: string): Task<Task<void>> {
    yield step("hw_card_pull", [], [this]);
    const addr = parseBdf(bdf);
    const slot = addr === null ? undefined : this.slotByNumber.get(addr.bus);
    assert(slot !== undefined && addr !== null && addr.bus > 0, `Cannot pull card at ${bdf}: not behind a hot-plug slot`);
    assert(this.cards.has(bdf), `Cannot pull card at ${bdf}: no card there`);
    this.pullCards(slot.number);
    return this.pciehpPresenceChange(slot);
  }

  /**
   * pciehp's handling of a card pulled out: the presence-detect interrupt, then its thread
   * removes every device of the slot (unbind, remove) and powers the slot off; nothing if the
   * slot's root port is removed.
   */
  private *pciehpPresenceChange(slot: PciSlot): Task<void> {
    yield step("pciehp_isr", [this]); // the presence-detect interrupt
    yield* pciehpSurpriseRemoval(this, slot);
  }

  /** pullCard(), then pciehp's handling of it in the calling task. */
  *surpriseRemove(bdf: string): Task<void> {
    yield* yield* this.pullCard(bdf);
  }

  // ---------------------------------------------------------------- enumeration

  /** Makes a device for every card that answers and has none, and probes it. */
  *enumerate(): Task<void> {
    yield* this.scan(null);
  }

  /** @see pci_rescan_bus(); the same walk as enumerate(). */
  *rescan(): Task<void> {
    yield* this.enumerate();
  }

  /**
   * @internal Scans bus `busNr` (null: every bus) under rescanRemoveLock: adds the new devices
   * of the root bus, then behind each root port its bus (if it has none) and the new devices
   * on it; then probes them all in that order. @see pci_scan_child_bus(), pci_scan_bridge(),
   * pci_bus_add_devices()
   */
  *scan(busNr: number | null): Task<void> {
    yield* mutexLock(this.rescanRemoveLock);
    try {
      const scanChild = step("pci_scan_child_bus", [], [this, this.kernel.sysfs]);
      yield scanChild;
      const added: PciDev[] = [];
      if (busNr === null || busNr === 0) added.push(...(yield* this.scanBus(0, scanChild)));
      const byName = (a: PciDev, b: PciDev): number => (a.name < b.name ? -1 : 1);
      const ports = this.devicesOnBus(0).filter(isBridge).sort(byName);
      for (const port of ports) {
        yield step("pci_scan_bridge", [], [this, port]);
        const n = secondaryBusNumber(port);
        if (busNr !== null && busNr !== n) continue;
        if (port.subordinate === null) yield* pciAddNewBus(port);
        yield scanChild;
        added.push(...(yield* this.scanBus(n, scanChild)));
      }
      for (const pdev of added) yield* this.busAddDevice(pdev);
    } finally {
      yield* mutexUnlock(this.rescanRemoveLock);
    }
  }

  /** Adds a device for every card on bus `n` that answers and has none, by address. */
  private *scanBus(n: number, scanChild: StepYield): Task<PciDev[]> {
    const added: PciDev[] = [];
    for (const [bdf, hw] of this.cardsOnBus(n)) {
      // A card pulled while an earlier device was being added is not seen.
      if (this.devs.has(bdf) || !pciHardwareResponds(hw) || this.cards.get(bdf) !== hw) continue;
      added.push(yield* this.deviceAddOne(bdf, hw));
      yield scanChild;
    }
    return added;
  }

  /** The struct of a new device, on the bus's lists, with its sysfs files (not yet added). */
  private newDevice(bdf: string, hw: PciHardware, parent: Device): PciDev {
    const pdev = new PciDev(this.kernel, parent, bdf, hw);
    this.devs.set(bdf, pdev);
    this.live.add(pdev);
    pciCreateDevFiles(this, pdev);
    return pdev;
  }

  /** @see pci_device_add(): the struct, its sysfs files and bus link, then the `add` uevent. */
  private *deviceAddOne(bdf: string, hw: PciHardware): Task<PciDev> {
    const addr = parseBdf(bdf);
    assert(addr !== null, `Cannot add PCI device ${bdf}: bad address`);
    const parent = addr.bus === 0 ? this.hostBridge : this.devs.get(rootPortBdf(addr.bus));
    assert(parent !== undefined, `Cannot add PCI device ${bdf}: no root port for bus ${addr.bus}`);
    const kind = isBridgeClass(hw.classCode)
      ? "type 01 class 0x060400 PCIe Root Port"
      : `type 00 class 0x${hex(hw.classCode, 6)} PCIe Endpoint`;
    this.kernel.sim.printk(6, `pci ${bdf}: [${hex(hw.vendor, 4)}:${hex(hw.device, 4)}] ${kind}`);
    // device_add() makes the attributes and the bus links before it sends `add`.
    const pdev = this.newDevice(bdf, hw, parent);
    yield* deviceAdd(pdev);
    return pdev;
  }

  /** @see pci_bus_add_device(): drivers may match from now on; then device_attach(). */
  private *busAddDevice(pdev: PciDev): Task<void> {
    yield step("pci_bus_add_device", [this], [pdev]);
    pdev.matchDriver = true;
    pdev.busAdded = true;
    // __device_attach(): every matching driver in registration order until one binds.
    const attach = step("__device_attach", [this], [pdev]);
    for (const drv of [...this.drivers]) {
      if (!this.drivers.includes(drv) || !pciBusMatch(pdev, drv)) continue;
      const err = yield* deviceDriverAttach(pdev, drv);
      yield attach;
      if (err === 0 || err === "EBUSY" || pdev.dead) return;
    }
  }

  // ---------------------------------------------------------------- removal

  /**
   * Unbinds and removes a device: `unbind` (after remove() and devres), then `remove`; then
   * drops the bus's reference. Returns when all of that is done. Does nothing for a device
   * already removed. Not guaranteed: that the struct is freed (others may hold references).
   * @see pci_stop_and_remove_bus_device_locked() in drivers/pci/remove.c
   */
  *removeDevice(pdev: PciDev): Task<void> {
    yield* mutexLock(this.rescanRemoveLock);
    try {
      yield* this.stopAndRemoveLocked(pdev);
    } finally {
      yield* mutexUnlock(this.rescanRemoveLock);
    }
  }

  /**
   * @internal pci_stop_and_remove_bus_device(); the caller holds rescanRemoveLock. A bridge
   * goes with everything behind it: all are stopped (the devices below first, newest first),
   * then removed (the devices below first, then the bridge's bus, then the bridge).
   */
  *stopAndRemoveLocked(pdev: PciDev): Task<void> {
    assert(this.rescanRemoveLock.owner !== null && this.rescanRemoveLock.owner === this.kernel.sim.current, `Cannot remove PCI device ${pdev.name}: pci_rescan_remove_lock not held`);
    // Only a device still on the bus list is removed (the lock makes this check stable); one
    // removed meanwhile (by pciehp, while the caller waited for the lock) may be freed already.
    const onBus = (): boolean => this.devs.get(pdev.name) === pdev;
    yield lookupStep("pci_stop_and_remove_bus_device", () => ({ reads: [this], writes: onBus() ? [pdev] : [] }));
    if (!onBus()) return;
    yield* this.stopBusDevice(pdev);
    yield* this.removeBusDevice(pdev);
  }

  /** The devices on the bus behind `pdev`, in bus-list order (none for an endpoint). */
  private childrenOf(pdev: PciDev): PciDev[] {
    return pdev.subordinate === null ? [] : this.devicesOnBus(secondaryBusNumber(pdev));
  }

  /** @see pci_stop_bus_device(): the devices below, newest first, then pci_stop_dev(). */
  private *stopBusDevice(pdev: PciDev): Task<void> {
    yield step("pci_stop_bus_device", [this], [pdev]);
    for (const child of this.childrenOf(pdev).reverse()) yield* this.stopBusDevice(child);
    yield step("pci_stop_dev", [], [pdev]);
    if (!pdev.busAdded) return;
    pdev.busAdded = false;
    yield* deviceReleaseDriver(pdev);
  }

  /** @see pci_remove_bus_device(): the devices below, the bus behind, then pci_destroy_dev(). */
  private *removeBusDevice(pdev: PciDev): Task<void> {
    yield step("pci_remove_bus_device", [this], [pdev]);
    if (pdev.subordinate !== null) {
      for (const child of this.childrenOf(pdev)) yield* this.removeBusDevice(child);
      yield* pciRemoveBus(pdev);
    }
    // pci_destroy_dev() -> device_del(): kill_device() under the device lock, so no driver binds after.
    yield* mutexLock(pdev.lock);
    pdev.dead = true;
    yield* mutexUnlock(pdev.lock);
    // bus_remove_device(): off the bus list, then unbind a driver that bound since pci_stop_dev().
    yield step("bus_remove_device", [], [this, pdev, this.kernel.sysfs]);
    this.devs.delete(pdev.name);
    this.kernel.sysfs.remove(`/sys/bus/pci/devices/${pdev.name}`);
    yield* deviceReleaseDriver(pdev);
    yield* deviceDel(pdev);
    yield step("pci_destroy_dev", [], [this, pdev]);
    assert(pdev.dead && !pdev.added && pdev.driver === null, `Cannot remove PCI device ${pdev.name}: not fully torn down`);
    this.live.delete(pdev);
    putDevice(pdev); // the bus's reference, from device_initialize()
  }

  // ---------------------------------------------------------------- reset

  /**
   * Function-level reset under the device lock (and the upstream bridge's). No uevent.
   * Returns 0, or ENOTTY when the card does not answer.
   * @see pci_reset_function() in drivers/pci/pci.c
   */
  *reset(pdev: PciDev): Task<0 | ErrnoName> {
    return yield* pciResetFunction(pdev);
  }

  // ---------------------------------------------------------------- drivers

  /**
   * Registers a driver and binds it to every matching unbound device, then makes its
   * `bind`/`unbind` files and sends `add` for /bus/pci/drivers/<name>.
   * @see driver_register(), bus_add_driver() in drivers/base/driver.c and bus.c
   */
  *registerDriver(drv: PciDriver): Task<void> {
    const sysfs = this.kernel.sysfs;
    yield step("bus_add_driver", [], [this, sysfs]);
    assert(drv.busName === "pci", `Cannot register PCI driver ${drv.name}: bus ${String(drv.busName)}`);
    assert(!this.drivers.some((d) => d.name === drv.name), `Cannot register PCI driver ${drv.name}: name taken`);
    this.drivers.push(drv);
    sysfs.mkdirs(driverSysfsDir(drv));
    // driver_attach(): the bus iterator holds a reference to the device it visits.
    for (const pdev of [...this.devs.values()]) {
      yield step("__driver_attach", [this], [pdev]);
      if (this.devs.get(pdev.name) !== pdev || pdev.driver !== null || !pciBusMatch(pdev, drv)) continue;
      getDevice(pdev);
      yield* deviceDriverAttach(pdev, drv); // a failed probe is logged and skipped
      yield step("__driver_attach", [], [pdev]);
      putDevice(pdev);
    }
    yield step("bus_add_driver", [], [this, sysfs]);
    pciDriverAddBindFiles(this, drv);
    yield* driverUevent(this.kernel, drv, "add");
  }

  /**
   * Unbinds the driver from every device it drives (newest first), removes its directory
   * and sends `remove` for /bus/pci/drivers/<name>.
   * @see driver_unregister(), bus_remove_driver(), driver_detach()
   */
  *unregisterDriver(drv: PciDriver): Task<void> {
    const sysfs = this.kernel.sysfs;
    yield step("bus_remove_driver", [], [this, sysfs]);
    const i = this.drivers.indexOf(drv);
    assert(i >= 0, `Cannot unregister PCI driver ${drv.name}: not registered`);
    pciDriverRemoveBindFiles(this, drv);
    this.drivers.splice(i, 1);
    for (const pdev of [...this.live].reverse()) {
      yield step("driver_detach", [], [pdev]);
      if (pdev.driver !== drv) continue;
      getDevice(pdev);
      yield* deviceReleaseDriver(pdev, drv);
      yield step("driver_detach", [], [pdev]);
      putDevice(pdev);
    }
    yield step("bus_remove_driver", [], [this, sysfs]);
    sysfs.remove(driverSysfsDir(drv));
    yield* driverUevent(this.kernel, drv, "remove");
  }
}

/** The driver kobject's uevent: SUBSYSTEM=drivers, no device keys. @see bus_add_driver() */
function* driverUevent(kernel: Kernel, drv: PciDriver, action: "add" | "remove"): Task<void> {
  const devpath = `/bus/pci/drivers/${drv.name}`;
  yield* kernel.uevents.send(action, devpath, [["ACTION", action], ["DEVPATH", devpath], ["SUBSYSTEM", "drivers"]]);
}
