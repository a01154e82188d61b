/**
 * Files and device nodes: devtmpfs (nodes the kernel creates under /dev), nodes made with
 * mknod, the character-device table, and struct file with its reference count.
 *
 * A file is released when its last reference goes: the fd table holds one, and so does every
 * mapping made through it (R15: a mapping that outlives close() keeps the file).
 *
 * @see chrdev_open() in fs/char_dev.c; fput() in fs/file_table.c
 */
import { assert, fixedStep, KObject, step, waitEventInterruptible, type Allocation, type KObjectTracker, type KStruct, type StepYield, type Task, type WaitQueue } from "../kernel/mod.js";
import {
  fail, O_LARGEFILE, O_RDWR, ok, POLLERR, POLLHUP, type IoctlFields, type IoctlRequest,
  type OpenFlags, type SysResult,
} from "../uapi/mod.js";
import type { Devt } from "./device.js";
import type { Kernel } from "./kernel.js";
import type { AddressSpace, Vma } from "./mm.js";

export interface FileOps {
  readonly name: string;
  release(file: KFile): Task<void>;
  /**
   * The request as the program made it (its number, and the struct its argument follows when
   * the program used a uapi definition) and the argument's fields; the result is the fields
   * the kernel wrote back.
   */
  ioctl?(file: KFile, request: IoctlRequest, arg: IoctlFields): Task<SysResult<IoctlFields>>;
  /** `timeoutTicks` models a signal interrupting a blocking read (EINTR). */
  read?(file: KFile, count: number, timeoutTicks: number | null): Task<SysResult<Uint8Array>>;
  /** Where readiness is announced, and the ready mask; never blocks: poll(2) waits (vfsPoll()). */
  poll?(file: KFile): Task<PollWait>;
  mmap?(file: KFile, vma: Vma): Task<SysResult<0>>;
  /**
   * The lines the file adds to /proc/<pid>/fdinfo/<fd>, each "key:\tvalue\n" (it yields its
   * own step for what it reads). @see file_operations.show_fdinfo
   */
  showFdinfo?(file: KFile): Task<string>;
}

/**
 * What a file's poll tells poll(2): the wait queue woken when the file may have become ready,
 * and its ready mask now (every ready bit, not only the requested ones).
 * @see poll_wait() in include/linux/poll.h
 */
export interface PollWait {
  readonly wq: WaitQueue;
  /** Why a task sleeping in poll(2) on this file is blocked, for the trace. */
  readonly reason: string;
  mask(): number;
  /** The step a woken poll(2) runs to call mask() again (the driver's poll, re-run). */
  readonly recheck: StepYield;
}

/** What a character-device driver does on open(): set `file.ops` and `file.privateData`. */
export type ChrdevOpen = (devt: Devt, file: KFile, flags: OpenFlags) => Task<SysResult<0>>;

/** Where a file keeps its fdget() step, made once (a symbol key: a cache, not file state). */
const FDGET_STEP = Symbol("fdget step");
/** Where a file keeps its ioctl op's first step when fdget() is folded into it (see below). */
const IOCTL_FIRST_STEP = Symbol("ioctl first step");

/** The access-mode bits of f_flags. @see O_ACCMODE */
export const O_ACCMODE = 0o3;

export class KFile extends KObject {
  static readonly fixedFields = ["path", "devt", "pid", "fFlags"];
  [FDGET_STEP]: StepYield | undefined;
  [IOCTL_FIRST_STEP]: StepYield | undefined;
  count = 1;
  ops: FileOps | null = null;
  privateData: unknown = null;
  /** The address space mappings of this file map (f_mapping). */
  mapping: AddressSpace | null = null;
  constructor(
    tracker: KObjectTracker,
    mem: Allocation,
    readonly path: string,
    readonly devt: Devt | null,
    readonly pid: number,
    /** f_flags: the access mode and status flags the file was opened with (O_RDWR, ...). */
    readonly fFlags: number = O_RDWR,
  ) {
    super(tracker, mem);
  }
}

/**
 * A new anonymous file `anon_inode:<name>` of process `pid`, with one reference and `ops`, not
 * yet installed in an fd (see fdInstall()); `what` labels its allocation (`<what> fd (pid N)`),
 * and `owner` is the object the file stands for (in the trace). `fFlags` are its f_flags (0:
 * read-only, as anon_inode_getfile(..., 0) makes them). The caller sets its private data.
 * @see anon_inode_getfile() in fs/anon_inodes.c
 */
