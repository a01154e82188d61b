/**
 * The GEM shmem helper's mappings across unplug: the pages are the object's system memory, so
 * a mapping zapped by drm_dev_unplug() faults the same pages back and keeps the data (R52).
 *
 * @see drivers/gpu/drm/drm_gem_shmem_helper.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PAGE_SIZE } from "../base/mod.js";
import {
  DRM_CLOEXEC,
  DRM_IOCTL_GEM_CLOSE,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DRM_RDWR,
  type Fd,
} from "../uapi/mod.js";
import { BUFFER_BYTES, bytesOf, fullOffsetSpace, mappedBuffer } from "./_test_gem.js";
import { answer, liveCount } from "./_testing.js";
import { drmDevUnplug } from "./device.js";
import { DRM_FILE_PAGE_OFFSET_START } from "./gem.js";

describe("drm_gem_shmem_create()", () => {
  test("in a full offset space a new buffer is ENOSPC at create, and the object made for it is freed", () => {
    const { m, dev, fd } = fullOffsetSpace();
    const offset = (DRM_FILE_PAGE_OFFSET_START + 256n * 0xfffffn) * 4096n;
    const mapped = m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: 257 });
    assert.deepEqual(mapped, { ok: true, value: { offset } });
    const page = { width: 1024, height: 1, bpp: 32 };
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, page)), "ENOSPC");
    assert.equal(liveCount(m, "drm_gem_object"), 257, "the refused buffer's object is gone");
    assert.equal(m.file(fd).handles.size, 257);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_GEM_CLOSE, { handle: 3 })), "ok");
    const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, page);
    const reused = { handle: 3, pitch: 4096, size: 4096n };
    assert.deepEqual(r, { ok: true, value: reused }, "a closed buffer's handle and range are free again");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_gem_shmem_fault()", () => {
  test("what was written before the unplug is read back after it, through the same and another mapping (R52)", () => {
    const b = mappedBuffer("shmem");
    const second = b.map();
    assert.ok(second.ok);
    assert.deepEqual(b.write(b.addr + 10n, [1, 2, 3]), { ok: true, value: 3 });
    assert.deepEqual(b.write(b.addr + BigInt(3 * PAGE_SIZE), [4]), { ok: true, value: 1 });
    b.m.run(() => drmDevUnplug(b.dev));
    assert.equal(b.m.proc.mm.vmas.every((v) => v.ptes.size === 0), true, "the unplug zapped both mappings");
    assert.deepEqual(bytesOf(b.read(b.addr + 10n, 3)), [1, 2, 3]);
    assert.deepEqual(bytesOf(b.read(second.value + BigInt(3 * PAGE_SIZE), 1)), [4]);
    assert.deepEqual(b.write(second.value + 10n, [9]), { ok: true, value: 1 });
    assert.deepEqual(bytesOf(b.read(b.addr + 10n, 3)), [9, 2, 3], "both mappings still share the pages");
    assert.equal(liveCount(b.m, "page"), 0, "no dummy page");
    assert.deepEqual(b.m.sim.findings, []);
    assert.equal(b.m.finishClean(b.dev), 0);
  });

  test("a page never written reads zero, before and after the unplug", () => {
    const b = mappedBuffer("shmem");
    assert.deepEqual(bytesOf(b.read(b.addr + BigInt(PAGE_SIZE), 2)), [0, 0]);
    b.m.run(() => drmDevUnplug(b.dev));
    assert.deepEqual(bytesOf(b.read(b.addr + BigInt(2 * PAGE_SIZE), 2)), [0, 0]);
    assert.equal(b.m.finishClean(b.dev), 0);
  });

  test("the pages go with the object: after munmap and close nothing of it is left", () => {
    const b = mappedBuffer("shmem");
    assert.deepEqual(b.write(b.addr, [1]), { ok: true, value: 1 });
    assert.equal(answer(b.m.run(() => b.m.proc.munmap(b.addr, BUFFER_BYTES))), "ok");
    assert.equal(liveCount(b.m, "drm_gem_object"), 1, "the handle still holds it");
    assert.equal(answer(b.m.run(() => b.m.proc.close(b.fd))), "ok");
    assert.equal(liveCount(b.m, "drm_gem_object"), 0);
    assert.equal(b.m.finishClean(b.dev), 0);
  });
});

describe("drm_gem_prime_mmap() of a shmem buffer", () => {
  test("its dma-buf maps from offset 0 only, onto the pages the card's mapping has; another offset is EINVAL", () => {
    const b = mappedBuffer("shmem");
    assert.deepEqual(b.write(b.addr + 5n, [7]), { ok: true, value: 1 });
    const exported = b.m.ioctl(b.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, { handle: 1, flags: DRM_CLOEXEC | DRM_RDWR });
    assert.ok(exported.ok, answer(exported));
    const dmabuf = exported.value.fd as Fd;
    assert.equal(answer(b.m.run(() => b.m.proc.mmap(dmabuf, BigInt(PAGE_SIZE), PAGE_SIZE))), "EINVAL");
    const mapped = b.m.run(() => b.m.proc.mmap(dmabuf, 0n, BUFFER_BYTES));
    assert.ok(mapped.ok, answer(mapped));
    assert.deepEqual(bytesOf(b.read(mapped.value + 5n, 1)), [7]);
    assert.equal(b.m.finishClean(b.dev), 0);
  });
});
