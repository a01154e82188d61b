/**
 * PRIME and dma-bufs at the boundary a program sees: the fds and handles the two ioctls give,
 * what /proc/self/fdinfo says of a dma-buf, the bytes its mappings read and write, errno
 * values, and how long a dma-buf keeps its exporting device (R14, R54, R94, R95).
 *
 * @see drivers/gpu/drm/drm_prime.c, drivers/dma-buf/dma-buf.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PAGE_SIZE } from "../base/mod.js";
import {
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
  DMA_BUF_IOCTL_SYNC,
  DMA_BUF_SET_NAME,
  DRM_CLOEXEC,
  DRM_IOCTL_GEM_CLOSE,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_PRIME_FD_TO_HANDLE,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_RDWR,
  POLLIN,
  type Fd,
} from "../uapi/mod.js";
import { answer, drmMachine, liveCount, TEST_KMS_DRIVER, type DrmMachine } from "./_testing.js";
import { drmDevPut, drmDevUnplug, type DrmDevice } from "./device.js";
import type { DrmDriver } from "./drm_driver.js";
import { drmGemDmaDumbCreate } from "./gem_dma.js";
import { drmPrimeDestroyFilePrivate } from "./prime_file.js";
import { drmGemPrimeImportSgTable } from "./prime_import.js";

/**
 * A driver of DMA-helper buffers, which other devices can import (their pages are shared), and
 * which imports theirs. TEST_KMS_DRIVER's VRAM buffers do neither, as Linux's bochs.
 */
const SHARING_DRIVER: DrmDriver = {
  ...TEST_KMS_DRIVER,
  name: "drmtestdma",
  dumbCreate: drmGemDmaDumbCreate,
  gemPrimeImportSgTable: drmGemPrimeImportSgTable,
};

const SIZE = 16384;
const RW = DRM_CLOEXEC | DRM_RDWR;

/** A 64x64x32 dumb buffer (16 KiB) in `fd`: its handle. */
function dumb(m: DrmMachine, fd: Fd): number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
  assert.ok(r.ok);
  return r.value.handle;
}

function exportFd(m: DrmMachine, fd: Fd, handle: number, flags = RW): Fd {
  const r = m.ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, { handle, flags });
  assert.ok(r.ok, r.ok ? "" : r.errno);
  return r.value.fd as Fd;
}

function importFd(m: DrmMachine, fd: Fd, dmabufFd: Fd): number | string {
  const r = m.ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, { fd: dmabufFd });
  return r.ok ? r.value.handle : r.errno;
}

function fdinfo(m: DrmMachine, fd: Fd): string {
  const r = m.run(() => m.proc.readFile(`/proc/self/fdinfo/${fd}`));
  assert.ok(r.ok);
  return r.value;
}

function countOf(m: DrmMachine, fd: Fd): number {
  return Number(/count:\t(\d+)/.exec(fdinfo(m, fd))?.[1]);
}

function mmap(m: DrmMachine, fd: Fd, offset = 0n): bigint | string {
  const r = m.run(() => m.proc.mmap(fd, offset, SIZE));
  return r.ok ? r.value : r.errno;
}

function mapped(m: DrmMachine, fd: Fd, offset = 0n): bigint {
  const addr = mmap(m, fd, offset);
  assert.equal(typeof addr, "bigint", `mmap: ${String(addr)}`);
  return addr as bigint;
}

function fill(m: DrmMachine, addr: bigint, byte: number): void {
  const r = m.run(() => m.proc.memWrite(addr, new Uint8Array(SIZE).fill(byte)));
  assert.ok(r.ok);
}

/** The bytes a mapping reads, as the set of distinct values in it. */
function bytesAt(m: DrmMachine, addr: bigint): number[] {
  const r = m.run(() => m.proc.memRead(addr, SIZE));
  assert.ok(r.ok);
  return [...new Set(r.value)];
}

function close(m: DrmMachine, fd: Fd): void {
  assert.equal(answer(m.run(() => m.proc.close(fd))), "ok");
}

/** A registered sharing device with card `card` open: the device and the fd. */
function sharing(m: DrmMachine, card: number): { dev: DrmDevice; fd: Fd } {
  const dev = m.registered(SHARING_DRIVER);
  return { dev, fd: m.open(`/dev/dri/card${card}`) };
}

