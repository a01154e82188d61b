/**
 * A userspace process as the kernel sees it: a pid, a command name, an fd table and its
 * mappings, and the system calls it makes. Each call is traced with its result; the call in
 * progress is kept (pendingCall), so a program asleep in one can be reported with it.
 *
 * Every call ends with a return to user mode: a task with a fatal signal pending does not get
 * back to its program (TaskKilled is thrown), and whoever started the program runs exit().
 *
 * Paths under /sys go to sysfs; all other paths go to the device-node table (devtmpfs and
 * mknod nodes).
 */
import { lookupStep, sleepTicks, step, TaskKilled, ticksFromMs, usFromTicks, type CallFields, type SimTask, type Task } from "../kernel/mod.js";
import type { SignalName } from "../uapi/mod.js";
import {
  fail,
  NO_IOCTL_ARG,
  O_CLOEXEC,
  O_RDWR,
  ok,
  POLLNVAL,
  type AnyIoctlDef,
  type DirEntry,
  type Fd,
  type IoctlFields,
  type IoctlIn,
  type IoctlOutOf,
  type IoctlRequest,
  type MemResult,
  type OpenFlags,
  type SysResult,
  type Syscalls,
  type Uevent,
} from "../uapi/mod.js";
import { bindCurrentProcess } from "./fd_install.js";
import { IoctlCallMemo } from "./ioctl_call.js";
import type { Kernel } from "./kernel.js";
import { PAGE_SIZE, Mm } from "./mm.js";
import { mmapRegion, unmapVma } from "./mmap_region.js";
import { shmemZeroSetup } from "./shmem_zero.js";
import { isProcPath, procRead, procReaddir, procReadlink } from "./procfs.js";
import { UeventSocket, ueventSocketOps } from "./uevent_socket.js";
import { userAccess } from "./user_access.js";
import { fdgetStep, fget, fput, ioctlFirstStep, KFile, O_ACCMODE, vfsPoll } from "./vfs.js";

/** A successful DRM ioctl returns 0; what it gives back is in the struct (the record's output). */
function showIoctlRet(): string {
  return "0";
}

export interface PendingCall {
  readonly op: string;
  readonly args: string;
  readonly sinceTick: number;
}

export class Process implements Syscalls {
  readonly pid: number;
  readonly fds = new Map<number, KFile>();
  /** The fds that are close-on-exec (FD_CLOEXEC, from O_CLOEXEC or a kernel handler's flags). */
  private readonly cloexecFds = new Set<number>();
  readonly mm = new Mm();
  /**
   * Every fd from 3 up to (not including) this one is open, so the search for the lowest free
   * fd starts here, not at 3: opening n files costs O(n), not O(n^2). @see files->next_fd
   */
  private nextFd = 3;
  /** The argument texts and last outputs of this process's ioctls (see IoctlCallMemo). */
  private readonly ioctlMemo = new IoctlCallMemo();
  exited = false;
  // The call in progress, in three fields rather than an object: the ioctl path sets them.
  private callOp: string | null = null;
  private callArgs = "";
  private callSinceTick = 0;
  private taskNow: SimTask | null = null;
  /** SIGTERM handlers installed with sigaction(2). */
  private readonly handlers = new Map<SignalName, () => void>();

  constructor(readonly kernel: Kernel, readonly comm: string) {
    this.pid = kernel.allocPid();
    kernel.processes.set(this.pid, this);
  }

