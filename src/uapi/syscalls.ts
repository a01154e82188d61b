/**
 * The system-call surface a userspace program sees. Programs are generators: every call is
 * `yield* sys.open(...)`, so the kernel may run other tasks while a call blocks. The kernel
 * model implements this interface; a real-Linux adapter can implement it too.
 */
import type { SysResult } from "./errno.js";
import type { AnyIoctlDef, IoctlFields, IoctlIn, IoctlOutOf } from "./ioctl.js";
import type { Uevent } from "./uevent.js";

/** A call that may block; what it yields is opaque to userspace. */
export type Call<T> = Generator<unknown, T, unknown>;

export type Fd = number & { readonly __brand: "Fd" };

/**
 * open(2) flags beyond the access mode, which is always O_RDWR in the model: O_EXCL, and
 * O_CLOEXEC (the fd is closed on exec; /proc/<pid>/fdinfo shows it in `flags`).
 */
export interface OpenFlags {
  readonly excl?: boolean;
  readonly cloexec?: boolean;
}

/** File status flags as /proc/<pid>/fdinfo prints them (octal), from the x86-64 headers. */
export const O_RDWR = 0o2;
export const O_EXCL = 0o200;
export const O_NONBLOCK = 0o4000;
export const O_LARGEFILE = 0o100000;
export const O_CLOEXEC = 0o2000000;

/** poll(2) event bits. */
export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDNORM = 0x40;
export const POLLRDBAND = 0x80;

/**
 * An ioctl request as a program makes it: a uapi definition (its number and its argument
 * struct, like DRM_IOCTL_VERSION from the header), or a bare number the program made itself.
 */
export type IoctlRequest = AnyIoctlDef | number;

/** The argument of an ioctl without one: no field given. */
export const NO_IOCTL_ARG: IoctlFields = Object.freeze({});

/**
 * A CPU access through a mapping either completes or raises a signal. A program has no signal
 * handlers, so the signal is fatal: the program's next system call does not return.
 */
export type MemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly signal: "SIGBUS" | "SIGSEGV" };

export interface DirEntry {
  readonly name: string;
  readonly kind: "dir" | "file" | "link" | "chr";
}

/** The signals a program may send or handle in the model. */
export type SignalName = "SIGTERM" | "SIGKILL";

export interface Syscalls {
  open(path: string, flags?: OpenFlags): Call<SysResult<Fd>>;
  close(fd: Fd): Call<SysResult<0>>;
  /** dup(2); with `cloexec`, fcntl(fd, F_DUPFD_CLOEXEC, 0). */
  dup(fd: Fd, cloexec?: boolean): Call<SysResult<Fd>>;
  /**
   * ioctl(2) with the struct's inputs by field name (a field left out is zero, as in a zeroed
   * C struct); the result is the struct's outputs after the call (64-bit fields as bigint).
   */
  ioctl<Def extends AnyIoctlDef>(fd: Fd, request: Def, arg?: Partial<IoctlIn<NoInfer<Def>>>): Call<SysResult<IoctlOutOf<Def>>>;
  /** ioctl(2) with a bare request number: no struct is known, so no field goes in or comes back. */
  ioctl(fd: Fd, request: number): Call<SysResult<IoctlFields>>;

  /** read(2) on a DRM fd returns whole events; `timeoutMs` models an alarm (EINTR when it fires). */
  read(fd: Fd, count: number, timeoutMs?: number): Call<SysResult<Uint8Array>>;
  /** A negative `timeoutMs` waits for ever. */
  poll(fd: Fd, events: number, timeoutMs: number): Call<SysResult<number>>;
  mmap(fd: Fd, offset: bigint, length: number): Call<SysResult<bigint>>;
  /** mmap(2) of anonymous shared memory (MAP_SHARED | MAP_ANONYMOUS): zeroed, the program's own. */
  mmapAnon(length: number): Call<SysResult<bigint>>;
  munmap(addr: bigint, length: number): Call<SysResult<0>>;
  memRead(addr: bigint, length: number): Call<MemResult<Uint8Array>>;
  memWrite(addr: bigint, data: Uint8Array): Call<MemResult<number>>;
  readFile(path: string): Call<SysResult<string>>;
  writeFile(path: string, data: string): Call<SysResult<number>>;
  readlink(path: string): Call<SysResult<string>>;
  readdir(path: string): Call<SysResult<readonly DirEntry[]>>;
  exists(path: string): Call<boolean>;
  mknod(path: string, major: number, minor: number): Call<SysResult<0>>;
  /** Sleeps `ms` milliseconds (fractions kept); the kernel converts with src/kernel/time.ts. */
  sleep(ms: number): Call<void>;
  /** clock_gettime(CLOCK_MONOTONIC), in microseconds. */
  clockGettime(): Call<number>;
  /** Opens a NETLINK_KOBJECT_UEVENT socket bound to group 1. */
  ueventSocket(): Call<SysResult<Fd>>;
  /** Receives the next uevent; ETIMEDOUT-like EAGAIN after `timeoutMs`. */
  recvUevent(fd: Fd, timeoutMs: number): Call<SysResult<Uevent>>;
  /** getpid(2). */
  getpid(): Call<number>;
  /** kill(2): ESRCH when no process has `pid`. */
  kill(pid: number, signal: SignalName): Call<SysResult<0>>;
  /**
   * sigaction(2) for SIGTERM: `handler` runs when the process returns to user mode with the
   * signal pending (the call it was asleep in fails with EINTR); null restores the default
   * action, which ends the process. EINVAL for SIGKILL, which cannot be caught.
   */
  sigaction(signal: SignalName, handler: (() => void) | null): Call<SysResult<0>>;
}
