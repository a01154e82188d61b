/**
 * The kernel log as /dev/kmsg gives it: one record a read, `PRIO,SEQ,TS_USEC,FLAGS;MESSAGE`
 * then the record's dictionary, one ` KEY=VALUE` line each (`SUBSYSTEM=pci`,
 * `DEVICE=+pci:0000:03:00.0` for a dev_printk() of a PCI function). The daemon keeps a
 * device's lines for its telemetry: those whose dictionary names the device, and those whose
 * message names its bus address (a driver's own prefix, "xe 0000:03:00.0: ...").
 *
 * @see Documentation/ABI/testing/dev-kmsg; devkmsg_read() in kernel/printk/printk.c
 */

export interface KmsgRecord {
  /** The log level (0 emerg .. 7 debug): the low three bits of PRIO. */
  readonly level: number;
  readonly seq: number;
  readonly usec: number;
  readonly message: string;
  readonly dict: ReadonlyMap<string, string>;
}

const HEADER = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;

/** Every record of `text` (reads of /dev/kmsg put together); lines that are not one are skipped. */
export function parseKmsg(text: string): KmsgRecord[] {
  const records: { level: number; seq: number; usec: number; message: string; dict: Map<string, string> }[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith(" ")) {
      const eq = line.indexOf("=");
      if (eq > 1) records.at(-1)?.dict.set(line.slice(1, eq), line.slice(eq + 1));
      continue;
    }
    const m = HEADER.exec(line);
    if (m === null) continue;
    records.push({ level: Number(m[1]) & 7, seq: Number(m[2]), usec: Number(m[3]), message: m[4]!, dict: new Map() });
  }
  return records;
}

/** A record as dmesg prints it: `[  265.802982] xe 0000:03:00.0: ...`. */
export function formatKmsg(r: KmsgRecord): string {
  const s = Math.floor(r.usec / 1e6);
  const us = String(r.usec % 1e6).padStart(6, "0");
  return `[${String(s).padStart(5)}.${us}] ${r.message}`;
}

/** The records about PCI function `bdf`: by its DEVICE key, or naming it in the message. */
export function deviceRecords(records: readonly KmsgRecord[], bdf: string): KmsgRecord[] {
  return records.filter((r) => r.dict.get("DEVICE") === `+pci:${bdf}` || r.message.includes(bdf));
}
