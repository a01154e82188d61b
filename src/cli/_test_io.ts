/**
 * @internal An Io that keeps what the command prints, for in-process tests of vdrm(argv, io).
 */
import type { Io } from "./io.js";
import { vdrm } from "./program.js";

export interface Captured {
  readonly io: Io;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Standard output and error as text (progress lines as on a pipe: one line each). */
export function capturingIo(): Captured {
  let out = "";
  let err = "";
  const io: Io = {
    out: (l) => void (out += `${l}\n`),
    err: (l) => void (err += `${l}\n`),
    writeOut: (t) => void (out += t),
    writeErr: (t) => void (err += t),
    progress: (l) => void (err += l === "" ? "" : `${l}\n`),
  };
  return { io, stdout: () => out, stderr: () => err };
}

/** Runs vdrm in this process; its exit code and what it printed. */
export function vdrmInProcess(argv: readonly string[]): {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
} {
  const c = capturingIo();
  const code = vdrm(argv, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}
