/**
 * Where the vdrm command writes: standard output (timelines, tables, JSON) and standard error
 * (diagnostics, progress, output file paths).
 *
 * A reader that goes away early (`vdrm --help | head -1`) is not an error: once a stream
 * reports EPIPE, further writes to it are dropped and the command ends as it would have, with
 * the exit code of its verdict. Any other failure to write standard output ends in exit code 2.
 */
import { fsErrorText } from "./errors.js";

export interface Io {
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Writes text as it is (commander's help and errors). */
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** A progress line on standard error: overwritten on a terminal, one line each otherwise. */
  progress(line: string): void;
}

function guarded(stream: NodeJS.WriteStream, onFailure: (e: NodeJS.ErrnoException) => void) {
  let closed = false;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (!closed && e.code !== "EPIPE") onFailure(e);
    closed = true;
  });
  return (text: string): void => {
    if (!closed) stream.write(text);
  };
}

/** The process's own streams. */
export function processIo(): Io {
  const writeErr = guarded(process.stderr, () => {
    process.exitCode = 2;
  });
  const writeOut = guarded(process.stdout, (e) => {
    writeErr(`vdrm: cannot write to standard output: ${fsErrorText(e)}\n`);
    process.exitCode = 2;
  });
  const tty = process.stderr.isTTY === true;
  return {
    out: (line) => writeOut(`${line}\n`),
    err: (line) => writeErr(`${line}\n`),
    writeOut,
    writeErr,
    progress: (line) => writeErr(tty ? `\r\x1b[K${line}` : line === "" ? "" : `${line}\n`),
  };
}