export function anonInodeGetFile(
  kernel: Kernel, name: string, what: string, ops: FileOps, pid: number, owner: KStruct,
  fFlags = 0,
): KFile {
  const sim = kernel.sim;
  const mem = sim.alloc("file", { label: `${what} fd (pid ${pid})`, owner });
  const file = new KFile(sim, mem, `anon_inode:${name}`, null, pid, fFlags);
  file.ops = ops;
  return file;
}

/**
 * The step of a system call that starts on an open file: it reads the file (its ops and
 * private data) before the file's own code runs. Made once per file: every ioctl takes it.
 * @see fdget() in include/linux/file.h
 */
export function fdgetStep(file: KFile): StepYield {
  return (file[FDGET_STEP] ??= fixedStep("fdget", [file]));
}

/**
 * Folds fdget() into the first step of the file's ioctl op: `first` declares the file besides
 * what the op's own first step declares, and the ioctl system call yields it instead of
 * fdget's step, the op starting inside it: one scheduling point less per ioctl. A concurrent
 * close() still orders with it (both touch the file). Set while the file is opened, before any
 * other task can reach it, and kept for its life (its ops never change).
 */
export function foldFdgetIntoIoctl(file: KFile, first: StepYield): void {
  const again = file[IOCTL_FIRST_STEP] !== undefined;
  assert(!again, `Cannot fold fdget into the ioctl of ${file.path} twice`);
  const declared = [...first.reads, ...first.writes].some((o) => o.mem === file.mem);
  assert(declared, `Cannot fold fdget into a step that does not declare ${file.path}`);
  file[IOCTL_FIRST_STEP] = first;
}

/** The first step of an ioctl on `file`: fdget's own, or the op's with fdget folded in. */
export function ioctlFirstStep(file: KFile): StepYield {
  return file[IOCTL_FIRST_STEP] ?? fdgetStep(file);
}

/** The device-node table (devtmpfs and mknod nodes) and the character-device table. */
export class Vfs extends KObject {
  static readonly fixedFields = ["kernel"];
  private readonly nodes = new Map<string, Devt>();
  private readonly chrdevs = new Map<number, ChrdevOpen>();

  constructor(private readonly kernel: Kernel) {
    super(kernel.sim, kernel.sim.alloc("super_block", { kind: "static", label: "devtmpfs", persistent: true }));
  }

  registerChrdev(major: number, open: ChrdevOpen): void {
    assert(!this.chrdevs.has(major), `Cannot register chrdev: major ${major} taken`);
    this.chrdevs.set(major, open);
  }

  devtmpfsCreate(path: string, devt: Devt): void {
    this.nodes.set(path, devt);
  }

  devtmpfsDelete(path: string): void {
    this.nodes.delete(path);
  }

  /**
   * A node made by mknod(2); EEXIST for a path taken by a node or a directory. Directories are
   * implicit.
   */
  mknod(path: string, devt: Devt): SysResult<0> {
    if (this.nodes.has(path) || this.dirExists(path)) return fail("EEXIST");
    this.nodes.set(path, devt);
    return ok(0);
  }

  lookup(path: string): Devt | undefined {
    return this.nodes.get(path);
  }

