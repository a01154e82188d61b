/**
 * `udevadm monitor --kernel --property --subsystem-match=drm` as a child process: its output
 * is parsed as it comes (udevadm sets its stdout line-buffered). When the child dies it is
 * started again, up to `restartsMax` times, each restart a `restart` rescan request (events
 * may have passed while no monitor listened); a child that cannot start at all ends the source.
 *
 * With a `--subsystem-match` or `--tag-match` filter the child does not see every kernel
 * event, so SEQNUM gaps are expected and are not losses (`seesEveryEvent` is false).
 *
 * @see udevadm-monitor.c in systemd
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Call } from "../uapi/mod.js";
import { awaitPromise } from "./call.js";
import { ItemQueue } from "./item_queue.js";
import type { SourceItem, UeventSource } from "./source.js";
import { recordItem } from "./source_recording.js";
import { UdevadmTextParser } from "./udevadm_text.js";

export const UDEVADM_MONITOR_ARGS: readonly string[] = ["monitor", "--kernel", "--property", "--subsystem-match=drm"];

export interface UdevadmSourceOptions {
  /** The program to run (default "udevadm", looked up on PATH). */
  readonly command?: string;
  readonly args?: readonly string[];
  /** How many times a child that died is started again (default 5). */
  readonly restartsMax?: number;
  /** The wait before a restart, in milliseconds (default 1000). */
  readonly restartDelayMs?: number;
}

const STDERR_LINES_MAX = 5;

function filters(args: readonly string[]): boolean {
  return args.some((a) => /^(--subsystem-match|--tag-match|-s|-t)/.test(a));
}

export class UdevadmUeventSource implements UeventSource {
  readonly seesEveryEvent: boolean;
  private readonly command: string;
  private readonly args: readonly string[];
  private readonly restartsMax: number;
  private readonly restartDelayMs: number;
  private queue: ItemQueue | null = null;
  private child: ChildProcess | null = null;
  private restarts = 0;
  private closed = false;

  constructor(options: UdevadmSourceOptions = {}) {
    this.command = options.command ?? "udevadm";
    this.args = options.args ?? UDEVADM_MONITOR_ARGS;
    this.restartsMax = options.restartsMax ?? 5;
    this.restartDelayMs = options.restartDelayMs ?? 1000;
    this.seesEveryEvent = !filters(this.args);
  }

  get name(): string {
    const pid = this.child?.pid;
    return `${this.command} ${this.args.join(" ")}${pid === undefined ? "" : ` (pid ${pid})`}`;
  }

  *open(): Call<void> {
    if (this.queue !== null) return;
    this.queue = new ItemQueue();
    this.startChild(this.queue);
  }

  *next(timeoutMs: number): Call<SourceItem> {
    yield* this.open();
    return yield* awaitPromise(this.queue!.take(timeoutMs));
  }

  *close(): Call<void> {
    this.closed = true;
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    child.kill("SIGTERM");
    yield* awaitPromise(exited);
  }

  private startChild(queue: ItemQueue): void {
    const child = spawn(this.command, [...this.args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const name = this.name;
    const parser = new UdevadmTextParser(name);
    const stderr: string[] = [];
    createInterface({ input: child.stdout! }).on("line", (l) => {
      for (const r of parser.push(l)) queue.push(recordItem(r));
    });
    createInterface({ input: child.stderr! }).on("line", (l) => {
      stderr.push(l);
      if (stderr.length > STDERR_LINES_MAX) stderr.shift();
    });
    child.once("error", (e) => {
      this.child = null;
      queue.push({ kind: "end", detail: `Cannot run ${this.command}: ${e.message}` });
    });
    child.once("close", (code, signal) => {
      if (this.closed || this.child !== child) return;
      for (const r of parser.end()) queue.push(recordItem(r));
      const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
      const said = stderr.length === 0 ? "" : ` (it said: ${stderr.join(" / ")})`;
      this.restartAfter(queue, `${name} ${how}${said}`);
    });
  }

  private restartAfter(queue: ItemQueue, why: string): void {
    if (this.restarts >= this.restartsMax) {
      queue.push({ kind: "end", detail: `${why}; gave up after ${this.restartsMax} restarts` });
      return;
    }
    this.restarts++;
    setTimeout(() => {
      if (this.closed) return;
      this.startChild(queue);
      queue.push({ kind: "rescan", reason: "restart", detail: `${why}; restart ${this.restarts} of ${this.restartsMax}` });
    }, this.restartDelayMs);
  }
}
