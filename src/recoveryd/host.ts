/**
 * What the daemon needs from the machine it runs on, as one interface, so that its logic runs
 * unchanged on a real machine (host_linux.ts: files under configurable sysfs, procfs and /dev
 * roots, a `udevadm monitor` child) and inside the model (a program over `Syscalls`).
 *
 * Every method is a `Call` (src/udev/call.ts): inside the simulation each is a system call of
 * the daemon's program; outside it the real host awaits promises through `awaitPromise()`.
 * Paths given to `SysfsAccess` are absolute paths *inside* the sysfs root ("/bus/pci/rescan");
 * the host alone knows where that root is on disk, and refuses to leave it.
 */
import type { Call } from "../uapi/mod.js";
import type { RunOutcome, UeventSource } from "../udev/mod.js";

/** A path resolved inside the sysfs root, or why it is not. */
export type Resolved =
  | { readonly k: "inside"; readonly path: string }
  | { readonly k: "missing" }
  | { readonly k: "outside"; readonly target: string };

export type IoResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface SysfsAccess {
  /** Where the root is, for messages: "/sys". */
  readonly root: string;
  /** `path` with every symlink followed (realpath), as a path inside the root. */
  resolve(path: string): Call<Resolved>;
  /** The file's contents, or null when it cannot be read. */
  read(path: string): Call<string | null>;
  /** The file's bytes (a devcoredump's data), or null when it cannot be read. */
  readBytes(path: string): Call<Uint8Array | null>;
  /** The names in a directory, sorted, or null when it is not one. */
  list(path: string): Call<string[] | null>;
  /** Writes `value` to an existing attribute; never creates a file, never leaves the root. */
  write(path: string, value: string): Call<IoResult>;
}

export interface FdLink {
  readonly fd: number;
  /** What /proc/PID/fd/N links to: "/dev/dri/card0", "anon_inode:dmabuf", "/dmabuf:". */
  readonly target: string;
}

export interface ProcfsAccess {
  pids(): Call<number[]>;
  comm(pid: number): Call<string | null>;
  fds(pid: number): Call<FdLink[]>;
  fdinfo(pid: number, fd: number): Call<string | null>;
  maps(pid: number): Call<string | null>;
}

export interface DevAccess {
  /** Opens a device node (DEVNAME, "/dev/dri/card1") read-only and closes it again. */
  openNode(devname: string): Call<IoResult>;
  /**
   * Every record /dev/kmsg (under the /dev root) holds now, read without blocking, put
   * together as the reads returned them; null when it cannot be opened.
   */
  readKmsg(): Call<string | null>;
}

export interface JournalStore {
  /** Where the journal is, for messages. */
  readonly name: string;
  /** Every line written so far (a torn last line included, as it is). */
  readAll(): Call<string[]>;
  /** Appends one line and makes it durable before returning (fsync). */
  append(line: string): Call<void>;
}

export interface TelemetryStore {
  /** Saves `data` as `dir/name` under the telemetry directory (made as needed); returns where. */
  save(dir: string, name: string, data: Uint8Array | string): Call<IoResult & { readonly path?: string }>;
}

export interface ProgramRunner {
  /** Runs argv (no shell) with exactly `env` as its environment; SIGKILL after timeoutMs. */
  run(argv: readonly string[], env: Readonly<Record<string, string>>, timeoutMs: number): Call<RunOutcome>;
}

export interface Clock {
  /** Milliseconds since the epoch (the journal's time; the model's clock inside the model). */
  now(): number;
  sleep(ms: number): Call<void>;
}

/** A record of the daemon's structured log, one JSON object a line. */
export interface LogRecord {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface Output {
  /** A line for the operator on standard output: the writes made or, in dry-run, to be made. */
  print(line: string): void;
  log(record: LogRecord): void;
}

export interface RecoveryHost {
  readonly sysfs: SysfsAccess;
  readonly procfs: ProcfsAccess;
  readonly dev: DevAccess;
  readonly source: UeventSource;
  readonly journal: JournalStore;
  readonly telemetry: TelemetryStore;
  readonly runner: ProgramRunner;
  readonly clock: Clock;
  readonly out: Output;
  /** The daemon's own process id: never counted as a holder of the device. */
  readonly selfPid: number;
}
