/**
 * Kernel uevents as userspace receives them, and the three ways vdrm prints them: the netlink
 * datagram (`ACTION@DEVPATH\0KEY=VALUE\0...`), the fixture form with `|` where the kernel puts
 * NUL, and `udevadm monitor --kernel --property`.
 *
 * @see kobject_uevent_env() in lib/kobject_uevent.c; udevadm-monitor.c in systemd
 */
export type UeventAction = "add" | "remove" | "change" | "move" | "online" | "offline" | "bind" | "unbind";

export const UEVENT_ACTIONS: readonly UeventAction[] = ["add", "remove", "change", "move", "online", "offline", "bind", "unbind"];

export interface Uevent {
  readonly action: UeventAction;
  readonly devpath: string;
  /** KEY=VALUE pairs in the kernel's order: ACTION, DEVPATH, SUBSYSTEM, caller keys, device keys, SEQNUM. */
  readonly env: readonly (readonly [string, string])[];
}

export function ueventGet(ev: Uevent, key: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of ev.env) if (k === key) value = v; // the last duplicate wins
  return value;
}

export function ueventSeqnum(ev: Uevent): number {
  return Number(ueventGet(ev, "SEQNUM") ?? "0");
}

/** The fields of the wire form: the `ACTION@DEVPATH` header, then one `KEY=VALUE` per key. */
function ueventFields(ev: Uevent): string[] {
  return [`${ev.action}@${ev.devpath}`, ...ev.env.map(([k, v]) => `${k}=${v}`)];
}

/** The datagram on NETLINK_KOBJECT_UEVENT group 1. */
export function encodeKernelUevent(ev: Uevent): Buffer {
  return Buffer.from(ueventFields(ev).join("\0") + "\0", "utf8");
}

/** The fixture form: NUL shown as `|`, no trailing separator. */
export function formatUeventRaw(ev: Uevent): string {
  return ueventFields(ev).join("|");
}

export class UeventParseError extends SyntaxError {
  override readonly name = "UeventParseError";
}

/**
 * Parses a kernel datagram (NUL-separated) or the fixture form (`|`-separated).
 * Tolerates a missing trailing separator; values may contain `=`.
 */
export function parseKernelUevent(input: Buffer | string): Uevent {
  const text = typeof input === "string" ? input : input.toString("utf8");
  const sep = text.includes("\0") ? "\0" : "|";
  const parts = text.split(sep).filter((p) => p.length > 0);
  const header = parts[0];
  if (header === undefined) throw new UeventParseError("Cannot parse uevent: empty datagram");
  const at = header.indexOf("@/");
  if (at <= 0) throw new UeventParseError(`Cannot parse uevent: header "${header.slice(0, 60)}" has no ACTION@/DEVPATH`);
  const action = header.slice(0, at);
  if (!(UEVENT_ACTIONS as readonly string[]).includes(action)) throw new UeventParseError(`Cannot parse uevent: unknown action "${action}"`);
  const env: [string, string][] = [];
  for (const [i, part] of parts.slice(1).entries()) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UeventParseError(`Cannot parse uevent: field ${i + 1} "${part.slice(0, 60)}" is not KEY=VALUE`);
    env.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return { action: action as UeventAction, devpath: header.slice(at + 1), env };
}

/** The banner `udevadm monitor --kernel --property` prints once. */
export const UDEVADM_BANNER = "monitor will print the received events for:\nKERNEL - the kernel uevent\n";

/**
 * One event as `udevadm monitor --kernel --property` prints it: the header line with the
 * monotonic receive time, then the properties in sd_device order (wire order, but MAJOR and
 * MINOR last and DEVNAME absolute), then an empty line.
 */
export function formatUdevadm(ev: Uevent, receivedUsec: number, source: "KERNEL" | "UDEV" = "KERNEL"): string {
  const sec = Math.floor(receivedUsec / 1_000_000);
  const usec = String(receivedUsec % 1_000_000).padStart(6, "0");
  const subsystem = ueventGet(ev, "SUBSYSTEM") ?? "";
  const header = `${source.padEnd(6)}[${sec}.${usec}] ${ev.action.padEnd(8)} ${ev.devpath} (${subsystem})`;
  const props: string[] = [];
  const late: string[] = [];
  for (const [k, v] of ev.env) {
    if (k === "MAJOR" || k === "MINOR") late.push(`${k}=${v}`);
    else if (k === "DEVNAME" && !v.startsWith("/")) props.push(`DEVNAME=/dev/${v}`);
    else props.push(`${k}=${v}`);
  }
  return [header, ...props, ...late, ""].join("\n") + "\n";
}
