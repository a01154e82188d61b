/**
 * The two kinds of errors the vdrm command reports by itself: a problem with what the user
 * gave (CliError: one line, exit code 2) and a bug of vdrm (an internal error: a short message,
 * the command that replays the run it happened in, and the stack only with --debug; exit 70).
 */
import { RunCrash, shellQuote } from "../scenario/mod.js";
import { EXIT } from "./exit.js";
import type { Io } from "./io.js";

/**
 * Bad input found by the command (an output path, a fixture, a replay token): one line, exit
 * code 2, printed as "vdrm: <message>", or "vdrm <command>: <message>" when a subcommand is named.
 */
export class CliError extends Error {
  override readonly name = "CliError";

  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

/** A one-line message for a failed file system call: "no such file or directory (ENOENT)". */
export function fsErrorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err.code !== "string") return oneLine(String(err.message ?? e));
  const text = err.message.replace(/^[A-Z0-9_]+: /, "").replace(/, \w+(?: '.*')?$/s, "");
  return `${oneLine(text)} (${err.code})`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ").trim();
}

/** Reports an exception that is not bad input as an internal error; returns its exit code. */
export function reportInternalError(
  e: unknown, argv: readonly string[], o: { readonly debug: boolean; readonly io: Io },
): number {
  const { debug, io } = o;
  const message = e instanceof Error ? e.message : String(e);
  io.err(`vdrm: internal error: ${oneLine(message)}`);
  const replay = e instanceof RunCrash ? e.replay : `vdrm ${argv.map(shellQuote).join(" ")}`;
  io.err(`replay: ${replay}`);
  if (debug) {
    const cause = e instanceof RunCrash ? e.cause : e;
    io.err(cause instanceof Error && cause.stack !== undefined ? cause.stack : String(cause));
  } else {
    io.err("(a bug of vdrm; add --debug for the stack trace)");
  }
  return EXIT.internal;
}
