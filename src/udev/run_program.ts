/**
 * Running a RUN program as systemd-udevd does: the command line split into words (whitespace
 * separates, '...' and "..." group, a backslash is an ordinary character), a program name
 * without a path looked up in /usr/lib/udev, no shell (a rule that wants one names it:
 * `RUN+="/bin/sh -c '...'"`), standard input from /dev/null, and as environment exactly the
 * event's properties (those not starting with `.`); killed with SIGKILL after the timeout
 * (udevd's event timeout, 180 s by default).
 *
 * @see udev_event_spawn() in systemd's src/udev/udev-spawn.c; "RUN" in udev(7)
 */
import { spawnSync } from "node:child_process";
import type { Call } from "../uapi/mod.js";

export const UDEV_LIBEXEC_DIR = "/usr/lib/udev";
export const RUN_TIMEOUT_MS_DEFAULT = 180_000;
const OUTPUT_BYTES_MAX = 1 << 20;

/** The words of a RUN command (strv_split_full with EXTRACT_UNQUOTE|RELAX|RETAIN_ESCAPE). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (const c of command) {
    if (quote !== null) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? "") + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** argv of a RUN command: a relative program name is taken from /usr/lib/udev. */
export function runArgv(command: string): string[] {
  const argv = splitCommand(command);
  if (argv.length > 0 && !argv[0]!.startsWith("/")) argv[0] = `${UDEV_LIBEXEC_DIR}/${argv[0]}`;
  return argv;
}

export interface RunOutcome {
  readonly argv: readonly string[];
  /** "exited" with its code, "killed" by a signal (the timeout's SIGKILL), or "failed" to start. */
  readonly status: { readonly k: "exited"; readonly code: number } | { readonly k: "killed"; readonly signal: string; readonly timedOut: boolean } | { readonly k: "failed"; readonly error: string };
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunExecutor {
  run(command: string, env: readonly (readonly [string, string])[]): Call<RunOutcome>;
}

/**
 * Runs each program to its end before the next, as a udev worker does; blocks the caller
 * (spawnSync), so it suits a command-line tool, not an event loop. Never yields.
 */
export class SpawnSyncExecutor implements RunExecutor {
  constructor(private readonly timeoutMs = RUN_TIMEOUT_MS_DEFAULT) {}

  *run(command: string, env: readonly (readonly [string, string])[]): Call<RunOutcome> {
    const argv = runArgv(command);
    if (argv.length === 0) return { argv, status: { k: "failed", error: "empty command" }, stdout: "", stderr: "" };
    const r = spawnSync(argv[0]!, argv.slice(1), {
      env: Object.fromEntries(env),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: this.timeoutMs,
      killSignal: "SIGKILL",
      maxBuffer: OUTPUT_BYTES_MAX,
      encoding: "utf8",
    });
    const out = { stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    const error = r.error as NodeJS.ErrnoException | undefined;
    if (error !== undefined && error.code !== "ETIMEDOUT") return { argv, status: { k: "failed", error: error.code ?? error.message }, ...out };
    if (r.signal !== null) return { argv, status: { k: "killed", signal: r.signal, timedOut: error?.code === "ETIMEDOUT" }, ...out };
    return { argv, status: { k: "exited", code: r.status ?? 0 }, ...out };
  }
}
