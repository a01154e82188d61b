/**
 * A helper process spoken to in JSON lines: one command a line on its stdin, one answer a line
 * on its stdout, in order. The testbed's Python helper (native/testbed.py) is one.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

export type JsonObject = Readonly<Record<string, unknown>>;

export class LineChild {
  private readonly waiting: ((line: JsonObject | Error) => void)[] = [];
  private readonly early: JsonObject[] = [];
  private stderr = "";
  private exited: string | null = null;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>, readonly what: string) {
    createInterface({ input: child.stdout }).on("line", (line) => this.onLine(line));
    child.stderr.on("data", (d: Buffer) => void (this.stderr += d.toString("utf8")));
    child.on("exit", (code, signal) => {
      this.exited = signal !== null ? `killed by ${signal}` : `exited with ${code}`;
      for (const w of this.waiting.splice(0)) w(this.failure("ended"));
    });
    child.on("error", (e) => {
      this.exited = e.message;
      for (const w of this.waiting.splice(0)) w(this.failure("could not start"));
    });
  }

  static start(what: string, argv: readonly [string, ...string[]], env?: NodeJS.ProcessEnv): LineChild {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], ...(env ? { env } : {}) });
    return new LineChild(child, what);
  }

  private failure(how: string): Error {
    const err = this.stderr.trim();
    return new Error(`${this.what} ${how} (${this.exited ?? "running"})${err ? `: ${err}` : ""}`);
  }

  private onLine(line: string): void {
    let value: JsonObject | Error;
    try {
      value = JSON.parse(line) as JsonObject;
    } catch {
      value = new Error(`${this.what} printed a line that is not JSON: ${line}`);
    }
    const w = this.waiting.shift();
    if (w !== undefined) w(value);
    else if (!(value instanceof Error)) this.early.push(value);
  }

  /** The next line the helper prints (one printed before anyone asked is kept). */
  next(): Promise<JsonObject> {
    const kept = this.early.shift();
    if (kept !== undefined) return Promise.resolve(kept);
    if (this.exited !== null) return Promise.reject(this.failure("ended"));
    return new Promise((resolve, reject) => {
      this.waiting.push((v) => (v instanceof Error ? reject(v) : resolve(v)));
    });
  }

  /** Sends one command and waits for its answer; an answer with ok false throws its error. */
  async ask(command: JsonObject): Promise<JsonObject> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const answer = await this.next();
    if (answer["ok"] !== true) {
      throw new Error(`${this.what}: ${String(command["op"])} failed: ${String(answer["error"])}`);
    }
    return answer;
  }

  /** Asks the helper to quit and waits for it to end. */
  async close(quit: JsonObject): Promise<void> {
    if (this.exited !== null) return;
    const ended = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end(`${JSON.stringify(quit)}\n`);
    await ended;
  }
}
