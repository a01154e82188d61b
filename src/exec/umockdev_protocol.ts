/**
 * umockdev's ioctl socket protocol (0.17), the handler's side. A program under umockdev's
 * preload that opens an emulated node connects to `$UMOCKDEV_DIR/ioctl/<node path>`, one
 * connection per open file, and forwards its ioctl(), read() and write() calls on the file as
 * messages of three little-endian u64 words: the client asks (IOCTL request, argument address;
 * READ or WRITE buffer address, count), the handler may read or write the client's memory
 * (READ_MEM: the client sends the bytes; WRITE_MEM: the handler sends them after the words),
 * and ends the call with DONE(return value, errno). The client's close() closes the connection.
 *
 * vdrm's shim (native/shim/channel.c) speaks the same words on its own channels, and one more
 * request: IOCTL_ARG(request, argument address, byte count) followed by those bytes, the
 * argument struct sent with the call. Reads of the client's memory within it are answered
 * from those bytes, without a crossing; what the handler sends back (memory writes and DONE)
 * goes in one write at the end of the call.
 *
 * @see remote_emulate() in umockdev's src/libumockdev-preload.c; UMockdev.IoctlBase
 */
import type { Socket } from "node:net";

export const REQ_IOCTL = 1n;
export const REQ_READ = 7n;
export const REQ_WRITE = 8n;
/** vdrm's shim's ioctl with its argument struct (four words, then the bytes). */
export const REQ_IOCTL_ARG = 0x101n;
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
/** The most argument bytes an IOCTL_ARG carries (_IOC_SIZE is 14 bits). */
const ARG_BYTES_MAX = 1 << 14;

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
  /** The argument struct the current call came with. */
  private prefetched: { addr: bigint; bytes: Buffer } | null = null;
  /** What the handler sends, kept until the call needs an answer or is done. */
  private out: Buffer[] = [];

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

  /**
   * The client's next request, or null at its close. An IOCTL_ARG is given as an IOCTL, its
   * argument bytes kept for the call's memory reads.
   */
  async nextMessage(): Promise<Message | null> {
    this.prefetched = null;
    const b = await this.read(WORDS_BYTES);
    if (b === null) return null;
    const m = {
      cmd: b.readBigUInt64LE(0), arg1: b.readBigUInt64LE(8), arg2: b.readBigUInt64LE(16),
    };
    if (m.cmd !== REQ_IOCTL_ARG) return m;
    const count = await this.read(8);
    const n = count === null ? 0 : Number(count.readBigUInt64LE(0));
    if (count === null || n > ARG_BYTES_MAX) return null;
    const bytes = await this.read(n);
    if (bytes === null) return null;
    this.prefetched = { addr: m.arg2, bytes: Buffer.from(bytes) };
    return { cmd: REQ_IOCTL, arg1: m.arg1, arg2: m.arg2 };
  }

  /** The bytes at [addr, addr + length) when the call's argument holds them all. */
  private fromArgument(addr: bigint, length: number): Uint8Array | null {
    const p = this.prefetched;
    if (p === null || addr < p.addr) return null;
    const at = Number(addr - p.addr);
    return at + length <= p.bytes.length ? new Uint8Array(p.bytes.subarray(at, at + length)) : null;
  }

  /** `length` bytes of the client's memory at `addr` (it must be mapped there). */
  async readMem(addr: bigint, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const known = this.fromArgument(addr, length);
    if (known !== null) return known;
    this.send(words(RES_READ_MEM, addr, BigInt(length)));
    const b = await this.read(length);
    if (b === null) throw new Error("the client closed its ioctl socket during a memory read");
    return new Uint8Array(b);
  }

  /** Writes `data` into the client's memory at `addr` (sent with the call's next answer). */
  writeMem(addr: bigint, data: Uint8Array): void {
    if (data.length === 0) return;
    this.out.push(words(RES_WRITE_MEM, addr, BigInt(data.length)), Buffer.from(data));
  }

  /** Ends the call: what it returns, and errno (0 on success). */
  done(ret: number | bigint, errno: number): void {
    this.send(words(RES_DONE, BigInt(ret), BigInt(errno)));
  }

  /** Sends `last` after what is kept, in one write. */
  private send(last: Buffer): void {
    this.out.push(last);
    const all = this.out.length === 1 ? last : Buffer.concat(this.out);
    this.out = [];
    this.socket.write(all);
  }
}
