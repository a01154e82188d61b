/**
 * struct pci_dev: one PCI function as the kernel knows it, and the card it talks to.
 *
 * The card (`PciHardware`) is physical: it sits in a slot across any number of enumerations.
 * Each enumeration makes a NEW `PciDev` for it; the old one, once removed, lives on only as
 * long as someone holds a reference (a drm_device holds its parent's), then it is freed.
 * When the card is pulled out (surprise removal) or its slot is powered off, the card answers
 * nothing: MMIO reads return all ones and writes are dropped, as on a real PCIe link that is
 * down (the root port completes the read with an Unsupported Request).
 *
 * @see struct pci_dev in include/linux/pci.h; pci_uevent() in drivers/pci/pci-driver.c;
 *      pci_enable_device(), pcim_enable_device() in drivers/pci/pci.c and devres.c
 */
import { assert, step, type Task } from "../kernel/mod.js";
import { Device, devmAddActionOrReset, type Kernel } from "../base/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { hex, HEX, parseBdf, type PciAddress } from "./_parse.js";

/**
 * What a card is made with: its IDs, class code, revision and sizes (the fields of PciHardware),
 * and the values its registers hold at power-on (every other register reads 0).
 */
export type PciHardwareInit = Pick<PciHardware, "vendor" | "device" | "subsystemVendor" | "subsystemDevice" | "classCode" | "vramBytes" | "mmioBytes"> & {
  readonly revision?: number;
  readonly powerOnMmio?: readonly (readonly [offsetBytes: number, value: number])[];
};

/** A card: what is physically in a slot (or soldered at a bus-0 address). */
export class PciHardware {
  readonly vendor: number;
  readonly device: number;
  readonly subsystemVendor: number;
  readonly subsystemDevice: number;
  /** The 24-bit class code: base class, sub-class, programming interface (0x038000). */
  readonly classCode: number;
  /** The revision ID (config space offset 8); 0 unless the card says otherwise. */
  readonly revision: number;
  readonly vramBytes: number;
  readonly mmioBytes: number;
  /** False once the card has been pulled out (surprise removal); it never comes back. */
  present = true;
  /** Whether the slot powers the card; an unpowered card answers like an absent one. */
  powered = true;
  /** Function-level resets done so far (pci_reset_function()). */
  resetCount = 0;
  /**
   * 32-bit MMIO registers by byte offset; a register never written reads its power-on value
   * (0 unless `powerOnMmio` says otherwise). A function reset or a power cycle restores them.
   */
  readonly mmio = new Map<number, number>();
  /** The registers' values at power-on, after a function-level reset or a power cycle. */
  readonly powerOnMmio: ReadonlyMap<number, number>;
  /**
   * Status registers whose value comes from outside the card (a display's hot-plug sense
   * line): a read returns it whatever was written, and no reset changes it.
   */
  readonly sense = new Map<number, number>();
  /** Set while the card sits in a slot of a bus; a card is inserted once. */
  inserted = false;

  constructor(init: PciHardwareInit) {
    for (const k of ["vendor", "device", "subsystemVendor", "subsystemDevice"] as const) {
      assert(Number.isInteger(init[k]) && init[k] >= 0 && init[k] <= 0xffff, `Cannot make PCI card: ${k} 0x${init[k].toString(16)} is not 16-bit`);
    }
    assert(Number.isInteger(init.classCode) && init.classCode >= 0 && init.classCode <= 0xffffff, "Cannot make PCI card: classCode is not 24-bit");
    assert(init.mmioBytes > 0 && init.mmioBytes % 4 === 0, `Cannot make PCI card: mmioBytes ${init.mmioBytes} is not a positive multiple of 4`);
    assert(init.vramBytes >= 0, "Cannot make PCI card: vramBytes is negative");
    this.vendor = init.vendor;
    this.device = init.device;
    this.subsystemVendor = init.subsystemVendor;
    this.subsystemDevice = init.subsystemDevice;
    this.classCode = init.classCode;
    this.revision = init.revision ?? 0;
    assert(Number.isInteger(this.revision) && this.revision >= 0 && this.revision <= 0xff, "Cannot make PCI card: revision is not 8-bit");
    this.vramBytes = init.vramBytes;
    this.mmioBytes = init.mmioBytes;
    this.powerOnMmio = new Map(init.powerOnMmio ?? []);
    pciHardwarePowerOnState(this);
  }
}

/**
 * The card's registers go back to their power-on values: what a function-level reset, a
 * power cycle of its slot or a reboot of the machine leaves of the state a driver programmed.
 */
