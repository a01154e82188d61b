/**
 * An exception thrown inside a run (a model assertion, any unexpected error): a bug of vdrm
 * itself, not a verdict on the scenario. It carries the command that replays the run so that
 * the bug can be reproduced; the CLI reports it as an internal error (exit 70).
 */
export class RunCrash extends Error {
  override readonly name = "RunCrash";

  constructor(
    /** The command that replays the run the exception happened in. */
    readonly replay: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
