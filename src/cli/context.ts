/**
 * What every subcommand gets: where to write, and the exit code it sets.
 */
import type { Io } from "./io.js";

export interface CommandContext {
  readonly io: Io;
  /** The exit code the command ends with (see exit.ts); the action sets it. */
  exitCode: number;
  /**
   * Set by a command that goes on after parsing (`vdrm exec` waits for a real process): its
   * exit code, when it has one. See vdrmAsync().
   */
  pending?: Promise<number>;
}
