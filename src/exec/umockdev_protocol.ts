/**
 * umockdev's ioctl socket protocol (0.17), the handler's side. A program under umockdev's
 * preload that opens an emulated node connects to `$UMOCKDEV_DIR/ioctl/<node path>`, one
 * connection per open file, and forwards its ioctl(), read() and write() calls on the file as
 * messages of three little-endian u64 words: the client asks (IOCTL request, argument address;
 * READ or WRITE buffer address, count), the handler may read or write the client's memory
 * (READ_MEM: the client sends the bytes; WRITE_MEM: the handler sends them after the words),
 * and ends the call with DONE(return value, errno). The client's close() closes the connection.
 *
 * @see remote_emulate() in umockdev's src/libumockdev-preload.c; UMockdev.IoctlBase
 */
import type { Socket } from "node:net";

export const REQ_IOCTL = 1n;
export const REQ_READ = 7n;
export const REQ_WRITE = 8n;
export const RES_DONE = 3n;
export const RES_READ_MEM = 5n;
export const RES_WRITE_MEM = 6n;

/** A message: the three words. */
export interface Message {
  readonly cmd: bigint;
  readonly arg1: bigint;
  readonly arg2: bigint;
}

const WORDS_BYTES = 24;

function words(cmd: bigint, arg1: bigint, arg2: bigint): Buffer {
  const b = Buffer.alloc(WORDS_BYTES);
  b.writeBigUInt64LE(BigInt.asUintN(64, cmd), 0);
  b.writeBigUInt64LE(BigInt.asUintN(64, arg1), 8);
  b.writeBigUInt64LE(BigInt.asUintN(64, arg2), 16);
  return b;
}

/**
 * One connection: reads exact byte counts from the stream and writes messages. The client
 * waits for each answer, so nothing arrives that was not asked for within a call.
 */
export class UmockdevConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private want: { n: number; resolve: (b: Buffer | null) => void } | null = null;
  private ended = false;

  constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buffered = this.buffered.length === 0 ? d : Buffer.concat([this.buffered, d]);
      this.feed();
    });
    const end = (): void => {
      this.ended = true;
      this.feed();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  private feed(): void {
    const w = this.want;
    if (w === null) return;
    if (this.buffered.length >= w.n) {
      this.want = null;
      const out = this.buffered.subarray(0, w.n);
      this.buffered = this.buffered.subarray(w.n);
      w.resolve(out);
    } else if (this.ended) {
      this.want = null;
      w.resolve(null);
    }
  }

  /** `n` bytes, or null when the client closed the connection first. */
  private read(n: number): Promise<Buffer | null> {
    return new Promise((resolve) => {
      this.want = { n, resolve };
      this.feed();
    });
  }

  /** The client's next request, or null at its close. */
  async nextMessage(): Promise<Message | null> {
    const b = await this.read(WORDS_BYTES);
    if (b === null) return null;
    return { cmd: b.readBigUInt64LE(0), arg1: b.readBigUInt64LE(8), arg2: b.readBigUInt64LE(16) };
  }

  /** `length` bytes of the client's memory at `addr` (it must be mapped there). */
  async readMem(addr: bigint, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    this.socket.write(words(RES_READ_MEM, addr, BigInt(length)));
    const b = await this.read(length);
    if (b === null) throw new Error("the client closed its ioctl socket during a memory read");
    return new Uint8Array(b);
  }

  /** Writes `data` into the client's memory at `addr`. */
  writeMem(addr: bigint, data: Uint8Array): void {
    if (data.length === 0) return;
    this.socket.write(Buffer.concat([words(RES_WRITE_MEM, addr, BigInt(data.length)), data]));
  }

  /** Ends the call: what it returns, and errno (0 on success). */
  done(ret: number | bigint, errno: number): void {
    this.socket.write(words(RES_DONE, BigInt(ret), BigInt(errno)));
  }
}
