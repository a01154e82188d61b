/**
 * What every subcommand gets: where to write, and the exit code it sets.
 */
import type { Io } from "./io.js";

export interface CommandContext {
  readonly io: Io;
  /** The exit code the command ends with (see exit.ts); the action sets it. */
  exitCode: number;
  /**
   * Set by a command that goes on after parsing (a daemon's loop, `vdrm exec` waiting for a
   * real process): resolves to its exit code. See vdrmAsync().
   */
  pending?: Promise<number>;
}
