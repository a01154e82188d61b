/**
 * The bridge: serves umockdev's ioctl sockets from the model. For every emulated node it
 * listens at `$UMOCKDEV_DIR/ioctl/<node path>`; each connection is one open file of the real
 * process, which the lane opens in the model (one model file per open), and whose ioctl() and
 * read() calls it makes there, following the argument's pointers into the client's memory.
 * The client's close() ends the connection: the lane closes the model file. write() on a DRM
 * node fails with EINVAL, as DRM's file operations have no write.
 */
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { vfsPollWatch, type Process } from "../base/mod.js";
import type { Sim } from "../kernel/mod.js";
import { errnoValue, fail, ioctlByCmd, type Fd, type SysResult } from "../uapi/mod.js";
import { ioctlInput, ioctlOutput } from "./ioctl_marshal.js";
import type { RealProgramLane } from "./lane.js";
import { ShimFiles, VDRM_SHIM_ID, VDRM_SHIM_POLL, type ShimFile } from "./shim_files.js";
import { REQ_IOCTL, REQ_READ, UmockdevConnection, type Message } from "./umockdev_protocol.js";

export type SimKick = () => void;

/** A private request of vdrm's own shim on the same socket; see native/shim/mmap.c. */
export interface ShimHandler {
  handles(request: number): boolean;
  serve(conn: UmockdevConnection, fd: Fd, m: Message): Promise<void>;
  /** Before a call: what the real process wrote to its mappings goes to the model. */
  push(): Promise<void>;
  /** After a call: the model's view of the mappings goes to the real process. */
  pull(): Promise<void>;
}

export class Bridge {
  private readonly servers = new Map<string, Server>();
  private readonly open = new Set<Promise<void>>();
  /** The files served, for the shim's poll and dup. */
  readonly files: ShimFiles;

  constructor(
    private readonly root: string,
    private readonly lane: RealProgramLane,
    private readonly kick: SimKick,
    sim: Sim,
  ) {
    this.files = new ShimFiles(root, sim);
  }

  /** Starts serving the shim's own sockets (calls, poll wake-ups, dup). */
  async start(): Promise<void> {
    await this.files.listen(
      (socket, orig, cloexec) => this.track(this.dup(socket, orig, cloexec), socket),
      (socket, file) => this.track(this.channel(socket, file), socket),
    );
  }

  /** Keeps a connection's service until it ends (drained() waits for every one). */
  private track(served: Promise<void>, socket: Socket): void {
    const caught = served.catch((e: unknown) => {
      socket.destroy();
      if (!this.lane.done) throw e;
    });
    this.open.add(caught);
    void caught.finally(() => this.open.delete(caught));
  }

  /** vdrm's shim's requests (mmap), set once the handler exists. */
  shim: ShimHandler | null = null;

  /** A call made by the lane: queued, and the simulation told to run. */
  run<T>(fn: (sys: Process) => Generator<unknown, T, unknown>): Promise<T> {
    const p = this.lane.call(fn);
    this.kick();
    return p;
  }

