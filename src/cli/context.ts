/**
 * What every subcommand gets: where to write, and the exit code it sets.
 */
import type { Io } from "./io.js";

export interface CommandContext {
  readonly io: Io;
  /** The exit code the command ends with (see exit.ts); the action sets it. */
  exitCode: number;
  /**
   * Work a command goes on with after parsing (a daemon's loop): `vdrmAsync()` awaits it
   * before it reads `exitCode`. Synchronous commands leave it unset.
   */
  pending?: Promise<void>;
}
