/**
 * @internal Test fixtures for the PCI tests: a machine (Sim, Kernel, PciBus, a process), a
 * bochs-display-like card, and a fake driver that records what it does.
 */
import { assert, Sim, sleepTicks, step, type SchedulingStrategy, type Task } from "../kernel/mod.js";
import { Device, deviceAdd, deviceDel, devmAddAction, getDevice, Kernel, Process, putDevice } from "../base/mod.js";
import { formatUeventRaw, type ErrnoName } from "../uapi/mod.js";
import { PciBus, type PciBusOptions } from "./pci_bus.js";
import { PciHardware, pcimEnableDevice, pciRead32, pciWrite32, type PciDev } from "./pci_dev.js";
import type { PciDeviceId, PciDriver } from "./pci_driver.js";

export const BDF = "0000:01:00.0";
export const DEVPATH = "/devices/pci0000:00/0000:00:01.0/0000:01:00.0";
/** The fake driver's child devices: the first probe's and the second's. */
export const CARD0 = `${DEVPATH}/drm/card0`;
export const CARD1 = `${DEVPATH}/drm/card1`;

/** QEMU's bochs-display: 1234:1111, subsystem 1af4:1100, class 0x038000. */
export function bochsCard(): PciHardware {
  return new PciHardware({
    vendor: 0x1234,
    device: 0x1111,
    subsystemVendor: 0x1af4,
    subsystemDevice: 0x1100,
    classCode: 0x038000,
    vramBytes: 16 << 20,
    mmioBytes: 4096,
  });
}

export interface Machine {
  readonly sim: Sim;
  readonly kernel: Kernel;
  readonly bus: PciBus;
  readonly proc: Process;
  /** What happened, in order: uevents ("uevent ACTION DEVPATH"), driver calls, devres releases. */
  readonly log: string[];
  /** Runs `body` as a user task to the end and returns its result. */
  run<T>(body: () => Task<T>): T;
  /** The raw uevents (fixture form, `|` for NUL) sent since the last call. */
  takeUevents(): string[];
}

export function machine(options: PciBusOptions & { readonly strategy?: SchedulingStrategy } = {}): Machine {
  const sim = options.strategy === undefined ? new Sim({ seed: 1 }) : new Sim({ seed: 1, strategy: options.strategy });
  const kernel = new Kernel(sim, { name: "mainline", version: "6.12" });
  const bus = new PciBus(kernel, options);
  const proc = new Process(kernel, "test");
  const log: string[] = [];
  kernel.uevents.subscribe({ deliver: (ev) => log.push(`uevent ${ev.action} ${ev.devpath}`) });
  let taken = 0;
  return {
    sim,
    kernel,
    bus,
    proc,
    log,
    run: <T>(body: () => Task<T>): T => sim.runTask("test", body(), { kind: "user" }),
    takeUevents: () => {
      const out = kernel.uevents.log.slice(taken).map((e) => formatUeventRaw(e.ev));
      taken = kernel.uevents.log.length;
      return out;
    },
  };
}

export interface FakeDriverOptions {
  readonly name?: string;
  readonly idTable?: readonly PciDeviceId[];
  /** probe() fails with this after taking devres. */
  readonly probeErr?: ErrnoName;
  /** remove() sleeps this long first (to show that unbind waits for it). @default 5000 */
  readonly removeTicks?: number;
  /** probe() takes a device reference, as a drm_device holds its parent. */
  readonly holdRef?: boolean;
}

export interface FakeDriver extends PciDriver {
  /** Devices whose reference probe() took (holdRef). */
  readonly held: PciDev[];
  /** MMIO register 0 as remove() read it, per device name. */
  readonly readAtRemove: Map<string, number>;
}

/**
 * A driver that logs "<name> probe", "<name> remove", and the release of its two devres
 * actions ("devres irq", then "devres iomap" registered), and adds a child device "card<N>"
 * (drm class) that remove() deletes, to stand for what a DRM driver sends in between.
 */
