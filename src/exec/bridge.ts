/**
 * The bridge: serves umockdev's ioctl sockets from the model. For every emulated node it
 * listens at `$UMOCKDEV_DIR/ioctl/<node path>`; each connection is one open file of the real
 * process, which the lane opens in the model (one model file per open), and whose ioctl() and
 * read() calls it makes there, following the argument's pointers into the client's memory.
 * The client's close() ends the connection: the lane closes the model file. write() on a DRM
 * node fails with EINVAL, as DRM's file operations have no write.
 */
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { dirname } from "node:path";
import type { Process } from "../base/mod.js";
import { errnoValue, ioctlByCmd, type Fd, type SysResult } from "../uapi/mod.js";
import { ioctlInput, ioctlOutput } from "./ioctl_marshal.js";
import type { RealProgramLane } from "./lane.js";
import { REQ_IOCTL, REQ_READ, UmockdevConnection, type Message } from "./umockdev_protocol.js";

export type SimKick = () => void;

/** A private request of vdrm's own shim on the same socket; see native/vdrm_shim.c. */
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

  constructor(
    private readonly root: string,
    private readonly lane: RealProgramLane,
    private readonly kick: SimKick,
  ) {}

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
    const server = createServer((socket) => {
      const served = this.serve(new UmockdevConnection(socket), devnode).catch((e: unknown) => {
        socket.destroy();
        if (!this.lane.done) throw e;
      });
      this.open.add(served);
      void served.finally(() => this.open.delete(served));
    });
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
  }

  private async serve(conn: UmockdevConnection, devnode: string): Promise<void> {
    const opened: SysResult<Fd> = await this.run((sys) => sys.open(devnode));
    for (let m = await conn.nextMessage(); m !== null; m = await conn.nextMessage()) {
      if (!opened.ok) conn.done(-1, errnoValue(opened.errno));
      else await this.call(conn, opened.value, m);
    }
    if (opened.ok) await this.run((sys) => sys.close(opened.value));
  }

  private async call(conn: UmockdevConnection, fd: Fd, m: Message): Promise<void> {
    const request = Number(BigInt.asUintN(32, m.arg1));
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
