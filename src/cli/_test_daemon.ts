/**
 * @internal Starting `vdrm recoveryd` as a child process, as systemd would, and stopping it:
 * wait until its output shows what a test waits for, then SIGTERM (or SIGKILL, to test the
 * journal), and collect its exit code and output. The wait has a safety net so that a
 * regression fails instead of stalling the suite; no test asserts a duration.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { MAIN, ROOT } from "./_test_cli.js";

export interface Daemon {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves once standard output or error matches `pattern`; rejects after the safety net. */
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr"): Promise<void>;
  /** Sends `signal` and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** Resolves when it exits by itself. */
  exited(): Promise<number | string>;
}

const SAFETY_NET_MS = 60_000;

export function startDaemon(args: readonly string[], env: Readonly<Record<string, string>> = {}): Daemon {
  const child = spawn(process.execPath, [MAIN, "recoveryd", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const exit = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const d: Daemon = {
    child,
    stdout: "",
    stderr: "",
    waitFor(pattern, stream = "stdout") {
      return new Promise((resolve, reject) => {
        const check = (): boolean => pattern.test(stream === "stdout" ? d.stdout : d.stderr);
        if (check()) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${pattern} on ${stream} of the daemon:\n${d.stdout}\n${d.stderr}`)), SAFETY_NET_MS);
        const on = (): void => {
          if (!check()) return;
          clearTimeout(timer);
          child.stdout!.off("data", on);
          child.stderr!.off("data", on);
          resolve();
        };
        child.stdout!.on("data", on);
        child.stderr!.on("data", on);
        void exit.then(() => {
          if (check()) return;
          clearTimeout(timer);
          reject(new Error(`the daemon exited without ${pattern} on ${stream}:\n${d.stdout}\n${d.stderr}`));
        });
      });
    },
    async stop(signal = "SIGTERM") {
      child.kill(signal);
      return exit;
    },
    exited: () => exit,
  };
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (d.stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (d.stderr += s));
  return d;
}