/** A registered device of VRAM buffers (TTM's dummy page after unplug), card `card` open. */
function vram(m: DrmMachine, card: number): { dev: DrmDevice; fd: Fd } {
  const dev = m.registered(TEST_KMS_DRIVER);
  return { dev, fd: m.open(`/dev/dri/card${card}`) };
}

describe("drm_prime_handle_to_fd_ioctl()", () => {
  test("exporting a handle twice gives two fds of one dma-buf; its fdinfo counts the fds, the object's and the file's references", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const handle = dumb(m, fd);
    const a = exportFd(m, fd, handle);
    assert.equal(fdinfo(m, a), "pos:\t0\nflags:\t02000002\nsize:\t16384\ncount:\t3\nexp_name:\tdrm\n");
    const b = exportFd(m, fd, handle, DRM_RDWR);
    assert.notEqual(a, b);
    assert.equal(answer(m.ioctl(a, DMA_BUF_SET_NAME, { name: "scanout" })), "ok");
    // The same file behind both fds: one name, one count, and the flags the file was made with
    // at the first export (exp_info.flags, O_CLOEXEC included), whatever the second asked.
    assert.equal(fdinfo(m, b), "pos:\t0\nflags:\t02000002\nsize:\t16384\ncount:\t4\n" +
      "exp_name:\tdrm\nname:\tscanout\n");
    assert.equal(countOf(m, a), 4);
    assert.equal(importFd(m, fd, b), handle, "importing it back gives the handle it came from");
    close(m, b);
    assert.equal(countOf(m, a), 3);
    assert.equal(m.finishClean(dev), 0);
  });

  test("flags other than DRM_CLOEXEC and DRM_RDWR are EINVAL, an unknown handle ENOENT", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const handle = dumb(m, fd);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, { handle, flags: 0o4000 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, { handle: 9, flags: RW })), "ENOENT");
    assert.equal(liveCount(m, "dma_buf"), 0);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a closed handle's dma-buf lives on its own fd; exporting another handle makes another dma-buf", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const first = dumb(m, fd);
    const a = exportFd(m, fd, first);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_GEM_CLOSE, { handle: first })), "ok");
    assert.equal(countOf(m, a), 1, "only the fd is left");
    assert.equal(liveCount(m, "drm_gem_object"), 1, "the dma-buf holds the object");
    exportFd(m, fd, dumb(m, fd));
    assert.equal(liveCount(m, "dma_buf"), 2);
    close(m, a);
    assert.equal(liveCount(m, "dma_buf"), 1);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("mapping a dma-buf", () => {
  test("its mapping and the card's are the same memory, both ways", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const handle = dumb(m, fd);
    const off = m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle });
    assert.ok(off.ok);
    const card = mapped(m, fd, off.value.offset);
    const buf = mapped(m, exportFd(m, fd, handle));
    fill(m, card, 0x11);
    assert.deepEqual(bytesAt(m, buf), [0x11]);
    fill(m, buf, 0x22);
    assert.deepEqual(bytesAt(m, card), [0x22]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("an offset into the buffer, past its end or a buffer exported read-only cannot be mapped", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const handle = dumb(m, fd);
    const rw = exportFd(m, fd, handle);
    assert.equal(mmap(m, rw, BigInt(PAGE_SIZE)), "EINVAL");
    const big = m.run(() => m.proc.mmap(rw, 0n, SIZE + PAGE_SIZE));
    assert.equal(answer(big), "EINVAL");
    // Exported without DRM_RDWR: a read-only file; the model's shared writable mapping is EACCES.
    assert.equal(mmap(m, exportFd(m, fd, dumb(m, fd), DRM_CLOEXEC)), "EACCES");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("a dma-buf after its device is unplugged", () => {
  test("the fd works, mappings fault onto dummy pages of their own, PRIME ioctls are ENODEV (R54, R95)", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const handle = dumb(m, fd);
    const buf = exportFd(m, fd, handle);
    const old = mapped(m, buf);
    fill(m, old, 0x5a);
    m.run(() => drmDevUnplug(dev));
    assert.deepEqual(bytesAt(m, old), [0], "zapped: the dummy page");
    fill(m, old, 0x33);
    assert.deepEqual(bytesAt(m, old), [0x33]);
    const fresh = mapped(m, buf);
    assert.deepEqual(bytesAt(m, fresh), [0], "a new mapping has its own dummy page");
    assert.equal(answer(m.ioctl(buf, DMA_BUF_IOCTL_SYNC, { flags: 3n })), "ok");
    const sync = m.ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, { flags: 3 });
    assert.ok(sync.ok);
    assert.deepEqual(m.run(() => m.proc.poll(sync.value.fd as Fd, POLLIN, 0)), { ok: true, value: POLLIN });
    assert.equal(importFd(m, fd, buf), "ENODEV");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, { handle, flags: RW })), "ENODEV");
    assert.equal(m.finishClean(dev), 0);
  });

  test("the dma-buf alone keeps the device: its final put waits for the dma-buf's close (R14)", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const buf = exportFd(m, fd, dumb(m, fd));
    m.run(() => drmDevUnplug(dev));
    m.run(() => drmDevPut(dev)); // the driver's reference
    close(m, fd);
    assert.equal(liveCount(m, "drm_device"), 1);
    close(m, buf);
    assert.equal(liveCount(m, "drm_device"), 0);
    assert.equal(m.sim.reportLeaks(), 0);
  });
});

