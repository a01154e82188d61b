/**
 * IGT's spinner (lib/igt_dummyload.c) on vtest: a batch that keeps an engine busy until the
 * program ends it by a CPU write into the batch, the GPU load of core_hotunplug's `-with-load`
 * subtests (igt-hotunplug.md, section 1.4).
 *
 * igtSpinNew() makes the batch buffer on the DRM fd (a dumb buffer: a zeroed batch loops),
 * maps it, makes a syncobj for the out-fence and submits the batch with VTEST_SUBMIT_SPIN.
 * igtSpinEnd() writes VTEST_BATCH_END into the batch through the mapping, no ioctl, so it is
 * safe on a file whose device is gone. igtSpinUnmap() is the with-load subtests' clean-up: the
 * mapping goes (munmap(2), no ioctl either) and the buffer and syncobj are left for the fd's
 * close to reclaim, because freeing them would mean ioctls on a dead fd.
 */
import {
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_VTEST_SUBMIT,
  VTEST_BATCH_END,
  VTEST_SUBMIT_SPIN,
  type Call,
  type ErrnoName,
  type Fd,
  type MemResult,
  type SysResult,
  type Syscalls,
} from "../uapi/mod.js";

/** A running spinner: its batch (handle and CPU mapping) and its out-fence's syncobj. */
export interface IgtSpin {
  readonly fd: Fd;
  readonly batch: number;
  readonly addr: bigint;
  readonly sizeBytes: number;
  readonly syncobj: number;
  readonly engine: number;
}

/** One page: 1024 pixels of 32 bits, one row. */
const BATCH_GEOMETRY = { width: 1024, height: 1, bpp: 32 } as const;

/** Which call of igtSpinNew() failed, and how. */
export interface IgtSpinFailure {
  readonly call: string;
  readonly errno: ErrnoName;
}

/**
 * igt_spin_new(): a spinner on `engine` of the device behind `fd` (a primary node: dumb
 * buffers are made there). Returns the spinner, or the call that failed.
 */
export function* igtSpinNew(sys: Syscalls, fd: Fd, engine = 0): Call<IgtSpin | IgtSpinFailure> {
  const bo = yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, BATCH_GEOMETRY);
  if (!bo.ok) return { call: "DRM_IOCTL_MODE_CREATE_DUMB", errno: bo.errno };
  const batch = bo.value.handle;
  const sizeBytes = Number(bo.value.size);
  const map = yield* sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: batch });
  if (!map.ok) return { call: "DRM_IOCTL_MODE_MAP_DUMB", errno: map.errno };
  const addr = yield* sys.mmap(fd, map.value.offset, sizeBytes);
  if (!addr.ok) return { call: "mmap", errno: addr.errno };
  const sync = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 0 });
  if (!sync.ok) return { call: "DRM_IOCTL_SYNCOBJ_CREATE", errno: sync.errno };
  const syncobj = sync.value.handle;
  const args = { engine, flags: VTEST_SUBMIT_SPIN, batch, out_syncobj: syncobj };
  const r = yield* sys.ioctl(fd, DRM_IOCTL_VTEST_SUBMIT, args);
  if (!r.ok) return { call: "DRM_IOCTL_VTEST_SUBMIT", errno: r.errno };
  return { fd, batch, addr: addr.value, sizeBytes, syncobj, engine };
}

/** Whether igtSpinNew() failed. */
export function isSpinFailure(s: IgtSpin | IgtSpinFailure): s is IgtSpinFailure {
  return "errno" in s;
}

/** igt_spin_end(): the batch's end, written through the CPU mapping (little-endian). */
export function* igtSpinEnd(sys: Syscalls, spin: IgtSpin): Call<MemResult<number>> {
  const end = new Uint8Array(4);
  new DataView(end.buffer).setUint32(0, VTEST_BATCH_END, true);
  return yield* sys.memWrite(spin.addr, end);
}

/** The batch's mapping goes; the buffer and the syncobj stay for the fd's close. */
export function* igtSpinUnmap(sys: Syscalls, spin: IgtSpin): Call<SysResult<0>> {
  return yield* sys.munmap(spin.addr, spin.sizeBytes);
}
