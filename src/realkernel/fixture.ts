/**
 * Reads the real-kernel recording (fixtures/realkernel/*.jsonl, a copy of shared/realkernel/) into observations.
 *
 * What is left out, and why:
 * - uevents of other subsystems (fbdev `graphics`, `vtconsole`, modules, classes, the driver
 *   directory): the model has no fbdev emulation and no module loader;
 * - `marker`, `note`, `wait`, `target` lines and the host's QMP lines: they are the probe's
 *   bookkeeping, not kernel behaviour;
 * - the netlink socket set-up and the `exec modprobe` call;
 * - kernel messages other than "[drm] Initialized ...".
 */
import { readFileSync } from "node:fs";
import {
  FDINFO_FIELDS, isModelledKmsg, isModelledUevent, ueventRawWithoutSeqnum, type Observation,
} from "./observation.js";

interface RawLine {
  readonly type?: string;
  readonly src?: string;
  readonly scn?: string;
  readonly n?: number;
  readonly [k: string]: unknown;
}

export interface Fixture {
  readonly kernel: string;
  readonly observations: readonly Observation[];
  readonly seqnums: readonly number[];
}

const CALL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  DRM_IOCTL_VERSION: ["name", "version", "date", "desc"],
  "DRM_IOCTL_VERSION(fresh-node fd)": ["name", "version", "date", "desc"],
  DRM_IOCTL_GET_CAP: ["cap", "value"],
  DRM_IOCTL_MODE_GETRESOURCES: ["crtcs", "connectors", "encoders", "fbs"],
  DRM_IOCTL_MODE_CREATE_DUMB: ["handle", "pitch", "size"],
  DRM_IOCTL_MODE_MAP_DUMB: ["offset"],
  DRM_IOCTL_PRIME_HANDLE_TO_FD: ["handle", "flags"],
  DRM_IOCTL_PRIME_FD_TO_HANDLE: ["handle"],
  "dma-buf sync_file fd (POLLIN)": ["revents"],
};

/**
 * Opens return file descriptors, and an fdinfo read the length of a text that holds mount and
 * inode numbers: only success or errno is kernel behaviour.
 */
function normalizedRet(op: string, ret: number): number | null {
  return op === "open" || op === "socket" || op === "fdinfo" ? null : ret;
}

/** The compared fields of a call line: by what it is, or an fdinfo's (FDINFO_FIELDS). */
function callFields(o: RawLine, op: string, what: string): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  const from = op === "fdinfo" ? o["fdinfo"] : o;
  if (typeof from !== "object" || from === null) return fields;
  const source = from as Readonly<Record<string, unknown>>;
  for (const k of op === "fdinfo" ? FDINFO_FIELDS : CALL_FIELDS[what] ?? []) {
    const v = source[k];
    if (typeof v === "string" || typeof v === "number") fields[k] = v;
  }
  return fields;
}

/**
 * The fields of one line, each read with the type the recorder writes; a line that lacks one or
 * has another type is refused with its file and line, not shown as "undefined".
 */
class LineFields {
  constructor(private readonly o: RawLine, private readonly where: string) {}

  private fail(key: string, want: string): never {
    const type = String(this.o.type);
    throw new SyntaxError(`Cannot read ${this.where}: a "${type}" line needs "${key}" as ` +
      `${want}, as the recorder writes`);
  }

  text(key: string): string {
    const v = this.o[key];
    return typeof v === "string" ? v : this.fail(key, "text");
  }

  number(key: string): number {
    const v = this.o[key];
    return typeof v === "number" ? v : this.fail(key, "a number");
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.o[key];
    return values.includes(v as T) ? (v as T) : this.fail(key, values.join(" or "));
  }

  textOrNull(key: string): string | null {
    const v = this.o[key] ?? null;
    return v === null || typeof v === "string" ? v : this.fail(key, "text or null");
  }

