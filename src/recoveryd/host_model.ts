/**
 * The daemon's host inside a machine reached through `Syscalls` (the model's programs): sysfs,
 * procfs and device nodes under the configured roots read and written with the program's
 * system calls, the uevent socket as the event source, the machine's monotonic clock (read as
 * the vDSO reads it, without entering the kernel) plus a fixed boot time as the time of day.
 * The journal, the telemetry store and the program runner are the caller's: they are
 * userspace's files and programs, which the caller keeps (a scenario keeps them across the
 * daemon's restarts).
 *
 * Paths are resolved as realpath(3) resolves them, one component at a time with readlink(2),
 * and a path that leaves the sysfs root is refused as on a real machine.
 */
import { posix } from "node:path";
import type { Call, Syscalls } from "../uapi/mod.js";
import { runSync, SyscallsUeventSource } from "../udev/mod.js";
import type { Config } from "./config.js";
import type {
  Clock, DevAccess, FdLink, IoResult, JournalStore, Output, ProcfsAccess, ProgramRunner,
  RecoveryHost, Resolved, SysfsAccess, TelemetryStore,
} from "./host.js";

/** The time of day at the model machine's boot: 2026-11-30T00:00:00Z. */
export const MODEL_BOOT_EPOCH_MS = Date.UTC(2026, 10, 30);

const LINKS_MAX = 40;

/** realpath(3) over readlink(2): `path` with every symlink followed, or why not. */
function* realpath(sys: Syscalls, path: string): Call<string | null> {
  let pending = posix.normalize(path).split("/").filter((p) => p !== "");
  let cur = "";
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      cur = posix.dirname(cur === "" ? "/" : cur);
      if (cur === "/") cur = "";
      continue;
    }
    const next = `${cur}/${part}`;
    const link = yield* sys.readlink(next);
    if (link.ok) {
      if (++hops > LINKS_MAX) return null;
      const target = link.value.startsWith("/") ? link.value : `${cur}/${link.value}`;
      pending = [...posix.normalize(target).split("/").filter((p) => p !== ""), ...pending];
      cur = "";
      continue;
    }
    if (link.errno !== "EINVAL") return null; // EINVAL: there, and not a link

    cur = next;
  }
  return cur === "" ? "/" : cur;
}

export class SyscallsSysfsAccess implements SysfsAccess {
  constructor(private readonly sys: Syscalls, readonly root: string) {}

  *resolve(path: string): Call<Resolved> {
    const real = yield* realpath(this.sys, `${this.root}${path.startsWith("/") ? path : `/${path}`}`);
    if (real === null) return { k: "missing" };
    if (real === this.root) return { k: "inside", path: "/" };
    if (!real.startsWith(`${this.root}/`)) return { k: "outside", target: real };
    return { k: "inside", path: real.slice(this.root.length) };
  }

  *read(path: string): Call<string | null> {
    const r = yield* this.sys.readFile(`${this.root}${path}`);
    return r.ok ? r.value : null;
  }

  *readBytes(path: string): Call<Uint8Array | null> {
    const text = yield* this.read(path);
    return text === null ? null : new TextEncoder().encode(text);
  }

  *list(path: string): Call<string[] | null> {
    const r = yield* this.sys.readdir(`${this.root}${path}`);
    return r.ok ? r.value.map((e) => e.name).sort() : null;
  }

  *write(path: string, value: string): Call<IoResult> {
    const r = yield* this.resolve(path);
    if (r.k === "missing") return { ok: false, error: "ENOENT" };
    if (r.k === "outside") return { ok: false, error: `refused: ${this.root}${path} leads outside ${this.root} (to ${r.target})` };
    const w = yield* this.sys.writeFile(`${this.root}${r.path}`, value);
    return w.ok ? { ok: true } : { ok: false, error: w.errno };
  }
}

export class SyscallsProcfsAccess implements ProcfsAccess {
  constructor(private readonly sys: Syscalls, readonly root: string) {}

  *pids(): Call<number[]> {
    const r = yield* this.sys.readdir(this.root);
    if (!r.ok) return [];
    return r.value.map((e) => e.name).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  *comm(pid: number): Call<string | null> {
    return yield* this.text(`${this.root}/${pid}/comm`);
  }

  *fds(pid: number): Call<FdLink[]> {
    const dir = `${this.root}/${pid}/fd`;
    const r = yield* this.sys.readdir(dir);
    if (!r.ok) return [];
    const links: FdLink[] = [];
    for (const n of r.value.map((e) => e.name).filter((x) => /^\d+$/.test(x)).sort((a, b) => Number(a) - Number(b))) {
      const l = yield* this.sys.readlink(`${dir}/${n}`);
      if (l.ok) links.push({ fd: Number(n), target: l.value }); // else closed while we looked
    }
    return links;
  }

  *fdinfo(pid: number, fd: number): Call<string | null> {
    return yield* this.text(`${this.root}/${pid}/fdinfo/${fd}`);
  }

  *maps(pid: number): Call<string | null> {
    return yield* this.text(`${this.root}/${pid}/maps`);
  }

  private *text(path: string): Call<string | null> {
    const r = yield* this.sys.readFile(path);
    return r.ok ? r.value : null;
  }
}

export class SyscallsDevAccess implements DevAccess {
  constructor(private readonly sys: Syscalls, readonly root: string) {}

  *openNode(devname: string): Call<IoResult> {
    if (!devname.startsWith("/dev/") || devname.split("/").includes("..")) return { ok: false, error: `not a device node: ${devname}` };
    const r = yield* this.sys.open(`${this.root}${devname.slice("/dev".length)}`);
    if (!r.ok) return { ok: false, error: r.errno };
    yield* this.sys.close(r.value);
    return { ok: true };
  }

  *readKmsg(): Call<string | null> {
    const r = yield* this.sys.readFile(`${this.root}/kmsg`);
    return r.ok ? r.value : null;
  }
}

/** The machine's clock: CLOCK_MONOTONIC through the vDSO (no system call), from its boot time. */
export function syscallsClock(sys: Syscalls, bootEpochMs = MODEL_BOOT_EPOCH_MS): Clock {
  return {
    now: () => bootEpochMs + Math.floor(runSync(sys.clockGettime()) / 1000),
    *sleep(ms: number) {
      yield* sys.sleep(ms);
    },
  };
}

export interface SyscallsHostOptions {
  readonly sys: Syscalls;
  readonly config: Config;
  readonly selfPid: number;
  readonly journal: JournalStore;
  readonly telemetry: TelemetryStore;
  readonly runner: ProgramRunner;
  readonly out: Output;
}

/** The host of a daemon that runs as a program over `sys`. */
export function syscallsHost(o: SyscallsHostOptions): RecoveryHost {
  const c = o.config;
  return {
    sysfs: new SyscallsSysfsAccess(o.sys, c.sysfs),
    procfs: new SyscallsProcfsAccess(o.sys, c.procfs),
    dev: new SyscallsDevAccess(o.sys, c.dev),
    source: new SyscallsUeventSource(o.sys),
    journal: o.journal,
    telemetry: o.telemetry,
    runner: o.runner,
    clock: syscallsClock(o.sys),
    out: o.out,
    selfPid: o.selfPid,
  };
}