  /** Starts serving the node `devnode` (/dev/dri/card0). */
  async listen(devnode: string): Promise<void> {
    if (this.servers.has(devnode)) return;
    const path = `${this.root}/ioctl${devnode}`;
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    const server = createServer((socket) => this.track(this.serve(new UmockdevConnection(socket), devnode), socket));
    this.servers.set(devnode, server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
  }

  /** Stops serving `devnode` (its node left the testbed); open connections go on. */
  unlisten(devnode: string): void {
    const server = this.servers.get(devnode);
    if (server === undefined) return;
    this.servers.delete(devnode);
    server.close();
    rmSync(`${this.root}/ioctl${devnode}`, { force: true });
  }

  /** Every connection closed by the client has been served to its end. */
  async drained(): Promise<void> {
    while (this.open.size > 0) await Promise.allSettled([...this.open]);
  }

  close(): void {
    for (const devnode of [...this.servers.keys()]) this.unlisten(devnode);
    this.files.close();
  }

  private async serve(conn: UmockdevConnection, devnode: string): Promise<void> {
    const opened: SysResult<Fd> = await this.run((sys) => sys.open(devnode));
    await this.serveFile(conn, opened, opened.ok ? this.files.add(opened.value) : null);
  }

  /**
   * A copy of a file (dup) made by the shim: the lane dups the file's fd; the answer is the
   * copy's id and errno (two u64), then the connection carries the copy's calls.
   */
  private async dup(socket: Socket, orig: ShimFile | undefined, cloexec: boolean): Promise<void> {
    const r: SysResult<Fd> = orig === undefined ? fail("EBADF") : await this.run((sys) => sys.dup(orig.fd, cloexec));
    const file = r.ok ? this.files.add(r.value) : null;
    const answer = Buffer.alloc(16);
    answer.writeBigUInt64LE(BigInt(file?.id ?? 0), 0);
    answer.writeBigUInt64LE(BigInt(r.ok ? 0 : errnoValue(r.errno)), 8);
    socket.write(answer);
    if (!r.ok) return void socket.end();
    const conn = new UmockdevConnection(socket);
    socket.resume();
    await this.serveFile(conn, r, file);
  }

  /**
   * The shim's channel for a file the umockdev connection opened: the answer is ok and errno
   * (two u64), then the connection carries the file's calls; the file is not closed at its end.
   */
  private async channel(socket: Socket, file: ShimFile | undefined): Promise<void> {
    const answer = Buffer.alloc(16);
    answer.writeBigUInt64LE(file === undefined ? 0n : 1n, 0);
    answer.writeBigUInt64LE(BigInt(file === undefined ? errnoValue("EBADF") : 0), 8);
    socket.write(answer);
    if (file === undefined) return void socket.end();
    const conn = new UmockdevConnection(socket);
    socket.resume();
    for (let m = await conn.nextMessage(); m !== null; m = await conn.nextMessage()) {
      await this.call(conn, file, m);
    }
  }

  private async serveFile(conn: UmockdevConnection, opened: SysResult<Fd>, file: ShimFile | null): Promise<void> {
    for (let m = await conn.nextMessage(); m !== null; m = await conn.nextMessage()) {
      if (!opened.ok || file === null) conn.done(-1, errnoValue(opened.ok ? "EBADF" : opened.errno));
      else await this.call(conn, file, m);
    }
    if (file !== null) this.files.remove(file);
    if (opened.ok) await this.run((sys) => sys.close(opened.value));
  }

  /**
   * VDRM_SHIM_POLL: the ready mask of the model's file now (the lane's poll, not waiting);
   * the first time, the file is watched for its wake-ups (see shim_files.ts).
   */
  private async poll(conn: UmockdevConnection, file: ShimFile, arg: bigint): Promise<void> {
    const events = Buffer.from(await conn.readMem(arg, 8)).readUInt32LE(0);
    file.events = events;
    const r = await this.run(function* (sys) {
      const now = yield* sys.poll(file.fd, events, 0);
      const kfile = sys.fds.get(file.fd);
      if (file.watch === null && kfile !== undefined) {
        file.watch = yield* vfsPollWatch(kfile, () => void (file.woken = true));
      }
      return now;
    });
    if (!r.ok) return conn.done(-1, errnoValue(r.errno));
    const out = Buffer.alloc(8);
    out.writeUInt32LE(events, 0);
    out.writeUInt32LE(r.value, 4);
    conn.writeMem(arg, out);
    conn.done(0, 0);
  }

  private async call(conn: UmockdevConnection, file: ShimFile, m: Message): Promise<void> {
    const fd = file.fd;
    const request = Number(BigInt.asUintN(32, m.arg1));
    if (m.cmd === REQ_IOCTL && request === VDRM_SHIM_ID) return ShimFiles.answerId(conn, m.arg2, file);
    if (m.cmd === REQ_IOCTL && request === VDRM_SHIM_POLL) return this.poll(conn, file, m.arg2);
    if (m.cmd === REQ_IOCTL && this.shim?.handles(request)) return this.shim.serve(conn, fd, m);
    await this.shim?.push();
    if (m.cmd === REQ_IOCTL) await this.ioctl(conn, fd, request, m.arg2);
    else if (m.cmd === REQ_READ) await this.read(conn, fd, m.arg1, Number(m.arg2));
    // write(2): DRM's file operations have none (vfs_write() fails with EINVAL).
    else conn.done(-1, errnoValue("EINVAL"));
    await this.shim?.pull();
  }

  private async ioctl(
    conn: UmockdevConnection, fd: Fd, request: number, argAddr: bigint,
  ): Promise<void> {
    const def = ioctlByCmd(request);
    if (def === undefined) {
      const r = await this.run((sys) => sys.ioctl(fd, request));
      conn.done(r.ok ? 0 : -1, r.ok ? 0 : errnoValue(r.errno));
      return;
    }
    const input = await ioctlInput(def, request, argAddr, conn);
    const r = await this.run((sys) => sys.ioctl(fd, def, input.fields));
    if (!r.ok) {
      conn.done(-1, errnoValue(r.errno));
      return;
    }
    ioctlOutput(def, request, argAddr, input, r.value, conn);
    conn.done(0, 0);
  }

  private async read(conn: UmockdevConnection, fd: Fd, buf: bigint, count: number): Promise<void> {
    const r = await this.run((sys) => sys.read(fd, count));
    if (!r.ok) {
      conn.done(-1, errnoValue(r.errno));
      return;
    }
    conn.writeMem(buf, r.value);
    conn.done(r.value.length, 0);
  }
}
