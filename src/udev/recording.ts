/**
 * Recorded uevents, as files or standard input hold them. Two text forms, told apart by the
 * first line that is not empty or a `#` comment:
 * - `udevadm monitor --kernel --property` output (udevadm_text.ts);
 * - fixture lines, one event a line, `|` where the kernel puts NUL:
 *   `change@/devices/.../drm/card0|ACTION=change|DEVPATH=...|SUBSYSTEM=drm|SEQNUM=5208`.
 * An event file for `vdrm udev test` may also be one binary datagram (kernel or libudev).
 */
import type { UeventWhere } from "./format_error.js";
import { UeventFormatError } from "./format_error.js";
import { parseUeventDatagram } from "./datagram.js";
import { UdevadmTextParser, type ReceivedUevent, type TextRecord } from "./udevadm_text.js";
import { parseEnvFields, parseHeader, type Field } from "./uevent_fields.js";

const FIXTURE_LINE = /^[a-z]+@\//;

/** The `|`-separated fields of a fixture line, each with its column (1-based). */
function fixtureFields(line: string, lineNo: number): Field[] {
  const fields: Field[] = [];
  let column = 1;
  for (const text of line.split("|")) {
    if (text !== "") fields.push({ text, where: { line: lineNo, column } });
    column += text.length + 1;
  }
  return fields;
}

/**
 * Parses one fixture line.
 * @throws UeventFormatError naming the line and column of the field at fault
 */
export function parseFixtureLine(line: string, lineNo: number, source = ""): ReceivedUevent {
  const fields = fixtureFields(line, lineNo);
  const where: UeventWhere = { line: lineNo };
  const header = fields[0];
  if (header === undefined) throw new UeventFormatError("empty line", where, source);
  const { action, devpath } = parseHeader(header, source);
  return { origin: "kernel", event: { action, devpath, env: parseEnvFields(fields.slice(1), source) }, where };
}

/** A recording read line by line; the form is chosen at its first significant line. */
export class RecordingParser {
  private form: "fixture" | "udevadm" | null = null;
  private lineNo = 0;
  private readonly udevadm: UdevadmTextParser;

  constructor(private readonly source = "") {
    this.udevadm = new UdevadmTextParser(source);
  }

  push(rawLine: string): TextRecord[] {
    this.lineNo++;
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (this.form === null) {
      if (line === "" || line.startsWith("#")) return [];
      this.form = FIXTURE_LINE.test(line) ? "fixture" : "udevadm";
    }
    if (this.form !== "fixture") return this.udevadm.push(rawLine);
    if (line === "" || line.startsWith("#")) return [];
    try {
      return [{ kind: "event", received: parseFixtureLine(line, this.lineNo, this.source) }];
    } catch (e) {
      if (e instanceof UeventFormatError) return [{ kind: "error", error: e }];
      throw e;
    }
  }

  end(): TextRecord[] {
    return this.form === "fixture" ? [] : this.udevadm.end();
  }
}

/** Parses a whole recording; its records in order. */
export function parseRecording(text: string, source = ""): TextRecord[] {
  const parser = new RecordingParser(source);
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return [...lines.flatMap((l) => parser.push(l)), ...parser.end()];
}

/**
 * The events of an event file: one binary datagram (it holds a NUL byte), or a recording.
 * @throws UeventFormatError at the first record at fault, or when the file holds no event
 */
export function parseEventFile(bytes: Uint8Array, source = ""): ReceivedUevent[] {
  if (bytes.includes(0)) {
    const { origin, event } = parseUeventDatagram(bytes, source);
    return [{ origin, event, where: { byte: 0 } }];
  }
  const events: ReceivedUevent[] = [];
  for (const r of parseRecording(Buffer.from(bytes).toString("utf8"), source)) {
    if (r.kind === "error") throw r.error;
    events.push(r.received);
  }
  if (events.length === 0) throw new UeventFormatError("no event in the file", { line: 1 }, source);
  return events;
}
