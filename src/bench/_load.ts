/**
 * What a program does to load a machine before it is unplugged: dumb buffers on a card's
 * primary node (some of them mapped and written through, so their pages are present), and
 * fences pending on a vtest card's render node (jobs through the GPU scheduler and on the
 * driver's own timeline, each out-fence in a syncobj of its own). Then the teardown after the unplug: every mapping unmapped, every
 * file closed, which drops the last references to the devices.
 */
import { PAGE_SIZE } from "../base/mod.js";
import {
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_VTEST_JOB,
  DRM_IOCTL_VTEST_SUBMIT,
  VTEST_ENGINE_COUNT,
  type Call,
  type Fd,
  type SysResult,
  type Syscalls,
} from "../uapi/mod.js";

/** How much a machine holds when it is unplugged. */
export interface Load {
  readonly buffers: number;
  /** Buffers mapped and written through (the first ones), at most `buffers`. */
  readonly mappings: number;
  /** Pending fences: half scheduler jobs (VTEST_SUBMIT), half timeline jobs (VTEST_JOB). */
  readonly fences: number;
}

/** What a loaded program holds: its fds and its mappings. */
export interface Held {
  readonly fds: Fd[];
  readonly maps: bigint[];
}

/** A buffer of one page: 32 x 32 pixels of 32 bits. */
const BUFFER = { width: 32, height: 32, bpp: 32 } as const;
/** Long enough never to end within a run: an hour of simulated time, the driver's maximum. */
const JOB_NS = 3_600_000_000_000n;
const MARK = new Uint8Array([0xa5, 0x5a, 0xa5, 0x5a]);

function must<T>(what: string, r: SysResult<T>): T {
  if (!r.ok) throw new Error(`Cannot load the bench machine: ${what} failed with ${r.errno}`);
  return r.value;
}

function* open(sys: Syscalls, path: string, held: Held): Call<Fd> {
  const fd = must(`open ${path}`, yield* sys.open(path));
  held.fds.push(fd);
  return fd;
}

/** `buffers` dumb buffers on the card `node`; the first `mappings` mapped and written to. */
export function* loadBuffers(sys: Syscalls, node: string, load: Load, held: Held): Call<void> {
  const fd = yield* open(sys, node, held);
  for (let i = 0; i < load.buffers; i++) {
    const created = yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, BUFFER);
    const { handle } = must("CREATE_DUMB", created);
    if (i >= load.mappings) continue;
    const { offset } = must("MAP_DUMB", yield* sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle }));
    const addr = must("mmap", yield* sys.mmap(fd, offset, PAGE_SIZE));
    held.maps.push(addr);
    const w = yield* sys.memWrite(addr, MARK);
    if (!w.ok) throw new Error(`Cannot load the bench machine: a write raised ${w.signal}`);
  }
}

function* syncobj(sys: Syscalls, fd: Fd): Call<number> {
  const r = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 0 });
  return must("SYNCOBJ_CREATE", r).handle;
}

/**
 * `fences` pending fences on the vtest render node `node`, each in a syncobj of its own: half
 * are scheduler jobs spread over the engines (two run on each engine, the rest wait in the
 * file's entities), half are jobs of the driver's own timeline (a timer each).
 */
export function* loadFences(sys: Syscalls, node: string, load: Load, held: Held): Call<void> {
  const fd = yield* open(sys, node, held);
  const submits = Math.ceil(load.fences / 2);
  for (let i = 0; i < load.fences; i++) {
    const out = yield* syncobj(sys, fd);
    if (i < submits) {
      const engine = i % VTEST_ENGINE_COUNT;
      const arg = { duration_ns: JOB_NS, engine, flags: 0, in_syncobj: 0, out_syncobj: out };
      must("VTEST_SUBMIT", yield* sys.ioctl(fd, DRM_IOCTL_VTEST_SUBMIT, arg));
    } else {
      const arg = { duration_ns: JOB_NS, out_syncobj: out };
      must("VTEST_JOB", yield* sys.ioctl(fd, DRM_IOCTL_VTEST_JOB, arg));
    }
  }
}

/** Unmaps every mapping and closes every file the program holds. */
export function* teardown(sys: Syscalls, held: Held): Call<void> {
  for (const addr of held.maps) must("munmap", yield* sys.munmap(addr, PAGE_SIZE));
  for (const fd of held.fds) must("close", yield* sys.close(fd));
}