export function fakeDriver(m: Machine, options: FakeDriverOptions = {}): FakeDriver {
  const name = options.name ?? "fake-drm";
  const children = new Map<PciDev, Device>();
  let nextCard = 0;
  const drv: FakeDriver = {
    name,
    busName: "pci",
    idTable: options.idTable ?? [{ vendor: 0x1234, device: 0x1111 }],
    held: [],
    readAtRemove: new Map(),
    *probe(pdev: PciDev): Task<0 | ErrnoName> {
      m.log.push(`${name} probe ${pdev.name}`);
      let err = yield* pcimEnableDevice(pdev);
      if (err !== 0) return err;
      err = devmAddAction(pdev, "irq", () => void m.log.push(`devres irq ${pdev.name}`));
      if (err !== 0) return err;
      err = devmAddAction(pdev, "iomap", () => void m.log.push(`devres iomap ${pdev.name}`));
      if (err !== 0) return err;
      if (options.probeErr !== undefined) return options.probeErr;
      yield* pciWrite32(pdev, 0, 0xb0c5);
      const card = new Device(m.kernel, { name: `card${nextCard++}`, parent: pdev, subsystem: "drm", classDir: "drm" });
      children.set(pdev, card);
      yield* deviceAdd(card);
      yield step(`${name}_probe`, [], [pdev]);
      if (options.holdRef === true) drv.held.push(getDevice(pdev) as PciDev);
      return 0;
    },
    *remove(pdev: PciDev): Task<void> {
      yield sleepTicks(options.removeTicks ?? 5000);
      drv.readAtRemove.set(pdev.name, yield* pciRead32(pdev, 0));
      const card = children.get(pdev);
      assert(card !== undefined, `Cannot remove ${pdev.name}: ${name} has no card for it`);
      children.delete(pdev);
      yield* deviceDel(card);
      putDevice(card);
      m.log.push(`${name} remove ${pdev.name}`);
    },
  };
  return drv;
}

/** The uevent of a PCI device in fixture form, as Linux 6.12 sends it for QEMU's bochs-display. */
export function pciRaw(action: "add" | "bind" | "unbind" | "remove", seqnum: number, options: { devpath?: string; bdf?: string; driver?: string } = {}): string {
  const devpath = options.devpath ?? DEVPATH;
  const bdf = options.bdf ?? BDF;
  const keys = [`ACTION=${action}`, `DEVPATH=${devpath}`, "SUBSYSTEM=pci"];
  if (action === "bind") keys.push(`DRIVER=${options.driver ?? "fake-drm"}`);
  keys.push("PCI_CLASS=38000", "PCI_ID=1234:1111", "PCI_SUBSYS_ID=1AF4:1100", `PCI_SLOT_NAME=${bdf}`);
  if (action !== "unbind") keys.push("MODALIAS=pci:v00001234d00001111sv00001AF4sd00001100bc03sc80i00");
  keys.push(`SEQNUM=${seqnum}`);
  return [`${action}@${devpath}`, ...keys].join("|");
}

/** The uevent of a fake driver's child device ("card<N>") in fixture form. */
export function cardRaw(action: "add" | "remove", seqnum: number, devpath = CARD0): string {
  return `${action}@${devpath}|ACTION=${action}|DEVPATH=${devpath}|SUBSYSTEM=drm|SEQNUM=${seqnum}`;
}

/**
 * The uevents of a booted machine whose device is removed and then enumerated again: card0
 * and the PCI device go, a NEW PciDev comes with card1.
 */
export function reenumeratedUevents(): string[] {
  return [cardRaw("remove", 5), pciRaw("unbind", 6), pciRaw("remove", 7), pciRaw("add", 8), cardRaw("add", 9, CARD1), pciRaw("bind", 10)];
}

/**
 * A machine with the card at 0000:01:00.0 and the fake driver bound to it, with the log and
 * the uevents cleared: the starting point of most bus and slot tests.
 */
export function bootedMachine(options: PciBusOptions & { readonly driver?: FakeDriverOptions } = {}): { m: Machine; drv: FakeDriver } {
  const m = machine(options);
  const drv = fakeDriver(m, options.driver ?? {});
  m.run(function* () {
    yield* m.bus.insertCard(BDF, bochsCard());
    yield* m.bus.registerDriver(drv);
    yield* m.bus.enumerate();
  });
  m.log.length = 0;
  m.takeUevents();
  return { m, drv };
}