describe("drm_prime_fd_to_handle_ioctl()", () => {
  test("another file of the exporting device gets a handle to the object itself, not a new object", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const other = m.open("/dev/dri/card0");
    const dmabuf = exportFd(m, fd, dumb(m, fd));
    assert.equal(typeof importFd(m, other, dmabuf), "number");
    assert.equal(liveCount(m, "drm_gem_object"), 1);
    assert.equal(m.finishClean(dev), 0);
  });

  test("another device imports a new object holding the dma-buf; twice gives the same handle; it exports as the same buffer", () => {
    const m = drmMachine();
    const a = sharing(m, 0);
    const b = sharing(m, 1);
    const buf = exportFd(m, a.fd, dumb(m, a.fd));
    assert.equal(importFd(m, b.fd, buf), 1);
    assert.equal(importFd(m, b.fd, buf), 1);
    assert.equal(liveCount(m, "drm_gem_object"), 2);
    assert.equal(liveCount(m, "dma_buf_attachment"), 1);
    const again = exportFd(m, b.fd, 1);
    assert.equal(importFd(m, a.fd, again), 1, "the exporter's own buffer, back to its handle");
    // MAP_DUMB does not map an imported object: its dma-buf does.
    assert.equal(answer(m.ioctl(b.fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: 1 })), "EINVAL");
    assert.equal(answer(m.ioctl(b.fd, DRM_IOCTL_GEM_CLOSE, { handle: 1 })), "ok");
    assert.equal(liveCount(m, "dma_buf_attachment"), 0);
    m.run(() => drmDevPut(b.dev));
    assert.equal(m.finishClean(a.dev), 0);
  });

  test("VRAM buffers cannot be attached to another device (no get_sg_table): ENOSYS; a driver without import: EINVAL", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const shared = sharing(m, 1);
    const buf = exportFd(m, fd, dumb(m, fd));
    assert.equal(importFd(m, shared.fd, buf), "ENOSYS");
    assert.equal(importFd(m, fd, exportFd(m, shared.fd, dumb(m, shared.fd))), "EINVAL");
    assert.equal(importFd(m, fd, buf), 1, "its own buffer: the object it exported");
    assert.deepEqual(m.warnings(), []);
    m.run(() => drmDevPut(shared.dev));
    assert.equal(m.finishClean(dev), 0);
  });

  test("a driver whose import fails (ENOMEM): the errno, and the attachment and the reference it took are let go", () => {
    const m = drmMachine();
    const a = sharing(m, 0);
    const failing: DrmDriver = {
      ...SHARING_DRIVER,
      name: "drmtestfail",
      *gemPrimeImportSgTable() {
        return "ENOMEM";
      },
    };
    const b = { dev: m.registered(failing), fd: m.open("/dev/dri/card1") };
    const buf = exportFd(m, a.fd, dumb(m, a.fd));
    const count = countOf(m, buf);
    assert.equal(importFd(m, b.fd, buf), "ENOMEM");
    assert.equal(importFd(m, b.fd, buf), "ENOMEM", "again: nothing of the first try is left in the file");
    assert.equal(countOf(m, buf), count, "the dma-buf has the references it had");
    assert.equal(liveCount(m, "dma_buf_attachment"), 0);
    assert.equal(liveCount(m, "sg_table"), 0);
    assert.equal(liveCount(m, "drm_gem_object"), 1);
    m.run(() => drmDevPut(b.dev));
    assert.equal(m.finishClean(a.dev), 0);
  });

  test("an fd that is not open is EBADF, one that is not a dma-buf EINVAL", () => {
    const m = drmMachine();
    const { dev, fd } = sharing(m, 0);
    assert.equal(importFd(m, fd, 99 as Fd), "EBADF");
    assert.equal(importFd(m, fd, fd), "EINVAL");
    assert.equal(m.finishClean(dev), 0);
  });

  test("an importer's object keeps the exporting device after every fd of it is closed", () => {
    const m = drmMachine();
    const a = sharing(m, 0);
    const b = sharing(m, 1);
    const buf = exportFd(m, a.fd, dumb(m, a.fd));
    assert.equal(importFd(m, b.fd, buf), 1);
    m.run(() => drmDevUnplug(a.dev));
    m.run(() => drmDevPut(a.dev));
    close(m, buf);
    close(m, a.fd);
    assert.equal(liveCount(m, "drm_device"), 2);
    assert.equal(answer(m.ioctl(b.fd, DRM_IOCTL_GEM_CLOSE, { handle: 1 })), "ok");
    assert.equal(liveCount(m, "drm_device"), 1);
    assert.equal(m.finishClean(b.dev), 0);
  });

  test("a buffer whose exporter is gone: mainline imports it, uapi-doc fails with ENODEV (R94)", () => {
    for (const [name, expected] of [["mainline", 1], ["uapi-doc", "ENODEV"]] as const) {
      const m = drmMachine({ name, version: "7.1" });
      const a = sharing(m, 0);
      const b = sharing(m, 1);
      const buf = exportFd(m, a.fd, dumb(m, a.fd));
      m.run(() => drmDevUnplug(a.dev));
      assert.equal(importFd(m, b.fd, buf), expected, name);
      m.run(() => drmDevPut(b.dev));
      assert.equal(m.finishClean(a.dev), 0);
    }
  });

  test("importing into an unplugged device is ENODEV under both profiles (R94, R95)", () => {
    const m = drmMachine({ name: "uapi-doc", version: "7.1" });
    const a = sharing(m, 0);
    const b = sharing(m, 1);
    const buf = exportFd(m, a.fd, dumb(m, a.fd));
    m.run(() => drmDevUnplug(b.dev));
    assert.equal(importFd(m, b.fd, buf), "ENODEV");
    m.run(() => drmDevPut(b.dev));
    assert.equal(m.finishClean(a.dev), 0);
  });
});

