/**
 * `udevadm monitor --kernel --property` as text, read line by line (a child process's output,
 * a recorded file): the banner, then per event a header line
 * `KERNEL[265.802982] change   /devices/.../drm/card0 (drm)` (or `UDEV  [...]`), its
 * properties one `KEY=VALUE` a line, and an empty line. Without `--property` only header lines
 * come; an event is then made of its ACTION, DEVPATH and SUBSYSTEM.
 *
 * A line that fits nowhere is an error naming its line; the parser then skips to the next
 * empty line or header, so one bad record never hides the next.
 *
 * @see udevadm-monitor.c in systemd (the printf of the header, then the properties)
 */
import { formatUdevadm, type Uevent } from "../uapi/mod.js";
import type { UeventOrigin } from "./datagram.js";
import { excerpt, UeventFormatError, type UeventWhere } from "./format_error.js";
import { isUeventAction, parseEnvFields, ueventFromKeys, type Field } from "./uevent_fields.js";

/** An event as a source received it: its origin, its receive time if known, where it was. */
export interface ReceivedUevent {
  readonly origin: UeventOrigin;
  readonly event: Uevent;
  /** The monotonic receive time udevadm printed, in microseconds. */
  readonly receivedUsec?: number;
  readonly where: UeventWhere;
}

export type TextRecord =
  | { readonly kind: "event"; readonly received: ReceivedUevent }
  | { readonly kind: "error"; readonly error: UeventFormatError };

const HEADER = /^(KERNEL|UDEV)\s*\[(\d+)\.(\d{1,9})\]\s+(\S+)\s+(\S+)\s+\((.*)\)$/;
const BANNER: ReadonlySet<string> = new Set([
  "monitor will print the received events for:",
  "KERNEL - the kernel uevent",
  "UDEV - the event which udev sends out after rule processing",
]);

interface Pending {
  readonly origin: UeventOrigin;
  readonly receivedUsec: number;
  readonly action: string;
  readonly devpath: string;
  readonly subsystem: string;
  readonly line: number;
  readonly props: Field[];
}

export class UdevadmTextParser {
  private lineNo = 0;
  private pending: Pending | null = null;
  private skipping = false;

  constructor(private readonly source = "") {}

  /** Feeds one line (its newline removed); returns the records it completed. */
  push(rawLine: string): TextRecord[] {
    this.lineNo++;
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    const out: TextRecord[] = [];
    const header = HEADER.exec(line);
    if (line === "" || header !== null) {
      this.finish(out);
      this.skipping = false;
      if (header !== null) this.pending = this.startEvent(header);
      return out;
    }
    if (this.pending !== null) {
      const eq = line.indexOf("=");
      if (eq > 0) {
        this.pending.props.push({ text: line, where: { line: this.lineNo, column: 1 } });
        return out;
      }
      this.pending = null;
      return this.fail(out, `line ${excerpt(line)} is not KEY=VALUE`);
    }
    if (this.skipping || BANNER.has(line)) return out;
    return this.fail(out, `line ${excerpt(line)} is neither an event header nor a property`);
  }

  /** The end of the input: completes an event that had no empty line after it. */
  end(): TextRecord[] {
    const out: TextRecord[] = [];
    this.finish(out);
    return out;
  }

  private fail(out: TextRecord[], what: string): TextRecord[] {
    this.skipping = true;
    out.push({ kind: "error", error: new UeventFormatError(what, { line: this.lineNo, column: 1 }, this.source) });
    return out;
  }

  private startEvent(m: RegExpExecArray): Pending {
    const usec = Number(m[2]) * 1_000_000 + Number(m[3]!.padEnd(6, "0").slice(0, 6));
    const origin: UeventOrigin = m[1] === "UDEV" ? "udev" : "kernel";
    return { origin, receivedUsec: usec, action: m[4]!, devpath: m[5]!, subsystem: m[6]!, line: this.lineNo, props: [] };
  }

  private finish(out: TextRecord[]): void {
    const p = this.pending;
    this.pending = null;
    if (p === null) return;
    const where: UeventWhere = { line: p.line };
    try {
      out.push({ kind: "event", received: { origin: p.origin, event: this.eventOf(p, where), receivedUsec: p.receivedUsec, where } });
    } catch (e) {
      if (!(e instanceof UeventFormatError)) throw e;
      out.push({ kind: "error", error: e });
    }
  }

  private eventOf(p: Pending, where: UeventWhere): Uevent {
    if (!isUeventAction(p.action)) throw new UeventFormatError(`unknown action ${excerpt(p.action)}`, where, this.source);
    if (p.props.length === 0) {
      const env: [string, string][] = [["ACTION", p.action], ["DEVPATH", p.devpath], ["SUBSYSTEM", p.subsystem]];
      return ueventFromKeys(env, where, this.source);
    }
    const env = parseEnvFields(p.props, this.source);
    const keys = new Set(env.map(([k]) => k));
    // udevadm prints every property; a hand-made record may leave out what its header says.
    if (!keys.has("ACTION")) env.unshift(["ACTION", p.action]);
    if (!keys.has("DEVPATH")) env.splice(1, 0, ["DEVPATH", p.devpath]);
    return ueventFromKeys(env, where, this.source);
  }
}

/** Parses a whole text; the records in input order. */
export function parseUdevadmText(text: string, source = ""): TextRecord[] {
  const parser = new UdevadmTextParser(source);
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return [...lines.flatMap((l) => parser.push(l)), ...parser.end()];
}

/** One event as udevadm prints it (header, properties, empty line). */
export function formatUdevadmEvent(ev: Uevent, receivedUsec: number, origin: UeventOrigin = "kernel"): string {
  return formatUdevadm(ev, receivedUsec, origin === "udev" ? "UDEV" : "KERNEL");
}
