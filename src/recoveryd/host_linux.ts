/**
 * The daemon's host on a real Linux machine: sysfs, procfs and /dev under the configured
 * roots (host_files.ts), `udevadm monitor --kernel --property --subsystem-match=drm` as the
 * event source (or a recording), a journal file fsync'ed line by line, a telemetry directory,
 * programs started with argv and an exact environment (never a shell), the wall clock.
 */
import { spawn } from "node:child_process";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Call } from "../uapi/mod.js";
import { awaitPromise, RescanningSource, UdevadmUeventSource, type RunOutcome, type UeventSource } from "../udev/mod.js";
import type { Config } from "./config.js";
import type { Clock, IoResult, JournalStore, Output, ProgramRunner, RecoveryHost, TelemetryStore } from "./host.js";
import { DirectoryDevAccess, DirectoryProcfsAccess, DirectorySysfsAccess, errorText } from "./host_files.js";

const OUTPUT_BYTES_MAX = 1 << 20;

export class JournalFile implements JournalStore {
  private fd: number | null = null;

  constructor(readonly name: string) {}

  *readAll(): Call<string[]> {
    let text: string;
    try {
      text = readFileSync(this.name, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines;
  }

  *append(line: string): Call<void> {
    if (this.fd === null) {
      mkdirSync(dirname(this.name), { recursive: true, mode: 0o700 });
      this.fd = openSync(this.name, "a", 0o600);
    }
    writeSync(this.fd, `${line}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export class TelemetryDirectory implements TelemetryStore {
  constructor(readonly root: string) {}

  *save(dir: string, name: string, data: Uint8Array | string): Call<IoResult & { readonly path?: string }> {
    if ([dir, name].some((p) => p === "" || p.includes("/") || p === ".." || p === "."))
      return { ok: false, error: `bad telemetry name ${JSON.stringify(`${dir}/${name}`)}` };
    try {
      mkdirSync(`${this.root}/${dir}`, { recursive: true, mode: 0o700 });
      const path = `${this.root}/${dir}/${name}`;
      writeFileSync(path, data, { mode: 0o600, flag: "wx" });
      return { ok: true, path };
    } catch (e) {
      return { ok: false, error: errorText(e) };
    }
  }
}

function runChild(argv: readonly string[], env: Readonly<Record<string, string>>, timeoutMs: number): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (b: Buffer) => { if (stdout.length < OUTPUT_BYTES_MAX) stdout += b.toString("utf8"); });
    child.stderr.on("data", (b: Buffer) => { if (stderr.length < OUTPUT_BYTES_MAX) stderr += b.toString("utf8"); });
    const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, timeoutMs);
    child.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ argv, status: { k: "failed", error: e.code ?? e.message }, stdout, stderr });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const status = signal !== null ? { k: "killed" as const, signal, timedOut } : { k: "exited" as const, code: code ?? 0 };
      resolve({ argv, status, stdout, stderr });
    });
  });
}

export const spawnRunner: ProgramRunner = {
  *run(argv, env, timeoutMs) {
    if (argv.length === 0) return { argv, status: { k: "failed", error: "empty argv" }, stdout: "", stderr: "" };
    return yield* awaitPromise(runChild(argv, env, timeoutMs));
  },
};

export const wallClock: Clock = {
  now: () => Date.now(),
  *sleep(ms: number) {
    yield* awaitPromise(new Promise<void>((resolve) => setTimeout(resolve, ms)));
  },
};

export interface LinuxHostOptions {
  readonly config: Config;
  readonly out: Output;
  /** The event source; default: udevadm monitor as configured. */
  readonly source?: UeventSource;
}

/** The udevadm child of the configuration, with rescan requests. */
export function udevadmSource(config: Config): UeventSource {
  const s = config.source;
  return new RescanningSource(new UdevadmUeventSource({ command: s.udevadm, restartsMax: s.restartsMax, restartDelayMs: s.restartDelaySeconds * 1000 }));
}

export function linuxHost(o: LinuxHostOptions): RecoveryHost & { readonly journal: JournalFile } {
  const c = o.config;
  return {
    sysfs: new DirectorySysfsAccess(c.sysfs),
    procfs: new DirectoryProcfsAccess(c.procfs),
    dev: new DirectoryDevAccess(c.dev),
    source: o.source ?? udevadmSource(c),
    journal: new JournalFile(c.journal),
    telemetry: new TelemetryDirectory(c.telemetryDir),
    runner: spawnRunner,
    clock: wallClock,
    out: o.out,
    selfPid: process.pid,
  };
}