describe("dma-buf ioctls", () => {
  test("SYNC needs a direction and no unknown flag; SET_NAME takes 31 bytes; EXPORT_SYNC_FILE needs READ or WRITE", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const buf = exportFd(m, fd, dumb(m, fd));
    const sync = (flags: bigint): string => answer(m.ioctl(buf, DMA_BUF_IOCTL_SYNC, { flags }));
    assert.deepEqual([0n, 1n, 4n, 7n, 8n].map(sync), ["EINVAL", "ok", "EINVAL", "ok", "EINVAL"]);
    const name = (n: string): string => answer(m.ioctl(buf, DMA_BUF_SET_NAME, { name: n }));
    assert.deepEqual([name("x".repeat(31)), name("x".repeat(32)), name("")], ["ok", "EINVAL", "EFAULT"]);
    assert.match(fdinfo(m, buf), new RegExp(`name:\\t${"x".repeat(31)}\\n$`));
    const exp = (flags: number): string => answer(m.ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, { flags }));
    assert.deepEqual([0, 4, 1].map(exp), ["EINVAL", "EINVAL", "ok"]);
    assert.equal(answer(m.ioctl(buf, DRM_IOCTL_SYNCOBJ_CREATE)), "ENOTTY");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_prime_destroy_file_private()", () => {
  test("a dma-buf left in a file's PRIME table at close is a WARN; an empty table is none", () => {
    const m = drmMachine();
    const { dev, fd } = vram(m, 0);
    const handle = dumb(m, fd);
    const prime = m.file(fd).prime;
    drmPrimeDestroyFilePrivate(prime, m.sim);
    assert.deepEqual(m.warnings(), []);
    close(m, exportFd(m, fd, handle));
    assert.equal(prime.dmabufs.size, 1, "the handle's dma-buf is still in the table");
    drmPrimeDestroyFilePrivate(prime, m.sim);
    assert.deepEqual(m.warnings(), ["drm_prime_destroy_file_private: dma-bufs left in the file"]);
    close(m, fd);
    assert.equal(prime.dmabufs.size, 0, "closing the file let go of it");
    assert.equal(m.finishClean(dev), 0);
  });
});
