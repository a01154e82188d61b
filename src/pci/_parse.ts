/**
 * How sysfs store functions of the PCI core read what userspace wrote: kstrtoul() for the
 * device and bus attributes, simple_strtoul() for the hot-plug slot's `power`, sysfs_streq()
 * for bus addresses written to a driver's `bind` and `unbind`, and bus-address parsing.
 *
 * @see kstrtoul(), simple_strtoul() in lib/kstrtox.c and lib/vsprintf.c; sysfs_streq() in lib/string.c
 */

/**
 * kstrtoul(buf, 0): decimal, 0x-hex or 0-octal, one optional trailing newline, nothing else.
 * @returns the value, or null where the kernel returns -EINVAL (or -ERANGE)
 */
export function kstrtoul(buf: string): number | null {
  const text = buf.endsWith("\n") ? buf.slice(0, -1) : buf;
  const m = /^\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(text);
  if (m === null) return null;
  const value = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : parseInt(m[3] ?? "", 10);
  return Number.isSafeInteger(value) ? value : null;
}

/** simple_strtoul(buf, NULL, 10): the leading decimal digits; no digits read as 0 (never an error). */
export function simpleStrtoul(buf: string): number {
  const m = /^\s*\+?([0-9]+)/.exec(buf);
  return m === null ? 0 : Number(m[1]);
}

/** The string userspace wrote, as sysfs_streq() compares it: one trailing newline ignored. */
export function sysfsStreqValue(buf: string): string {
  return buf.endsWith("\n") ? buf.slice(0, -1) : buf;
}

/** A PCI bus address "DDDD:BB:dd.f" (domain, bus, device, function), lower-case hex. */
export interface PciAddress {
  readonly domain: number;
  readonly bus: number;
  readonly device: number;
  readonly fn: number;
}

const BDF_RE = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

/** Parses "0000:01:00.0"; null if it is not a bus address as pci_name() prints it. */
export function parseBdf(bdf: string): PciAddress | null {
  const m = BDF_RE.exec(bdf);
  if (m === null) return null;
  const device = parseInt(m[3] ?? "", 16);
  if (device > 0x1f) return null;
  return { domain: parseInt(m[1] ?? "", 16), bus: parseInt(m[2] ?? "", 16), device, fn: Number(m[4]) };
}

export function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, "0");
}

export function HEX(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, "0");
}
