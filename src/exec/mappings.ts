/**
 * mmap() of a DRM fd by a real process, through vdrm's shim (native/shim/mmap.c): the shim
 * asks the bridge with a private ioctl on the fd's own socket (VDRM_SHIM_MMAP); the lane maps
 * the offset in the model, and the real process maps a file of the testbed that mirrors the
 * model's mapping. The mirror is kept in step both ways:
 * - into the model: pages the real process changed are written through the model's mapping
 *   (CPU writes) before each of its calls and before the simulation runs on;
 * - out of the model: after each call, and when the model zaps the mapping (unplug), its pages
 *   are read through the model's mapping, faulting as the memory manager does, and written
 *   to the file: after an unplug a TTM-like mapping shows the zeroed dummy page and absorbs
 *   writes, a shmem one keeps its data. A new mmap fails as the model says (ENODEV).
 * A fault the model cannot resolve (SIGBUS) is sent to the real process.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Process } from "../base/mod.js";
import type { Sim } from "../kernel/mod.js";
import { errnoValue, ioc, IOC_READ, IOC_WRITE, type Fd } from "../uapi/mod.js";
import type { ShimHandler } from "./bridge.js";
import type { Message, UmockdevConnection } from "./umockdev_protocol.js";

const SHIM_MAGIC = 0x76; // 'v'
const PAGE = 4096;
/** struct vdrm_shim_mmap { __u64 offset; __u64 length; char path[240]; }: in offset, length; out id, path. */
export const VDRM_SHIM_MMAP = ioc(IOC_READ | IOC_WRITE, SHIM_MAGIC, 0x01, 256);
/** struct vdrm_shim_munmap { __u64 id; __u64 length; } */
export const VDRM_SHIM_MUNMAP = ioc(IOC_WRITE, SHIM_MAGIC, 0x02, 16);

interface Mirror {
  readonly id: number;
  readonly path: string;
  readonly addr: bigint;
  readonly length: number;
  snapshot: Uint8Array;
}

type LaneRun = <T>(fn: (sys: Process) => Generator<unknown, T, unknown>) => Promise<T>;

function changedPages(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let p = 0; p * PAGE < a.length; p++) {
    const end = Math.min(a.length, (p + 1) * PAGE);
    if (Buffer.compare(a.subarray(p * PAGE, end), b.subarray(p * PAGE, end)) !== 0) out.push(p);
  }
  return out;
}

export class MappingMirrors implements ShimHandler {
  private readonly mirrors = new Map<number, Mirror>();
  private nextId = 1;
  private syncingOut = false;

  constructor(
    private readonly dir: string,
    private readonly sim: Sim,
    private readonly lane: () => Process,
    private readonly run: LaneRun,
    private readonly onSignal: (signal: "SIGBUS" | "SIGSEGV") => void,
  ) {}

  /** Whether the real process has a mapping. */
  get active(): boolean {
    return this.mirrors.size > 0;
  }

  handles(request: number): boolean {
    return request === VDRM_SHIM_MMAP || request === VDRM_SHIM_MUNMAP;
  }

  async serve(conn: UmockdevConnection, fd: Fd, m: Message): Promise<void> {
    const request = Number(BigInt.asUintN(32, m.arg1));
    const arg = Buffer.from(await conn.readMem(m.arg2, 16));
    if (request === VDRM_SHIM_MUNMAP) {
      await this.unmap(Number(arg.readBigUInt64LE(0)));
      conn.done(0, 0);
      return;
    }
    const offset = arg.readBigUInt64LE(0);
    const length = Number(arg.readBigUInt64LE(8));
    const r = await this.run((sys) => sys.mmap(fd, offset, length));
    if (!r.ok) {
      conn.done(-1, errnoValue(r.errno));
      return;
    }
    const id = this.nextId++;
    mkdirSync(this.dir, { recursive: true });
    const mirror: Mirror = { id, path: `${this.dir}/map${id}`, addr: r.value, length, snapshot: new Uint8Array(length) };
    writeFileSync(mirror.path, mirror.snapshot);
    this.mirrors.set(id, mirror);
    await this.pullOne(mirror);
    const out = Buffer.alloc(256);
    out.writeBigUInt64LE(BigInt(id), 0);
    out.writeBigUInt64LE(BigInt(length), 8);
    out.write(mirror.path, 16, 239, "utf8");
    conn.writeMem(m.arg2, out);
    conn.done(0, 0);
  }

  private async unmap(id: number): Promise<void> {
    const mirror = this.mirrors.get(id);
    if (mirror === undefined) return;
    await this.pushOne(mirror);
    this.mirrors.delete(id);
    await this.run((sys) => sys.munmap(mirror.addr, mirror.length));
    rmSync(mirror.path, { force: true });
  }

  /** The real process's writes since the last sync, into the model (CPU writes). */
  async push(): Promise<void> {
    for (const m of this.mirrors.values()) await this.pushOne(m);
  }

  /** The pages the real process changed since the last sync, or none. */
  private changed(m: Mirror): { now: Uint8Array; pages: number[] } {
    const now = new Uint8Array(readFileSync(m.path));
    return { now, pages: changedPages(now, m.snapshot) };
  }

  private async pushOne(m: Mirror): Promise<void> {
    const { now, pages } = this.changed(m);
    m.snapshot = now;
    for (const p of pages) {
      const bytes = now.slice(p * PAGE, Math.min(now.length, (p + 1) * PAGE));
      const r = await this.run((sys) => sys.memWrite(m.addr + BigInt(p * PAGE), bytes));
      if (!r.ok) return this.onSignal(r.signal);
    }
  }

  /** The model's view of every mapping, into the files the real process maps. */
  async pull(): Promise<void> {
    for (const m of this.mirrors.values()) await this.pullOne(m);
  }

  private async pullOne(m: Mirror): Promise<void> {
    const r = await this.run((sys) => sys.memRead(m.addr, m.length));
    if (!r.ok) return this.onSignal(r.signal);
    const pages = changedPages(r.value, m.snapshot);
    if (pages.length === 0) return;
    const file = new Uint8Array(readFileSync(m.path));
    for (const p of pages) file.set(r.value.subarray(p * PAGE, Math.min(m.length, (p + 1) * PAGE)), p * PAGE);
    writeFileSync(m.path, file);
    m.snapshot = r.value;
  }

  /** Whether the real process changed a mirror since the last sync. */
  dirty(): boolean {
    for (const m of this.mirrors.values()) if (this.changed(m).pages.length > 0) return true;
    return false;
  }

  /** Whether the model zapped a mapping (some page no longer present in its page table). */
  zapped(): boolean {
    const process = this.lane();
    return this.sim.observe(() => [...this.mirrors.values()].some((m) => {
      const vma = process.mm.findStart(m.addr);
      return vma !== undefined && vma.ptes.size < vma.pages;
    }));
  }

  /** After the simulation ran: a zapped mapping is pulled again (once at a time). */
  afterRun(): Promise<void> {
    if (this.syncingOut || this.mirrors.size === 0 || !this.zapped()) return Promise.resolve();
    this.syncingOut = true;
    return this.pull().finally(() => void (this.syncingOut = false));
  }

  close(): void {
    for (const m of this.mirrors.values()) rmSync(m.path, { force: true });
  }
}