export function pciHardwarePowerOnState(hw: PciHardware): void {
  hw.mmio.clear();
  for (const [offset, value] of hw.powerOnMmio) hw.mmio.set(offset, value);
}

/** Whether the card answers on the bus: in its slot and powered. */
export function pciHardwareResponds(hw: PciHardware): boolean {
  return hw.present && hw.powered;
}

/**
 * A PCI function on the bus: a struct device with subsystem "pci", named by its bus address,
 * sending the PCI uevent keys. The struct is one allocation ("pci_dev"), freed by the last
 * putDevice().
 */
export class PciDev extends Device {
  static override readonly fixedFields = ["hardware", "address"];
  readonly hardware: PciHardware;
  readonly address: PciAddress;
  /** pci_enable_device() calls not yet undone. @see enable_cnt */
  enableCnt = 0;
  /** pci_dev_is_disconnected(): pciehp saw the card go away (error_state perm_failure). */
  disconnected = false;
  /** match_driver: drivers may bind only once pci_bus_add_device() ran. */
  matchDriver = false;
  /** PCI_DEV_ADDED: pci_bus_add_device() ran and pci_stop_dev() did not yet. */
  busAdded = false;
  /** The bus behind a bridge (its pci_bus device), while it exists. @see pci_dev->subordinate */
  subordinate: Device | null = null;
  /**
   * The bound driver's sanitizer of its own register accesses (no Linux field: a checker,
   * like KASAN's hooks), called with each MMIO access; null when none is installed.
   */
  mmioCheck: ((offset: number, mode: "read" | "write") => void) | null = null;
  /** The bound driver's interrupt handler (request_irq()), null when none is requested. */
  irq: PciIrq | null = null;

  constructor(kernel: Kernel, parent: Device, bdf: string, hardware: PciHardware) {
    const address = parseBdf(bdf);
    assert(address !== null, `Cannot make pci_dev: "${bdf}" is not a bus address`);
    super(kernel, { name: bdf, parent, subsystem: "pci", busUevent: pciUevent, mem: kernel.sim.alloc("pci_dev") });
    kernel.sim.relabel(this.mem, `pci_dev#${this.mem.id} (${bdf})`);
    this.hardware = hardware;
    this.address = address;
  }
}

/** An interrupt handler a driver requested: its name (`/proc/interrupts`) and its function. */
export interface PciIrq {
  readonly name: string;
  readonly handler: (pdev: PciDev) => Task<void>;
}

/** Requests the function's interrupt; the caller's step writes `pdev`. @see request_irq() */
export function requestIrq(pdev: PciDev, name: string, handler: (pdev: PciDev) => Task<void>): void {
  assert(pdev.irq === null, `Cannot request the interrupt of ${pdev.name}: ${pdev.irq?.name} has it`);
  pdev.irq = { name, handler };
}

/** Frees the function's interrupt; the caller's step writes `pdev`. @see free_irq() */
export function freeIrq(pdev: PciDev): void {
  pdev.irq = null;
}

/**
 * The card raises its interrupt: a kernel task runs the requested handler, if any (none:
 * a spurious interrupt, ignored). @see handle_irq_event()
 */
export function pciRaiseIrq(pdev: PciDev): void {
  pdev.kernel.sim.spawn(`irq/${pdev.name}`, (function* (): Task<void> {
    yield step("handle_irq_event", [pdev]);
    const irq = pdev.irq;
    if (irq !== null) yield* irq.handler(pdev);
  })(), { kind: "kernel" });
}

/** Narrows a driver-core device to the PCI device it is (a model bug if it is not). */
export function toPciDev(dev: Device): PciDev {
  assert(dev instanceof PciDev, `Cannot use device ${dev.name} as a PCI device: subsystem ${dev.subsystem}`);
  return dev;
}

/**
 * The bus keys of a PCI device's uevents, in pci_uevent()'s order. The driver core puts
 * DRIVER before them and drops MODALIAS from `unbind`.
 * @see pci_uevent() in drivers/pci/pci-driver.c
 */
export function pciUevent(dev: Device): [string, string][] {
  const hw = toPciDev(dev).hardware;
  const cls = hw.classCode;
  const modalias = `pci:v${HEX(hw.vendor, 8)}d${HEX(hw.device, 8)}sv${HEX(hw.subsystemVendor, 8)}sd${HEX(hw.subsystemDevice, 8)}` +
    `bc${HEX(cls >> 16, 2)}sc${HEX((cls >> 8) & 0xff, 2)}i${HEX(cls & 0xff, 2)}`;
  return [
    ["PCI_CLASS", HEX(cls, 4)],
    ["PCI_ID", `${HEX(hw.vendor, 4)}:${HEX(hw.device, 4)}`],
    ["PCI_SUBSYS_ID", `${HEX(hw.subsystemVendor, 4)}:${HEX(hw.subsystemDevice, 4)}`],
    ["PCI_SLOT_NAME", dev.name],
    ["MODALIAS", modalias],
  ];
}

