/**
 * CPU writes through a mapping of a dumb buffer, before and after the unplug: a program maps a
 * 16-page buffer of the vdisp card, touches every page (the faults are not timed), and makes
 * `writes` writes of 64 bytes, page after page (timed); then it unbinds the driver, which zaps
 * the mapping, touches every page again (the first fault maps the dummy page over the whole
 * mapping) and makes the same writes, which now land on the dummy page (timed). Each write is
 * the whole path of the model: the access step, the page-table lookup, the copy.
 *
 * The run checks what the writes reached: before the unplug each page is its own (a mark
 * written on page 0 is not on page 1), after it every page is the one dummy page.
 */
import { PAGE_SIZE } from "../base/mod.js";
import type { TraceLevel } from "../kernel/mod.js";
import { DRM_IOCTL_MODE_CREATE_DUMB, DRM_IOCTL_MODE_MAP_DUMB } from "../uapi/mod.js";
import type { Call, MemResult, SysResult, Syscalls } from "../uapi/mod.js";
import { BENCH_BDF, BENCH_CARD, BENCH_DRIVER, bootBenchWorld } from "./_world.js";
import { perSecond, row, startStopwatch, summarize, type Row, type Summary } from "./measure.js";

export interface MapWritesOptions {
  /** Writes timed per run, before and after the unplug each. */
  readonly writes: number;
  readonly runs: number;
  readonly trace: TraceLevel;
}

const WHERE = "Cannot bench mapping writes";
const PAGES = 16;
const WRITE_BYTES = 64;
/** 16 pages: 1024 pixels of 32 bits a line, 16 lines. */
const BUFFER = { width: 1024, height: PAGES, bpp: 32 } as const;

export interface MapWritesSample {
  readonly beforeNs: number;
  readonly afterNs: number;
}

function must<T>(what: string, r: SysResult<T>): T {
  if (!r.ok) throw new Error(`${WHERE}: ${what} failed with ${r.errno}`);
  return r.value;
}

function mustAccess<T>(what: string, r: MemResult<T>): T {
  if (!r.ok) throw new Error(`${WHERE}: a ${what} raised ${r.signal}`);
  return r.value;
}

/** `count` writes of WRITE_BYTES at `addr`, each on the next page; wall-clock ns of all. */
function* writeLoop(sys: Syscalls, addr: bigint, count: number, data: Uint8Array): Call<number> {
  const stopwatch = startStopwatch();
  for (let i = 0; i < count; i++) {
    const at = addr + BigInt((i % PAGES) * PAGE_SIZE + ((i * WRITE_BYTES) % PAGE_SIZE));
    mustAccess("write", yield* sys.memWrite(at, data));
  }
  return stopwatch();
}

/** Writes a mark on page 0 and reads page 1: whether page 1 shows it (one page everywhere). */
function* sharedPage(sys: Syscalls, addr: bigint, mark: number): Call<boolean> {
  mustAccess("write", yield* sys.memWrite(addr, new Uint8Array([mark])));
  return mustAccess("read", yield* sys.memRead(addr + BigInt(PAGE_SIZE), 1))[0] === mark;
}

/** One run; throws if the writes did not reach what they should (see the file comment). */
export function mapWritesOnce(o: MapWritesOptions): MapWritesSample {
  const { world } = bootBenchWorld(o.trace);
  let sample: MapWritesSample | null = null;
  const data = new Uint8Array(WRITE_BYTES).fill(0x5a);
  const program = world.spawnProgram("map_writes_bench", function* (sys) {
    const fd = must(`open ${BENCH_CARD}`, yield* sys.open(BENCH_CARD));
    const created = yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, BUFFER);
    const { handle, size } = must("CREATE_DUMB", created);
    const { offset } = must("MAP_DUMB", yield* sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle }));
    const addr = must("mmap", yield* sys.mmap(fd, offset, Number(size)));
    yield* writeLoop(sys, addr, PAGES, data); // fault every page in
    if (yield* sharedPage(sys, addr, 0xa1)) throw new Error(`${WHERE}: pages shared while plugged`);
    const beforeNs = yield* writeLoop(sys, addr, o.writes, data);
    must("unbind", yield* sys.writeFile(`/sys/bus/pci/drivers/${BENCH_DRIVER}/unbind`, BENCH_BDF));
    yield* writeLoop(sys, addr, PAGES, data); // the dummy page is mapped at the first fault
    if (!(yield* sharedPage(sys, addr, 0xa2))) throw new Error(`${WHERE}: no dummy page unplugged`);
    const afterNs = yield* writeLoop(sys, addr, o.writes, data);
    must("munmap", yield* sys.munmap(addr, Number(size)));
    must("close", yield* sys.close(fd));
    sample = { beforeNs, afterNs };
  });
  world.run();
  if (program.task.error !== undefined) throw program.task.error;
  if (sample === null) throw new Error("Cannot bench mapping writes: the program did not finish");
  return sample;
}

export function benchMapWrites(o: MapWritesOptions): Row[] {
  mapWritesOnce(o); // warm-up
  const samples: MapWritesSample[] = [];
  for (let r = 0; r < o.runs; r++) samples.push(mapWritesOnce(o));
  const writesPerSecond = (f: (s: MapWritesSample) => number): Summary =>
    perSecond(summarize(samples.map((s) => f(s) / o.writes)));
  const label = `${WRITE_BYTES}-byte writes through a mapping`;
  const ratio = summarize(samples.map((s) => s.afterNs / s.beforeNs));
  return [
    row(`${label}, plugged (trace=${o.trace})`, writesPerSecond((s) => s.beforeNs), "writes/s"),
    row(`${label}, unplugged (trace=${o.trace})`, writesPerSecond((s) => s.afterNs), "writes/s"),
    row(`${label}: time ratio unplugged/plugged`, ratio, "x"),
  ];
}
