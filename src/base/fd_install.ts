/**
 * The calling process's fd table as a kernel handler reaches it (current->files): a handler
 * that makes a new file (a sync_file, a syncobj file, a dma-buf) installs it in the process
 * that made the system call, and one that takes an fd as an argument looks it up there.
 *
 * A process binds itself to its task when a call that may reach such a handler starts (see
 * Process.ioctl); the binding is a model cache on the task (a symbol key), not kernel state.
 * The fd table is not a tracked kernel object (see docs/ARCHITECTURE.md): only the process's
 * own task touches it.
 *
 * @see fd_install(), get_unused_fd_flags(), fdget() in fs/file.c
 */
import { assert, type SimTask } from "../kernel/mod.js";
import { O_CLOEXEC, type Fd } from "../uapi/mod.js";
import type { Kernel } from "./kernel.js";
import type { Process } from "./process.js";
import type { KFile } from "./vfs.js";

const CURRENT_PROCESS = Symbol("current process");

interface TaskFiles {
  [CURRENT_PROCESS]?: Process;
}

/** @internal Called by a Process when one of its calls starts on `task`. */
export function bindCurrentProcess(task: SimTask, process: Process): void {
  const t = task as SimTask & TaskFiles;
  if (t[CURRENT_PROCESS] !== process) t[CURRENT_PROCESS] = process;
}

/**
 * Whether the running task is a process's exit closing its files (PF_EXITING), as drivers ask
 * at close to choose between waiting for their work and giving up on it.
 */
export function currentProcessExiting(kernel: Kernel): boolean {
  const task = kernel.sim.current as (SimTask & TaskFiles) | null;
  return task?.[CURRENT_PROCESS]?.exited === true;
}

/** The process whose system call the running task is in. */
export function currentProcess(kernel: Kernel): Process {
  const task = kernel.sim.current as (SimTask & TaskFiles) | null;
  const process = task?.[CURRENT_PROCESS];
  if (process === undefined) assert(false, "Cannot find the current process: not in a system call");
  return process;
}

/**
 * Installs `file` at the lowest free fd of the calling process, which owns the file's
 * reference from now on; returns the fd. `flags` are get_unused_fd_flags()'s: O_CLOEXEC makes
 * the fd close-on-exec.
 * @see get_unused_fd_flags() and fd_install() in fs/file.c
 */
export function fdInstall(kernel: Kernel, file: KFile, flags = 0): Fd {
  assert(file.count > 0, `Cannot install ${file.path}: file already released`);
  return currentProcess(kernel).fdInstall(file, (flags & O_CLOEXEC) !== 0);
}

/** The file open at `fd` in the calling process, if any. @see fdget() */
export function fdLookup(kernel: Kernel, fd: number): KFile | undefined {
  return currentProcess(kernel).fds.get(fd);
}
