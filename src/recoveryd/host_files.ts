/**
 * The real machine's sysfs, procfs and device nodes as directories under configurable roots
 * (default /sys, /proc, /dev): a fake tree in a temporary directory is the same to the daemon.
 * Every sysfs path is resolved with all its symlinks (realpath) and must stay inside the root;
 * a write opens an existing file write-only (never creating one) without following a last
 * symlink, as `echo -n VALUE > FILE` does minus the O_CREAT.
 */
import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, writeSync } from "node:fs";
import type { Call } from "../uapi/mod.js";
import type { DevAccess, FdLink, IoResult, ProcfsAccess, Resolved, SysfsAccess } from "./host.js";

export function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return typeof err.code === "string" ? err.code : String(err.message ?? e);
}

export class DirectorySysfsAccess implements SysfsAccess {
  private readonly realRoot: string;

  constructor(readonly root: string) {
    this.realRoot = realpathSync(root);
  }

  private onDisk(path: string): string {
    return `${this.root}${path.startsWith("/") ? path : `/${path}`}`;
  }

  private resolveNow(path: string): Resolved {
    let real: string;
    try {
      real = realpathSync(this.onDisk(path));
    } catch {
      return { k: "missing" };
    }
    if (real === this.realRoot) return { k: "inside", path: "/" };
    if (!real.startsWith(`${this.realRoot}/`)) return { k: "outside", target: real };
    return { k: "inside", path: real.slice(this.realRoot.length) };
  }

  *resolve(path: string): Call<Resolved> {
    return this.resolveNow(path);
  }

  *read(path: string): Call<string | null> {
    const r = this.resolveNow(path);
    if (r.k !== "inside") return null;
    try {
      return readFileSync(this.realRoot + r.path, "utf8");
    } catch {
      return null;
    }
  }

  *readBytes(path: string): Call<Uint8Array | null> {
    const r = this.resolveNow(path);
    if (r.k !== "inside") return null;
    try {
      return readFileSync(this.realRoot + r.path);
    } catch {
      return null;
    }
  }

  *list(path: string): Call<string[] | null> {
    const r = this.resolveNow(path);
    if (r.k !== "inside") return null;
    try {
      return readdirSync(this.realRoot + r.path).sort();
    } catch {
      return null;
    }
  }

  *write(path: string, value: string): Call<IoResult> {
    const r = this.resolveNow(path);
    if (r.k === "missing") return { ok: false, error: "ENOENT" };
    if (r.k === "outside") return { ok: false, error: `refused: ${this.root}${path} leads outside ${this.root} (to ${r.target})` };
    let fd: number | null = null;
    try {
      fd = openSync(this.realRoot + r.path, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
      writeSync(fd, value);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: errorText(e) };
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export class DirectoryProcfsAccess implements ProcfsAccess {
  constructor(readonly root: string) {}

  *pids(): Call<number[]> {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  *comm(pid: number): Call<string | null> {
    return readOrNull(`${this.root}/${pid}/comm`);
  }

  *fds(pid: number): Call<FdLink[]> {
    const dir = `${this.root}/${pid}/fd`;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const links: FdLink[] = [];
    for (const n of names.filter((x) => /^\d+$/.test(x)).sort((a, b) => Number(a) - Number(b))) {
      try {
        links.push({ fd: Number(n), target: readlinkSync(`${dir}/${n}`) });
      } catch {
        // The descriptor was closed while we looked.
      }
    }
    return links;
  }

  *fdinfo(pid: number, fd: number): Call<string | null> {
    return readOrNull(`${this.root}/${pid}/fdinfo/${fd}`);
  }

  *maps(pid: number): Call<string | null> {
    return readOrNull(`${this.root}/${pid}/maps`);
  }
}

export class DirectoryDevAccess implements DevAccess {
  constructor(readonly root: string) {}

  *openNode(devname: string): Call<IoResult> {
    if (!devname.startsWith("/dev/") || devname.split("/").includes("..")) return { ok: false, error: `not a device node: ${devname}` };
    try {
      closeSync(openSync(`${this.root}${devname.slice("/dev".length)}`, constants.O_RDONLY | constants.O_NONBLOCK));
      return { ok: true };
    } catch (e) {
      return { ok: false, error: errorText(e) };
    }
  }

  /**
   * /dev/kmsg from its first record: each read returns one record; EAGAIN when none is left,
   * EPIPE when the ring overwrote the next one (the read goes on with the oldest kept). A
   * regular file (a recording, a test's fake) ends with a read of 0 bytes.
   */
  *readKmsg(): Call<string | null> {
    let fd: number;
    try {
      fd = openSync(`${this.root}/kmsg`, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return null;
    }
    const buf = Buffer.alloc(KMSG_RECORD_MAX);
    const chunks: string[] = [];
    try {
      for (let bytes = 0; bytes < KMSG_BYTES_MAX;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "EPIPE") continue;
          break; // EAGAIN: every record read
        }
        if (n === 0) break;
        chunks.push(buf.toString("utf8", 0, n));
        bytes += n;
      }
    } finally {
      closeSync(fd);
    }
    return chunks.join("");
  }
}

/** A record of /dev/kmsg is at most this long (the kernel's CONSOLE_EXT_LOG_MAX). */
const KMSG_RECORD_MAX = 8192;
/** What one collection reads at most (the largest log buffer, log_buf_len=32M). */
const KMSG_BYTES_MAX = 32 << 20;