  /** A list of objects whose `keys` are text (`optional` ones may be missing). */
  objects(key: string, keys: readonly string[], optional: readonly string[] = []):
    Record<string, string | undefined>[] {
    const v = this.o[key];
    const fits = (x: unknown): x is Record<string, unknown> =>
      typeof x === "object" && x !== null &&
      keys.every((k) => typeof (x as Record<string, unknown>)[k] === "string" ||
        (optional.includes(k) && (x as Record<string, unknown>)[k] === undefined));
    if (!Array.isArray(v) || !v.every(fits)) {
      this.fail(key, `a list of objects with ${keys.map((k) => `"${k}"`).join(", ")}`);
    }
    return v as Record<string, string | undefined>[];
  }
}

function noStart(file: string): SyntaxError {
  return new SyntaxError(`Cannot read ${file}: no "start" line; not a real-kernel recording`);
}

export function parseFixture(text: string, file = "fixture"): Fixture {
  const out: Observation[] = [];
  const seqnums: number[] = [];
  let kernel = "unknown";
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let o: RawLine;
    try {
      o = JSON.parse(line) as RawLine;
    } catch (e) {
      throw new SyntaxError(`Cannot read ${file}:${i + 1}: ${(e as Error).message}`);
    }
    if (typeof o !== "object" || o === null || Array.isArray(o) || typeof o.type !== "string") {
      const want = `expected a JSON object with a "type", as the recorder writes`;
      throw new SyntaxError(`Cannot read ${file}:${i + 1}: ${want}`);
    }
    if (o.src === "host") continue;
    // A recording opens with its start line: other JSON lines are not a recording.
    if (kernel === "unknown" && o.type !== "start") throw noStart(file);
    const f = new LineFields(o, `${file}:${i + 1}`);
    const scn = o.scn === undefined ? "" : f.text("scn");
    switch (o.type) {
      case "start":
        kernel = f.text("kernel");
        break;
      case "uevent": {
        const raw = f.text("raw");
        if (!isModelledUevent(raw)) break;
        const seq = /\|SEQNUM=(\d+)/.exec(raw);
        if (seq) seqnums.push(Number(seq[1]));
        out.push({ kind: "uevent", scn, raw: ueventRawWithoutSeqnum(raw) });
        break;
      }
      case "call": {
        const op = f.text("op");
        const what = f.text("what");
        if (op === "socket" || op === "bind" || op === "exec") break;
        const ret = f.number("ret");
        const fields = callFields(o, op, what);
        out.push({ kind: "call", scn, op, what, ok: ret >= 0, ret: normalizedRet(op, ret), errno: f.textOrNull("errno"), fields });
        break;
      }
      case "mem": {
        const read = f.oneOf("op", ["read", "write"]) === "read";
        out.push({
          kind: "mem",
          scn,
          what: f.text("what"),
          op: read ? "read" : "write",
          result: f.text("result"),
          first: read ? f.text("first") : null,
          matchPattern: read ? f.number("match_pattern") : null,
          zero: read ? f.number("zero") : null,
          ff: read ? f.number("ff") : null,
        });
        break;
      }
      case "minors": {
        const sysfs = f.objects("sysfs", ["name", "dev", "device"]);
        out.push({ kind: "minors", scn, why: f.text("why"), cards: sysfs.map((m) => `${m.name}=${m.dev}@${m.device}`) });
        break;
      }
      case "ls": {
        const path = f.text("path");
        if (path !== "/dev/dri" && path !== "/sys/class/drm") break;
        const entries = o["entries"] === undefined ? undefined : f.objects("entries", ["name", "dev"], ["dev"]);
        out.push({ kind: "ls", scn, path, entries: entries === undefined ? null : entries.map((e) => (e["dev"] ? `${e["name"]}=${e["dev"]}` : e["name"]!)).sort() });
        break;
      }
      case "kmsg": {
        const msg = f.text("msg");
        if (isModelledKmsg(msg)) out.push({ kind: "kmsg", scn, msg });
        break;
      }
    }
  }
  if (kernel === "unknown") throw noStart(file);
  return { kernel, observations: out, seqnums };
}

export function loadFixture(path: string): Fixture {
  return parseFixture(readFileSync(path, "utf8"), path);
}
