/**
 * @internal Fixtures of the GEM memory-manager tests: a KMS test device whose dumb buffers
 * come from the memory manager under test, one buffer made and mapped by the machine's
 * process, and CPU reads and writes through the mapping.
 */
import assert from "node:assert/strict";
import { PAGE_SIZE, type KernelProfile } from "../base/mod.js";
import { step, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  fail,
  ok,
  type Fd,
  type MemResult,
  type SysResult,
} from "../uapi/mod.js";
import { answer, drmMachine, TEST_KMS_DRIVER, type DrmMachine } from "./_testing.js";
import type { DrmDevice } from "./device.js";
import type { DrmDriver } from "./drm_driver.js";
import type { DumbCreateArgs, DumbCreateResult } from "./dumb_buffers.js";
import type { DrmFile } from "./file.js";
import { drmGemHandleCreate, drmGemObjectPut } from "./gem.js";
import { drmGemDmaDumbCreate } from "./gem_dma.js";
import { drmGemShmemCreate, DrmGemShmemObject, drmGemShmemFuncs } from "./gem_shmem.js";
import { drmGemVramDriverDumbCreate } from "./gem_vram.js";

/** A dumb_create of shmem buffers (what drm_gem_shmem_dumb_create() gives at 32 bpp). */
function* shmemDumbCreate(file: DrmFile, arg: DumbCreateArgs): Task<DumbCreateResult> {
  yield step("drm_gem_shmem_dumb_create", [], [file, file.dev]);
  const pitch = arg.width * 4;
  const obj = drmGemShmemCreate(
    file.dev,
    pitch * arg.height,
    (mem, dev, size) => new DrmGemShmemObject(mem, dev, size, drmGemShmemFuncs),
  );
  if (typeof obj === "string") return fail(obj);
  const handle = drmGemHandleCreate(file, obj);
  yield* drmGemObjectPut(obj);
  return ok({ handle, pitch, size: BigInt(obj.sizeBytes) });
}

export const MANAGERS = {
  vram: drmGemVramDriverDumbCreate,
  shmem: shmemDumbCreate,
  dma: drmGemDmaDumbCreate,
} as const;

export type ManagerName = keyof typeof MANAGERS;

export interface MappedBuffer {
  readonly m: DrmMachine;
  readonly dev: DrmDevice;
  readonly fd: Fd;
  /** The buffer's fake offset (MAP_DUMB). */
  readonly offset: bigint;
  /** Where the buffer is mapped (4 pages). */
  readonly addr: bigint;
  /** A new mapping of the whole buffer. */
  map(): SysResult<bigint>;
  read(addr: bigint, length: number): MemResult<Uint8Array>;
  write(addr: bigint, bytes: readonly number[]): MemResult<number>;
}

export const BUFFER_BYTES = 4 * PAGE_SIZE;

/** A card0 of a KMS device whose dumb buffers are `manager`'s, with one 4-page buffer mapped. */
export function mappedBuffer(manager: ManagerName, profile?: KernelProfile): MappedBuffer {
  const m = drmMachine(profile);
  const driver: DrmDriver = { ...TEST_KMS_DRIVER, dumbCreate: MANAGERS[manager] };
  const dev = m.kms(driver);
  const fd = m.open("/dev/dri/card0");
  const created = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
  assert.ok(created.ok, `CREATE_DUMB: ${answer(created)}`);
  const mapped = m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: created.value.handle });
  assert.ok(mapped.ok, `MAP_DUMB: ${answer(mapped)}`);
  const offset = mapped.value.offset;
  const map = (): SysResult<bigint> => m.run(() => m.proc.mmap(fd, offset, BUFFER_BYTES));
  const first = map();
  assert.ok(first.ok, `mmap: ${answer(first)}`);
  return {
    m,
    dev,
    fd,
    offset,
    addr: first.value,
    map,
    read: (addr, length) => m.run(() => m.proc.memRead(addr, length)),
    write: (addr, bytes) => m.run(() => m.proc.memWrite(addr, Uint8Array.from(bytes))),
  };
}

/** The bytes a read gave, or its signal. */
export function bytesOf(r: MemResult<Uint8Array>): number[] | string {
  return r.ok ? [...r.value] : r.signal;
}

/**
 * A card0 of a KMS device of shmem buffers whose offset space is full: 256 buffers of the
 * largest dumb size (0xfffff pages each, handles 1 to 256) and one of the 256 pages left
 * (handle 257), each checked as CREATE_DUMB gives it.
 */
export function fullOffsetSpace(): { m: DrmMachine; dev: DrmDevice; fd: Fd } {
  const m = drmMachine();
  const dev = m.kms({ ...TEST_KMS_DRIVER, dumbCreate: MANAGERS.shmem });
  const fd = m.open("/dev/dri/card0");
  const largest = { width: 1024, height: 0xfffff, bpp: 32 }; // 0xfffff000 bytes
  for (let handle = 1; handle <= 256; handle++) {
    const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, largest);
    assert.deepEqual(r, { ok: true, value: { handle, pitch: 4096, size: 0xfffff000n } });
  }
  const last = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 1024, height: 256, bpp: 32 });
  assert.deepEqual(last, { ok: true, value: { handle: 257, pitch: 4096, size: 256n * 4096n } });
  return { m, dev, fd };
}
