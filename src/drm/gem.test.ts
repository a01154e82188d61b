/**
 * drm_gem_mmap() and what a mapping holds, for every memory manager: a new mapping of an
 * unplugged device (R46 in mainline, D6 under uapi-doc), and a mapping that outlives close()
 * keeping the file and the device (R15).
 *
 * @see drm_gem_mmap(), drm_gem_mmap_obj() in drivers/gpu/drm/drm_gem.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findingSummary } from "../kernel/mod.js";
import { BUFFER_BYTES, bytesOf, mappedBuffer, type ManagerName } from "./_test_gem.js";
import { answer, liveCount } from "./_testing.js";
import { drmDevPut, drmDevUnplug } from "./device.js";

const MANAGERS: readonly ManagerName[] = ["vram", "shmem", "dma"];

describe("drm_gem_mmap() after unplug", () => {
  for (const manager of MANAGERS) {
    test(`${manager}: a new mmap of an unplugged device is ENODEV in mainline (R46)`, () => {
      const b = mappedBuffer(manager);
      b.m.run(() => drmDevUnplug(b.dev));
      assert.equal(answer(b.map()), "ENODEV");
      assert.equal(b.m.proc.mm.vmas.length, 1, "no mapping was added");
      assert.equal(b.m.finishClean(b.dev), 0);
    });
  }

  // What the new mapping reads is what an old one reads after the unplug: the dummy page of
  // TTM, the object's own pages for shmem and DMA (the DMA buffer is still allocated, and
  // dma_mmap_wc() maps it whole).
  const SEEN_AFTER: Readonly<Record<ManagerName, number>> = { vram: 0, shmem: 0x5a, dma: 0x5a };
  for (const manager of MANAGERS) {
    test(`${manager}: under uapi-doc a new mmap of an unplugged device maps, and reads ${SEEN_AFTER[manager]} (D6)`, () => {
      const b = mappedBuffer(manager, { name: "uapi-doc", version: "7.1" });
      assert.deepEqual(b.write(b.addr + 100n, [0x5a]), { ok: true, value: 1 });
      b.m.run(() => b.m.proc.munmap(b.addr, BUFFER_BYTES));
      b.m.run(() => drmDevUnplug(b.dev));
      const fresh = b.map();
      assert.ok(fresh.ok, answer(fresh));
      assert.deepEqual(bytesOf(b.read(fresh.value + 100n, 1)), [SEEN_AFTER[manager]]);
      assert.deepEqual(b.write(fresh.value, [1, 2]), { ok: true, value: 2 }, "writes complete (R53)");
      assert.deepEqual(b.m.sim.findings.map(findingSummary), []);
      assert.equal(b.m.finishClean(b.dev), 0);
    });
  }
});

describe("a mapping outlives close() (R15)", () => {
  for (const manager of MANAGERS) {
    test(`${manager}: it holds the file, the object and the device until munmap`, () => {
      const b = mappedBuffer(manager);
      const { m } = b;
      assert.deepEqual(b.write(b.addr, [7, 8]), { ok: true, value: 2 });
      assert.equal(answer(m.run(() => m.proc.close(b.fd))), "ok");
      m.run(() => drmDevPut(b.dev)); // the driver's initial reference
      assert.equal(liveCount(m, "drm_device"), 1, "the mapping's file keeps the device");
      assert.equal(liveCount(m, "drm_file"), 1, "close() did not release the file");
      assert.equal(liveCount(m, "drm_gem_object"), 1, "the mapping keeps the object");
      assert.deepEqual(bytesOf(b.read(b.addr, 2)), [7, 8]);
      assert.equal(answer(m.run(() => m.proc.munmap(b.addr, BUFFER_BYTES))), "ok");
      assert.deepEqual(
        [liveCount(m, "drm_device"), liveCount(m, "drm_file"), liveCount(m, "drm_gem_object")],
        [0, 0, 0],
        "munmap dropped the last references",
      );
      assert.equal(m.sim.reportLeaks(), 0);
    });
  }
});
