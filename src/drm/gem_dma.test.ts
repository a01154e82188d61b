/**
 * The GEM DMA helper: dumb buffers of exact pitch and size, mappings made whole at mmap time,
 * and the SIGBUS after unplug that the uAPI documentation rules out (D7, R53), reported as the
 * program being killed.
 *
 * @see drivers/gpu/drm/drm_gem_dma_helper.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PAGE_SIZE } from "../base/mod.js";
import { findingSummary } from "../kernel/mod.js";
import { DRM_IOCTL_MODE_CREATE_DUMB } from "../uapi/mod.js";
import { bytesOf, fullOffsetSpace, mappedBuffer } from "./_test_gem.js";
import { liveCount } from "./_testing.js";
import { drmDevUnplug } from "./device.js";
import { drmGemDmaCreate, drmGemDmaDumbCreate } from "./gem_dma.js";

describe("drm_gem_dma_create()", () => {
  test("in a full offset space it is ENOSPC, and the buffer made for it is freed", () => {
    const { m, dev, fd } = fullOffsetSpace();
    const created = m.runIn("test_dma_create", [dev], function* () {
      return drmGemDmaCreate(dev, PAGE_SIZE);
    });
    assert.equal(created, "ENOSPC");
    const file = m.file(fd);
    const arg = { width: 64, height: 64, bpp: 32, flags: 0 };
    const dumb = m.runIn("test_dma_dumb_create", [file], () => drmGemDmaDumbCreate(file, arg));
    assert.deepEqual(dumb, { ok: false, errno: "ENOSPC" }, "dumb_create passes it on");
    assert.equal(file.handles.size, 257);
    assert.equal(liveCount(m, "drm_gem_object"), 257, "only the shmem buffers are left");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_gem_dma_dumb_create()", () => {
  test("pitch is width x bpp in whole bytes and size pitch x height, not rounded; the buffer is whole pages", () => {
    const b = mappedBuffer("dma");
    const r = b.m.ioctl(b.fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 10, height: 3, bpp: 12 });
    assert.deepEqual(r, { ok: true, value: { handle: 2, pitch: 15, size: 45n } });
    assert.equal(b.m.file(b.fd).handles.get(2)?.sizeBytes, PAGE_SIZE);
    assert.equal(liveCount(b.m, "drm_gem_object"), 2);
    assert.equal(b.m.finishClean(b.dev), 0);
  });
});

describe("drm_gem_dma_mmap()", () => {
  test("the whole buffer is mapped at once: reads and writes never fault", () => {
    const b = mappedBuffer("dma");
    assert.deepEqual(b.write(b.addr + BigInt(3 * PAGE_SIZE) + 1n, [5, 6]), { ok: true, value: 2 });
    const other = b.map();
    assert.ok(other.ok);
    assert.deepEqual(bytesOf(b.read(other.value + BigInt(3 * PAGE_SIZE) + 1n, 2)), [5, 6]);
    const faults = b.m.sim.trace.events.filter((e) => e.t === "step" && e.fn.includes("fault"));
    assert.deepEqual(faults, []);
    assert.equal(b.m.finishClean(b.dev), 0);
  });

  test("each page of the buffer is memory of its own: what one page holds, no other shows", () => {
    const b = mappedBuffer("dma");
    for (let page = 0; page < 4; page++) {
      const at = b.addr + BigInt(page * PAGE_SIZE);
      assert.deepEqual(b.write(at, [page + 1, page + 11]), { ok: true, value: 2 });
    }
    const other = b.map();
    assert.ok(other.ok);
    const pageAt = (page: number): bigint => other.value + BigInt(page * PAGE_SIZE);
    const firstBytes = [0, 1, 2, 3].map((page) => bytesOf(b.read(pageAt(page), 2)));
    assert.deepEqual(firstBytes, [[1, 11], [2, 12], [3, 13], [4, 14]]);
    const across = bytesOf(b.read(b.addr + BigInt(PAGE_SIZE) - 2n, 4));
    assert.deepEqual(across, [0, 0, 2, 12], "a page ends where the next begins");
    assert.equal(b.m.finishClean(b.dev), 0);
  });

  test("after unplug the zapped mapping has no fault handler: SIGBUS, and the program is reported killed (D7)", () => {
    const b = mappedBuffer("dma");
    assert.deepEqual(b.write(b.addr, [1]), { ok: true, value: 1 });
    b.m.run(() => drmDevUnplug(b.dev));
    assert.equal(bytesOf(b.read(b.addr + 4n, 1)), "SIGBUS");
    assert.deepEqual(b.m.sim.findings.map(findingSummary), [
      `drmtest/${b.m.proc.pid}: potentially unexpected fatal signal 7 (SIGBUS) at 0x7f0000000004 in a mapping of /dev/dri/card0`,
    ]);
    assert.equal(b.m.finishClean(b.dev), 0);
  });
});
