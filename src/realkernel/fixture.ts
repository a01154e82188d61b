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
import { isModelledKmsg, isModelledUevent, ueventRawWithoutSeqnum, type Observation } from "./observation.js";

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
};

/** Opens return file descriptors; only success or errno is kernel behaviour. */
function normalizedRet(op: string, ret: number): number | null {
  return op === "open" || op === "socket" ? null : ret;
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
    const scn = o.scn ?? "";
    switch (o.type) {
      case "start":
        kernel = String(o["kernel"]);
        break;
      case "uevent": {
        const raw = String(o["raw"]);
        if (!isModelledUevent(raw)) break;
        const seq = /\|SEQNUM=(\d+)/.exec(raw);
        if (seq) seqnums.push(Number(seq[1]));
        out.push({ kind: "uevent", scn, raw: ueventRawWithoutSeqnum(raw) });
        break;
      }
      case "call": {
        const op = String(o["op"]);
        const what = String(o["what"]);
        if (op === "socket" || op === "bind" || op === "exec") break;
        const ret = Number(o["ret"]);
        const fields: Record<string, string | number> = {};
        for (const k of CALL_FIELDS[what] ?? []) {
          const v = o[k];
          if (typeof v === "string" || typeof v === "number") fields[k] = v;
        }
        out.push({ kind: "call", scn, op, what, ok: ret >= 0, ret: normalizedRet(op, ret), errno: (o["errno"] as string | null) ?? null, fields });
        break;
      }
      case "mem":
        out.push({
          kind: "mem",
          scn,
          what: String(o["what"]),
          op: o["op"] === "write" ? "write" : "read",
          result: String(o["result"]),
          first: o["op"] === "read" ? String(o["first"]) : null,
          matchPattern: o["op"] === "read" ? Number(o["match_pattern"]) : null,
          zero: o["op"] === "read" ? Number(o["zero"]) : null,
          ff: o["op"] === "read" ? Number(o["ff"]) : null,
        });
        break;
      case "minors": {
        const sysfs = (o["sysfs"] as { name: string; dev: string; device: string }[]) ?? [];
        out.push({ kind: "minors", scn, why: String(o["why"]), cards: sysfs.map((m) => `${m.name}=${m.dev}@${m.device}`) });
        break;
      }
      case "ls": {
        const path = String(o["path"]);
        if (path !== "/dev/dri" && path !== "/sys/class/drm") break;
        const entries = o["entries"] as { name: string; dev?: string }[] | undefined;
        out.push({ kind: "ls", scn, path, entries: entries === undefined ? null : entries.map((e) => (e.dev ? `${e.name}=${e.dev}` : e.name)).sort() });
        break;
      }
      case "kmsg": {
        const msg = String(o["msg"]);
        if (isModelledKmsg(msg)) out.push({ kind: "kmsg", scn, msg });
        break;
      }
    }
  }
  if (kernel === "unknown") {
    throw new SyntaxError(`Cannot read ${file}: no "start" line; not a real-kernel recording`);
  }
  return { kernel, observations: out, seqnums };
}

export function loadFixture(path: string): Fixture {
  return parseFixture(readFileSync(path, "utf8"), path);
}
