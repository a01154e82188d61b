/**
 * Signals, as far as the model needs them: a fatal signal (SIGKILL) sent to a task, and
 * SIGTERM, which a process may handle (Sim.sendSignal(); base/process.ts delivers it). A signal ends an
 * interruptible sleep at once (the wait returns "interrupted", the kernel path unwinds with
 * -ERESTARTSYS), leaves an uninterruptible one alone, and ends the task on its way back to
 * user mode: the process runs no more of its code and do_exit() closes its files.
 *
 * @see signal_pending(), fatal_signal_pending() in include/linux/sched/signal.h;
 *      do_exit() in kernel/exit.c
 */

/** The value a task in an interruptible sleep resumes with when a signal ended the sleep. */
export const INTERRUPTED: unique symbol = Symbol("interrupted by a signal");

/**
 * Thrown at a system call's boundary when the calling task has a fatal signal pending: the
 * process never returns to its own code. Only the code that started the program catches it
 * (to run do_exit()); nothing in between may.
 */
export class TaskKilled extends Error {
  constructor(
    readonly task: string,
    /**
     * The fatal signal: SIGKILL, a fault's SIGBUS/SIGSEGV (no handler in the model), or a
     * SIGTERM the process had no handler for (its default action ends the process).
     */
    readonly signal: "SIGKILL" | "SIGBUS" | "SIGSEGV" | "SIGTERM" = "SIGKILL",
  ) {
    super(`task ${task} killed by ${signal}`);
    this.name = "TaskKilled";
  }
}