  /** Paths of the nodes in directory `dir` (e.g. "/dev/dri"), sorted. */
  list(dir: string): { name: string; devt: Devt }[] {
    const prefix = `${dir}/`;
    return [...this.nodes.entries()]
      .filter(([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
      .map(([p, devt]) => ({ name: p.slice(prefix.length), devt }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  dirExists(dir: string): boolean {
    const prefix = `${dir}/`;
    for (const p of this.nodes.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  /** Opens a device node: path lookup (ENOENT), then the char driver's open. */
  *open(path: string, flags: OpenFlags, pid: number): Task<SysResult<KFile>> {
    yield step("do_sys_open", [this]);
    const devt = this.nodes.get(path);
    if (devt === undefined) return fail("ENOENT");
    return yield* this.openDevt(path, devt, flags, pid);
  }

  /**
   * A second, independent open of the node `file` was opened from (the same path and device
   * number, whatever the directory holds now), for process `pid`: a new struct file through
   * the char driver's open, as DRM leases make their lessee's file.
   * @see file_clone_open() in fs/open.c
   */
  *cloneOpen(file: KFile, pid: number): Task<SysResult<KFile>> {
    yield step("file_clone_open", [file, this]);
    assert(file.devt !== null, `Cannot clone-open ${file.path}: not a device node`);
    return yield* this.openDevt(file.path, file.devt, {}, pid);
  }

  /** The char driver's open of node `devt` at `path`, as a new file of process `pid`. */
  private *openDevt(path: string, devt: Devt, flags: OpenFlags, pid: number): Task<SysResult<KFile>> {
    const sim = this.kernel.sim;
    const open = this.chrdevs.get(devt.major);
    if (open === undefined) return fail("ENXIO");
    // open() of a device node on 64-bit: read-write (the model's only access mode), O_LARGEFILE.
    const fFlags = O_RDWR | O_LARGEFILE;
    const label = `file ${path} (pid ${pid})`;
    const file = new KFile(sim, sim.alloc("file", { label }), path, devt, pid, fFlags);
    const r = yield* sim.frame("chrdev_open", open(devt, file, flags));
    if (!r.ok) {
      sim.free(file.mem, "fput");
      return fail(r.errno);
    }
    return ok(file);
  }
}

/**
 * What poll(2) reports of a file's ready mask: only the requested bits, plus POLLERR and
 * POLLHUP, which are always reported. A driver's poll may return more; the VFS narrows it.
 * @see do_pollfd() in fs/select.c
 */
function pollFilter(mask: number, requested: number): number {
  return mask & (requested | POLLERR | POLLHUP);
}

/**
 * poll(2) of one open file: waits up to `timeoutTicks` (null: for ever) until the file is
 * ready for one of the `requested` events, and returns what it reports (pollFilter()), 0 if
 * the time ran out first.
 * A file without a poll operation reports 0 at once. The wait is interruptible
 * (poll_schedule_timeout(TASK_INTERRUPTIBLE)): a signal ends it with EINTR.
 * @see do_poll() in fs/select.c
 */
export function* vfsPoll(
  file: KFile,
  requested: number,
  timeoutTicks: number | null,
): Task<SysResult<number>> {
  if (file.ops?.poll === undefined) return ok(0);
  const pw = yield* file.ops.poll(file);
  const revents = (): number => pollFilter(pw.mask(), requested);
  const ready = (): boolean => revents() !== 0;
  const waited = yield* waitEventInterruptible(pw.wq, pw.reason, ready, timeoutTicks, pw.recheck);
  if (waited === "interrupted") return fail("EINTR");
  return ok(revents());
}

/** A watch on a file's readiness: its ready mask now, and the watch's removal. */
export interface PollWatch {
  mask(): number;
  remove(): void;
}

/**
 * Watches `file` as epoll does (EPOLL_CTL_ADD): the file's poll is called once, and an entry
 * with the wake function `onWake` goes on the wait queue it names, so that each wake-up (the
 * file may have become ready) calls `onWake`; `mask()` then tells the ready bits. Null for a
 * file without poll (always ready, as vfs_poll() says). @see ep_insert() in fs/eventpoll.c
 */
export function* vfsPollWatch(file: KFile, onWake: () => void): Task<PollWatch | null> {
  yield fdgetStep(file);
  if (file.ops?.poll === undefined) return null;
  const pw = yield* file.ops.poll(file);
  return { mask: () => pw.mask(), remove: pw.wq.addWakeFunction(onWake) };
}

/** Takes a file reference; the caller's step writes the file. @see get_file() */
export function fget(file: KFile): void {
  assert(file.count > 0, `Cannot fget ${file.path}: file already released`);
  file.count++;
}

/** Drops a file reference; the last one runs the driver's release and frees the file. */
export function* fput(kernel: Kernel, file: KFile): Task<void> {
  yield step("fput", [], [file]);
  assert(file.count > 0, `Cannot fput ${file.path}: no reference held`);
  file.count--;
  if (file.count > 0) return;
  if (file.ops !== null) yield* kernel.sim.frame("__fput", file.ops.release(file));
  kernel.sim.free(file.mem, "__fput");
}