  /** The lowest free fd (0-2 are stdio). @see alloc_fd() in fs/file.c */
  private allocFd(file: KFile, cloexec = false): Fd {
    let fd = this.nextFd;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, file);
    if (cloexec) this.cloexecFds.add(fd);
    this.nextFd = fd + 1;
    return fd as Fd;
  }

  /** @internal Installs a file a kernel handler made (see fd_install.ts). */
  fdInstall(file: KFile, cloexec: boolean): Fd {
    return this.allocFd(file, cloexec);
  }

  /** @see __put_unused_fd() in fs/file.c */
  private releaseFd(fd: Fd): void {
    this.fds.delete(fd);
    this.cloexecFds.delete(fd);
    if (fd < this.nextFd) this.nextFd = fd;
  }

  /** The task that runs the process's program (set by whoever starts it); kill(2) signals it. */
  get task(): SimTask | null {
    return this.taskNow;
  }

  /** The task also names the call it is in, for the findings about its sleep (SimTask). */
  set task(task: SimTask | null) {
    this.taskNow = task;
    if (task === null) return;
    task.callInProgress = () => {
      const c = this.pendingCall;
      return c === null ? null : `${c.op}(${c.args})`;
    };
  }

  /** The system call in progress, or null between calls. */
  get pendingCall(): PendingCall | null {
    if (this.callOp === null) return null;
    return { op: this.callOp, args: this.callArgs, sinceTick: this.callSinceTick };
  }

  /**
   * Leaving the kernel for the program: a task with SIGKILL pending dies here instead, so it
   * runs no more of its own code (and can make no further call).
   * @see exit_to_user_mode_loop(), get_signal() in kernel/signal.c
   */
  private returnToUser(): void {
    const task = this.kernel.sim.current;
    if (task === null) return;
    if (task.fatalSignal) throw new TaskKilled(task.name);
    if (task.pendingSignals.size > 0) this.deliverSignals(task);
  }

  /**
   * The signals pending on the way back to user mode: a handled one runs its handler; one
   * without a handler takes its default action, which for SIGTERM ends the process.
   * @see get_signal(), handle_signal() in arch/x86/kernel/signal.c
   */
  private deliverSignals(task: SimTask): void {
    for (const signal of [...task.pendingSignals] as SignalName[]) {
      task.pendingSignals.delete(signal);
      const handler = this.handlers.get(signal);
      if (handler !== undefined) {
        handler();
        continue;
      }
      task.fatalSignal = true;
      throw new TaskKilled(task.name, "SIGTERM");
    }
  }

  /** A system call starts: the task must be alive; the call is pending until recordCall(). */
  private enterCall(op: string, args: string): number {
    this.returnToUser();
    const now = this.kernel.sim.now;
    this.callOp = op;
    this.callArgs = args;
    this.callSinceTick = now;
    return now;
  }

  private *traced<T>(op: string, args: string, body: Task<SysResult<T>>, show: (v: T) => string = String): Task<SysResult<T>> {
    const startTick = this.enterCall(op, args);
    const r = yield* this.kernel.sim.frame(`sys_${op}`, body);
    this.recordCall(op, args, startTick, r, show, null, null);
    return r;
  }

  /**
   * Records a finished system call, once, then returns to user mode. The trace keeps the
   * record, and the scenario timeline, its JSON and the HTML report all read it from there.
   * `input` and `output` are the argument struct's fields in and out (an ioctl's), kept by
   * reference, exact.
   */
  private recordCall<T>(op: string, args: string, startTick: number, r: SysResult<T>, show: (v: T) => string, input: CallFields | null, output: CallFields | null): void {
    const sim = this.kernel.sim;
    const task = sim.current?.id ?? 0;
    const ret = r.ok ? show(r.value) : "-1";
    sim.trace.push({ t: "call", tick: sim.now, startTick, task, op, args, input, ret, errno: r.ok ? null : r.errno, output });
    this.callOp = null;
    this.returnToUser();
  }

  *open(path: string, flags: OpenFlags = {}): Task<SysResult<Fd>> {
    const self = this;
    return yield* this.traced("open", path, (function* () {
      const r = yield* self.kernel.vfs.open(path, flags, self.pid);
      return r.ok ? ok(self.allocFd(r.value, flags.cloexec === true)) : fail(r.errno);
    })());
  }

  *close(fd: Fd): Task<SysResult<0>> {
    const self = this;
    return yield* this.traced("close", String(fd), (function* () {
      const file = self.fds.get(fd);
      if (file === undefined) return fail("EBADF");
      self.releaseFd(fd);
      yield* fput(self.kernel, file);
      return ok(0 as const);
    })());
  }

  /**
   * dup(2), or fcntl(F_DUPFD_CLOEXEC) with `cloexec`: the lowest free fd for the same open
   * file, which holds a reference of its own (the file is released when the last fd and
   * mapping let go). @see do_dup2(), f_dupfd() in fs/file.c
   */
  *dup(fd: Fd, cloexec = false): Task<SysResult<Fd>> {
    const self = this;
    return yield* this.traced(cloexec ? "dup_cloexec" : "dup", String(fd), (function* () {
      const file = self.fds.get(fd);
      if (file === undefined) return fail("EBADF");
      yield step("f_dupfd", [], [file]);
      fget(file);
      return ok(self.allocFd(file, cloexec));
    })());
  }

  // The hot path of the model (see docs/benchmarks.md): it does what traced() does, with the
  // sys_ioctl frame pushed by hand, so that a call costs no wrapper generators. (Written with
  // traced(), a closure and sim.frame(), a round trip takes about four times as long.) The
  // request arrives resolved (a uapi definition or a bare number): nothing is looked up here.
  ioctl<Def extends AnyIoctlDef>(fd: Fd, request: Def, arg?: Partial<IoctlIn<NoInfer<Def>>>): Task<SysResult<IoctlOutOf<Def>>>;
  ioctl(fd: Fd, request: number): Task<SysResult<IoctlFields>>;
  // The implementation returns the fields of whatever struct `request` names; the overloads
  // above give typed callers the outputs of their definition.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  *ioctl(fd: Fd, request: IoctlRequest, argIn: object = NO_IOCTL_ARG): Task<SysResult<any>> {
    // The work before and after the call is in plain methods: this generator's registers are
    // allocated at every call, so the fewer the better.
    const task = this.ioctlEnter(fd, request);
    const startTick = this.callSinceTick;
    let r: SysResult<IoctlFields>;
    try {
      const file = this.fds.get(fd);
      if (file === undefined) r = fail("EBADF");
      else {
        yield ioctlFirstStep(file);
        const ops = file.ops;
        r = ops?.ioctl === undefined ? fail("ENOTTY") : yield* ops.ioctl(file, request, argIn as IoctlFields);
      }
    } finally {
      this.kernel.sim.popFrame(task, "sys_ioctl");
    }
    return this.ioctlRecord(fd, request, argIn as IoctlFields, startTick, r);
  }

  /** The ioctl starts: pending, in its sys_ioctl frame, its task bound to this process. */
  private ioctlEnter(fd: Fd, request: IoctlRequest): SimTask {
    this.enterCall("ioctl", this.ioctlMemo.args(fd, request));
    const task = this.kernel.sim.pushFrame("sys_ioctl");
    bindCurrentProcess(task, this);
    return task;
  }

  /** Records the finished ioctl (its output memoized, see IoctlCallMemo); what it returns. */
  private ioctlRecord(
    fd: Fd,
    request: IoctlRequest,
    arg: IoctlFields,
    startTick: number,
    r: SysResult<IoctlFields>,
  ): SysResult<IoctlFields> {
    if (r.ok && typeof request !== "number") {
      const out = this.ioctlMemo.output(request, r.value);
      if (out !== r.value) r = ok(out);
    }
    const input = typeof request === "number" ? null : arg;
    const args = this.ioctlMemo.args(fd, request);
    this.recordCall("ioctl", args, startTick, r, showIoctlRet, input, r.ok ? r.value : null);
    return r;
  }

  *read(fd: Fd, count: number, timeoutMs?: number): Task<SysResult<Uint8Array>> {
    const self = this;
    return yield* this.traced("read", `${fd}, ${count}`, (function* () {
      const file = self.fds.get(fd);
      if (file === undefined) return fail("EBADF");
      yield fdgetStep(file);
      if (file.ops?.read === undefined) return fail("EINVAL");
      return yield* file.ops.read(file, count, timeoutMs === undefined ? null : ticksFromMs(timeoutMs));
    })(), (v) => String(v.length));
  }

  *poll(fd: Fd, events: number, timeoutMs: number): Task<SysResult<number>> {
    const self = this;
    return yield* this.traced("poll", `${fd}, 0x${events.toString(16)}, ${timeoutMs}`, (function* () {
      const file = self.fds.get(fd);
      // poll(2) does not fail for a descriptor that is not open: it reports POLLNVAL.
      if (file === undefined) return ok(POLLNVAL);
      yield fdgetStep(file);
      // A negative timeout waits for ever, as in poll(2).
      return yield* vfsPoll(file, events, timeoutMs < 0 ? null : ticksFromMs(timeoutMs));
    })(), (v) => `revents=0x${v.toString(16)}`);
  }

  *mmap(fd: Fd, offset: bigint, length: number): Task<SysResult<bigint>> {
    const self = this;
    return yield* this.traced("mmap", `${fd}, 0x${offset.toString(16)}, ${length}`, (function* () {
      const file = self.fds.get(fd);
      if (file === undefined) return fail("EBADF");
      if (length <= 0 || offset % BigInt(PAGE_SIZE) !== 0n) return fail("EINVAL");
      yield fdgetStep(file);
      // Every mapping of the model is MAP_SHARED with PROT_READ|PROT_WRITE: the file must be
      // open for reading and writing (a dma-buf exported without DRM_RDWR is not).
      if ((file.fFlags & O_ACCMODE) !== O_RDWR) return fail("EACCES");
      if (file.ops?.mmap === undefined) return fail("ENODEV");
      return yield* mmapRegion(self.kernel, self.mm, self.pid, file, offset, length);
    })(), (v) => `0x${v.toString(16)}`);
  }

  /**
   * mmap(2) of anonymous shared memory (MAP_SHARED | MAP_ANONYMOUS, fd -1): zeroed pages of
   * its own, a variable the program can point the kernel at. @see shmem_zero_setup()
   */
  *mmapAnon(length: number): Task<SysResult<bigint>> {
    const self = this;
    return yield* this.traced("mmap", `-1, 0x0, ${length}`, (function* () {
      if (length <= 0) return fail("EINVAL");
      const file = shmemZeroSetup(self.kernel, self.pid);
      const r = yield* mmapRegion(self.kernel, self.mm, self.pid, file, 0n, length);
      yield* fput(self.kernel, file); // the mapping holds it now (or nobody does)
      return r;
    })(), (v) => `0x${v.toString(16)}`);
  }

  *munmap(addr: bigint, length: number): Task<SysResult<0>> {
    const self = this;
    return yield* this.traced("munmap", `0x${addr.toString(16)}, ${length}`, (function* () {
      const vma = self.mm.findStart(addr);
      if (vma === undefined) return ok(0 as const); // nothing mapped there: munmap succeeds
      yield* unmapVma(self.kernel, self.mm, vma);
      return ok(0 as const);
    })());
  }

  /** Reads through a mapping, faulting pages in as a CPU access would. */
  *memRead(addr: bigint, length: number): Task<MemResult<Uint8Array>> {
    const out = new Uint8Array(length);
    const r = yield* userAccess(this, addr, length, (page, pageOff, bufOff, n) => out.set(page.subarray(pageOff, pageOff + n), bufOff));
    return r.ok ? { ok: true, value: out } : r;
  }

  *memWrite(addr: bigint, data: Uint8Array): Task<MemResult<number>> {
    const r = yield* userAccess(this, addr, data.length, (page, pageOff, bufOff, n) => page.set(data.subarray(bufOff, bufOff + n), pageOff));
    return r.ok ? { ok: true, value: data.length } : r;
  }

  /**
   * The kernel writing `data` to user address `addr` of this process, as put_user() and
   * copy_to_user() do: through the same page tables and fault handlers as the program's own
   * access, but an address nothing maps, or a fault nobody resolves, is EFAULT for the system
   * call, not a signal. @see copy_to_user(), the exception table's fixup
   */
  *copyToUser(addr: bigint, data: Uint8Array): Task<0 | "EFAULT"> {
    const r = yield* userAccess(this, addr, data.length, (page, pageOff, bufOff, n) => page.set(data.subarray(bufOff, bufOff + n), pageOff), true);
    return r.ok ? 0 : "EFAULT";
  }

  *readFile(path: string): Task<SysResult<string>> {
    const self = this;
    return yield* this.traced("read_file", path, (function* () {
      const { sysfs, vfs } = self.kernel;
      if (isProcPath(path)) return yield* procRead(self.kernel, self, path);
      if (!path.startsWith("/sys/")) {
        yield step("vfs_read", [vfs]);
        return fail(vfs.lookup(path) === undefined ? "ENOENT" : "EINVAL");
      }
      yield lookupStep("kernfs_fop_read_iter", () => ({ reads: sysfs.footprintOf(path), writes: [] }));
      return sysfs.read(path);
    })(), (v) => JSON.stringify(v.trimEnd()));
  }

  *writeFile(path: string, data: string): Task<SysResult<number>> {
    const self = this;
    return yield* this.traced("write_file", `${path}, ${JSON.stringify(data)}`, (function* () {
      const { sysfs, vfs } = self.kernel;
      if (!path.startsWith("/sys/")) {
        yield step("vfs_write", [vfs]);
        return fail(vfs.lookup(path) === undefined ? "ENOENT" : "EINVAL");
      }
      yield step("kernfs_fop_write_iter", [sysfs]);
      return yield* sysfs.write(path, data);
    })());
  }

  /**
   * /proc/<pid>/fdinfo/<fd> (procfs.ts): the position, the flags (f_flags, with O_CLOEXEC for a
   * close-on-exec fd, in octal), then what the file adds (a dma-buf its size, count, exporter
   * and name). mnt_id and ino are left out: the model has no mounts and no inode numbers.
   * ENOENT for an fd that is not open.
   * @see seq_show() in fs/proc/fd.c
   */
  *procFdinfo(fd: number): Task<SysResult<string>> {
    const file = this.fds.get(fd);
    if (file === undefined) return fail("ENOENT");
    yield step("seq_show", [file]);
    const flags = file.fFlags | (this.cloexecFds.has(fd) ? O_CLOEXEC : 0);
    const own = file.ops?.showFdinfo === undefined ? "" : yield* file.ops.showFdinfo(file);
    return ok(`pos:\t0\nflags:\t0${flags.toString(8)}\n${own}`);
  }

  *readlink(path: string): Task<SysResult<string>> {
    const self = this;
    return yield* this.traced("readlink", path, (function* () {
      if (isProcPath(path)) return yield* procReadlink(self.kernel, self, path);
      yield step("vfs_readlink", [self.kernel.sysfs]);
      return self.kernel.sysfs.readlink(path);
    })());
  }

  *readdir(path: string): Task<SysResult<readonly DirEntry[]>> {
    const self = this;
    return yield* this.traced("readdir", path, (function* (): Task<SysResult<readonly DirEntry[]>> {
      const vfs = self.kernel.vfs;
      if (isProcPath(path)) return yield* procReaddir(self.kernel, self, path);
      yield step("iterate_dir", [path.startsWith("/sys") ? self.kernel.sysfs : vfs]);
      if (path.startsWith("/sys")) return self.kernel.sysfs.readdir(path);
      if (!vfs.dirExists(path)) return fail("ENOENT");
      return ok(vfs.list(path).map((n) => ({ name: n.name, kind: "chr" as const })));
    })(), (v) => v.map((e) => e.name).join(" "));
  }

  *exists(path: string): Task<boolean> {
    this.returnToUser();
    yield step("vfs_statx", [path.startsWith("/sys") ? this.kernel.sysfs : this.kernel.vfs]);
    if (path.startsWith("/sys")) return this.kernel.sysfs.exists(path);
    return this.kernel.vfs.lookup(path) !== undefined || this.kernel.vfs.dirExists(path);
  }

  *mknod(path: string, major: number, minor: number): Task<SysResult<0>> {
    const self = this;
    return yield* this.traced("mknod", `${path}, ${major}:${minor}`, (function* () {
      yield step("vfs_mknod", [], [self.kernel.vfs]);
      // sysfs (kernfs) has no mknod: vfs_mknod() fails with EPERM there.
      if (path === "/sys" || path.startsWith("/sys/")) return fail("EPERM");
      return self.kernel.vfs.mknod(path, { major, minor });
    })());
  }

  *clockGettime(): Task<number> {
    this.returnToUser();
    return usFromTicks(this.kernel.sim.now);
  }

  *sleep(ms: number): Task<void> {
    this.returnToUser();
    yield sleepTicks(ticksFromMs(ms));
    this.returnToUser();
  }

  *ueventSocket(): Task<SysResult<Fd>> {
    const self = this;
    return yield* this.traced("socket", "NETLINK_KOBJECT_UEVENT", (function* () {
      yield step("netlink_create", [], [self.kernel.uevents]);
      const sim = self.kernel.sim;
      const file = new KFile(sim, sim.alloc("file", { label: `netlink socket (pid ${self.pid})` }), "socket:[netlink]", null, self.pid);
      const socket = new UeventSocket(self.kernel, `netlink sock (pid ${self.pid})`);
      file.ops = ueventSocketOps(socket);
      file.privateData = socket;
      return ok(self.allocFd(file));
    })());
  }

  *recvUevent(fd: Fd, timeoutMs: number): Task<SysResult<Uevent>> {
    this.returnToUser();
    const file = this.fds.get(fd);
    if (file === undefined) return fail("EBADF");
    yield fdgetStep(file);
    const socket = file.privateData;
    if (!(socket instanceof UeventSocket)) return fail("ENOTSOCK");
    const r = yield* socket.recv(ticksFromMs(timeoutMs));
    this.returnToUser();
    return r;
  }

  *getpid(): Task<number> {
    this.returnToUser();
    return this.pid;
  }

  /** kill(2): SIGKILL is fatal; SIGTERM is taken at the target's return to user mode. */
  *kill(pid: number, signal: SignalName): Task<SysResult<0>> {
    const self = this;
    return yield* this.traced("kill", `${pid}, ${signal}`, (function* () {
      yield step("kill_pid_info");
      const target = self.kernel.processes.get(pid);
      if (target === undefined || target.task === null) return fail("ESRCH");
      const sim = self.kernel.sim;
      sim.note(`${signal} to ${target.comm} (pid ${pid}) from ${self.comm} (pid ${self.pid})`);
      if (signal === "SIGKILL") sim.sendFatalSignal(target.task);
      else sim.sendSignal(target.task, signal);
      return ok(0 as const);
    })());
  }

  *sigaction(signal: SignalName, handler: (() => void) | null): Task<SysResult<0>> {
    const self = this;
    return yield* this.traced("rt_sigaction", `${signal}, ${handler === null ? "SIG_DFL" : "handler"}`, (function* () {
      yield step("do_sigaction");
      if (signal === "SIGKILL") return fail("EINVAL");
      if (handler === null) self.handlers.delete(signal);
      else self.handlers.set(signal, handler);
      return ok(0 as const);
    })());
  }

  /** Process exit: every mapping is unmapped and every fd closed, as do_exit() does. */
  *exit(): Task<void> {
    if (this.exited) return;
    this.exited = true;
    const task = this.kernel.sim.current;
    if (task !== null) bindCurrentProcess(task, this); // current, for the files' release
    for (const vma of [...this.mm.vmas]) yield* unmapVma(this.kernel, this.mm, vma);
    for (const [fd, file] of [...this.fds]) {
      this.releaseFd(fd as Fd);
      yield* fput(this.kernel, file);
    }
    // Reaped: /proc no longer lists it.
    this.kernel.processes.delete(this.pid);
  }
}