function assertMmioOffset(pdev: PciDev, offset: number, action: string): void {
  assert(Number.isInteger(offset) && offset >= 0 && offset % 4 === 0, `Cannot ${action} MMIO of ${pdev.name}: offset ${offset} is not 32-bit aligned`);
  assert(offset < pdev.hardware.mmioBytes, `Cannot ${action} MMIO of ${pdev.name}: offset 0x${offset.toString(16)} beyond BAR of ${pdev.hardware.mmioBytes} bytes`);
}

/**
 * Reads a 32-bit MMIO register. Guarantees: 0xffffffff when the card is gone or unpowered
 * (the read completes, it does not fault). Not guaranteed: that the value means anything;
 * a driver must treat all ones as "maybe gone".
 * @see readl()
 */
export function* pciRead32(pdev: PciDev, offset: number): Task<number> {
  yield step("readl", [pdev]);
  assertMmioOffset(pdev, offset, "read");
  pdev.mmioCheck?.(offset, "read");
  const hw = pdev.hardware;
  if (!pciHardwareResponds(hw)) return 0xffffffff;
  return hw.sense.get(offset) ?? hw.mmio.get(offset) ?? 0;
}

/**
 * Writes a 32-bit MMIO register; dropped when the card is gone or unpowered. The step writes
 * `pdev`, so an explorer keeps register writes to one device ordered.
 * @see writel()
 */
export function* pciWrite32(pdev: PciDev, offset: number, value: number): Task<void> {
  yield step("writel", [pdev], [pdev]);
  assertMmioOffset(pdev, offset, "write");
  pdev.mmioCheck?.(offset, "write");
  assert(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, `Cannot write MMIO of ${pdev.name}: value is not 32-bit`);
  const hw = pdev.hardware;
  if (pciHardwareResponds(hw)) hw.mmio.set(offset, value);
}

/**
 * Enables memory decoding and bus mastering; counted, so every call needs a
 * pciDisableDevice(). Returns 0, or EIO at fault point "pci_enable_device".
 * @see pci_enable_device() in drivers/pci/pci.c
 */
export function* pciEnableDevice(pdev: PciDev): Task<0 | ErrnoName> {
  yield step("pci_enable_device", [], [pdev]);
  if (pdev.kernel.faults.shouldFail("pci_enable_device")) return "EIO";
  pdev.enableCnt++;
  if (pdev.enableCnt === 1) pdev.kernel.sim.printk(6, `${pdev.driver?.name ?? "pci"} ${pdev.name}: enabling device (0000 -> 0002)`);
  return 0;
}

/** @see pci_disable_device(); warns on a device that is not enabled. */
export function* pciDisableDevice(pdev: PciDev): Task<void> {
  yield step("pci_disable_device", [], [pdev]);
  if (pdev.enableCnt <= 0) {
    pdev.kernel.sim.warn(`${pdev.driver?.name ?? "pci"} ${pdev.name}: disabling already-disabled device`);
    return;
  }
  pdev.enableCnt--;
}

/**
 * pci_enable_device() undone by devres at unbind (after remove()).
 * @see pcim_enable_device() in drivers/pci/devres.c
 */
export function* pcimEnableDevice(pdev: PciDev): Task<0 | ErrnoName> {
  const err = yield* pciEnableDevice(pdev);
  if (err !== 0) return err;
  return yield* devmAddActionOrReset(pdev, "pcim_disable_device", () => pciDisableDevice(pdev));
}

/** The sysfs `class`, `vendor`, ... texts of a card. @see pci-sysfs.c */
export function pciConfigText(hw: PciHardware, key: "vendor" | "device" | "subsystem_vendor" | "subsystem_device" | "class" | "revision"): string {
  switch (key) {
    case "vendor": return `0x${hex(hw.vendor, 4)}\n`;
    case "device": return `0x${hex(hw.device, 4)}\n`;
    case "subsystem_vendor": return `0x${hex(hw.subsystemVendor, 4)}\n`;
    case "subsystem_device": return `0x${hex(hw.subsystemDevice, 4)}\n`;
    case "class": return `0x${hex(hw.classCode, 6)}\n`;
    case "revision": return `0x${hex(hw.revision, 2)}\n`;
  }
}
