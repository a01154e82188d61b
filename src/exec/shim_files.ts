/**
 * The real process's open DRM files as vdrm's shim (native/shim/) sees them, for what
 * umockdev 0.17 does not do: a faster channel for the calls, poll() (select, epoll) and dup().
 *
 * Every file the bridge serves has an id, which the shim asks with a private ioctl
 * (VDRM_SHIM_ID) on the fd. Then:
 * - calls: the shim connects to `vdrm-call` with the id of a file it opened, and the
 *   connection then carries that file's calls (the argument struct sent with each ioctl,
 *   umockdev_protocol.ts); the file stays the umockdev connection's, closed when it ends;
 * - poll: the shim asks the ready mask with VDRM_SHIM_POLL; the lane polls the model's file
 *   without waiting and, the first time, watches it as epoll does (vfsPollWatch()). To sleep,
 *   the shim polls a socket of its own instead of the fd (connected to `vdrm-wake` with the
 *   file's id), on which the bridge writes a byte when the model's file woke its wait queue
 *   and is ready; the shim then asks the mask again.
 * - dup: the shim connects to `vdrm-dup` with the id of the file duplicated; the lane dups
 *   its model fd (one open file, two fds), and the connection then carries the copy's calls
 *   in umockdev's protocol, which the shim speaks itself for the copy.
 */
import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { PollWatch } from "../base/mod.js";
import type { Sim } from "../kernel/mod.js";
import { ioc, IOC_READ, IOC_WRITE, POLLERR, POLLHUP, type Fd } from "../uapi/mod.js";
import type { UmockdevConnection } from "./umockdev_protocol.js";

const SHIM_MAGIC = 0x76; // 'v'
/** __u64 id: the file's id, out. */
export const VDRM_SHIM_ID = ioc(IOC_READ, SHIM_MAGIC, 0x03, 8);
/** struct { __u32 events; __u32 revents; }: the events asked, in; the ready mask, out. */
export const VDRM_SHIM_POLL = ioc(IOC_READ | IOC_WRITE, SHIM_MAGIC, 0x04, 8);

/** A file of the real process: its fd in the lane, and how its poll is watched. */
export interface ShimFile {
  readonly id: number;
  readonly fd: Fd;
  events: number;
  watch: PollWatch | null;
  woken: boolean;
  waker: Socket | null;
}

/**
 * Reads the `n` bytes a connection begins with, then pauses the socket for its next reader
 * (the shim sends nothing more before the answer to them).
 */
function firstBytes(socket: Socket, n: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      if (got.length < n) return;
      socket.off("data", onData);
      socket.pause();
      if (got.length > n) socket.unshift(got.subarray(n));
      resolve(got.subarray(0, n));
    };
    socket.on("data", onData);
    socket.once("close", () => resolve(null));
  });
}

export class ShimFiles {
  private readonly files = new Map<number, ShimFile>();
  private readonly servers: Server[] = [];
  private nextId = 1;

  constructor(private readonly root: string, private readonly sim: Sim) {}

  add(fd: Fd): ShimFile {
    const file: ShimFile = { id: this.nextId++, fd, events: 0, watch: null, woken: false, waker: null };
    this.files.set(file.id, file);
    return file;
  }

  get(id: number): ShimFile | undefined {
    return this.files.get(id);
  }

  remove(file: ShimFile): void {
    file.watch?.remove();
    file.waker?.destroy();
    this.files.delete(file.id);
  }

  /** Serves `vdrm-wake`, `vdrm-call` and `vdrm-dup` (each connection begins with a file's id). */
  async listen(
    onDup: (conn: Socket, orig: ShimFile | undefined, cloexec: boolean) => void,
    onCall: (conn: Socket, file: ShimFile | undefined) => void,
  ): Promise<void> {
    await this.server("vdrm-wake", async (socket) => {
      const hello = await firstBytes(socket, 8);
      const file = hello === null ? undefined : this.files.get(Number(hello.readBigUInt64LE(0)));
      if (file === undefined) return void socket.destroy();
      file.waker = socket;
      socket.resume();
      socket.write(Buffer.alloc(8)); // registered: the shim may sleep on it now
    });
    await this.server("vdrm-call", async (socket) => {
      const hello = await firstBytes(socket, 16);
      if (hello === null) return;
      onCall(socket, this.files.get(Number(hello.readBigUInt64LE(0))));
    });
    await this.server("vdrm-dup", async (socket) => {
      const hello = await firstBytes(socket, 16);
      if (hello === null) return;
      onDup(socket, this.files.get(Number(hello.readBigUInt64LE(0))), hello.readBigUInt64LE(8) !== 0n);
    });
  }

  private async server(name: string, onConnection: (s: Socket) => Promise<void>): Promise<void> {
    const path = `${this.root}/${name}`;
    rmSync(path, { force: true });
    const server = createServer((s) => void onConnection(s).catch(() => s.destroy()));
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
  }

  /** After the simulation ran: a woken file that is ready wakes the shim's poll. */
  afterRun(): void {
    for (const f of this.files.values()) {
      if (!f.woken || f.watch === null || f.waker === null) continue;
      f.woken = false;
      const watch = f.watch;
      const ready = this.sim.observe(() => watch.mask()) & (f.events | POLLERR | POLLHUP);
      if (ready !== 0) f.waker.write(Buffer.of(1));
    }
  }

  /** Answers VDRM_SHIM_ID: the file's id. */
  static answerId(conn: UmockdevConnection, arg: bigint, file: ShimFile): void {
    const out = Buffer.alloc(8);
    out.writeBigUInt64LE(BigInt(file.id), 0);
    conn.writeMem(arg, out);
    conn.done(0, 0);
  }

  close(): void {
    for (const f of [...this.files.values()]) this.remove(f);
    for (const s of this.servers) s.close();
  }
}
