/**
 * Dumb buffers, GEM handles and fake mmap offsets at the errno boundary: CREATE_DUMB's
 * geometry checks, MAP_DUMB's offset search, DESTROY_DUMB and GEM_CLOSE, and mmap's
 * permission, with the GEM core's own state (handles, handle counts, offset nodes, live
 * objects) checked beside each answer.
 *
 * @see drivers/gpu/drm/drm_dumb_buffers.c, drm_gem.c, drm_vma_manager.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PAGE_SIZE } from "../base/mod.js";
import {
  DRM_CAP,
  DRM_IOCTL_GEM_CLOSE,
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  type Fd,
} from "../uapi/mod.js";
import { answer, drmMachine, liveCount, TEST_DRIVER, type DrmMachine } from "./_testing.js";
import { DRIVER_RENDER } from "./drm_driver.js";
import { drmDevUnplug } from "./device.js";
import { DRM_FILE_PAGE_OFFSET_START } from "./gem.js";

function gemObjects(m: DrmMachine): number {
  return liveCount(m, "drm_gem_object");
}

const FIRST_OFFSET = DRM_FILE_PAGE_OFFSET_START * BigInt(PAGE_SIZE);

function create(m: DrmMachine, fd: Fd, width: number, height: number, bpp = 32) {
  return m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width, height, bpp });
}

function offsetOf(m: DrmMachine, fd: Fd, handle: number): bigint {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle });
  assert.ok(r.ok, `MAP_DUMB ${handle}: ${r.ok ? "" : r.errno}`);
  return r.value.offset;
}

describe("drm_mode_create_dumb_ioctl()", () => {
  test("a buffer gets the lowest free handle, a pitch of whole bytes per pixel and a page-aligned size", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(create(m, fd, 64, 64), {
      ok: true,
      value: { handle: 1, pitch: 256, size: 16384n },
    });
    assert.deepEqual(create(m, fd, 10, 3, 24), {
      ok: true,
      value: { handle: 2, pitch: 30, size: 4096n },
    });
    assert.deepEqual(
      create(m, fd, 1, 1, 1),
      { ok: true, value: { handle: 3, pitch: 1, size: 4096n } },
      "bpp 1 still takes a whole byte",
    );
    const file = m.file(fd);
    assert.deepEqual([...file.handles.keys()], [1, 2, 3]);
    assert.deepEqual(
      [...file.handles.values()].map((o) => [o.handleCount, o.sizeBytes]),
      [
        [1, 16384],
        [1, 4096],
        [1, 4096],
      ],
    );
    assert.equal(gemObjects(m), 3);
    assert.equal(m.finishClean(dev), 0, "close released every buffer");
  });

  test("a zero width, height or bpp is EINVAL and creates nothing", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(
      [create(m, fd, 0, 64), create(m, fd, 64, 0), create(m, fd, 64, 64, 0)].map(answer),
      ["EINVAL", "EINVAL", "EINVAL"],
    );
    assert.equal(m.file(fd).handles.size, 0);
    assert.equal(gemObjects(m), 0);
    assert.equal(m.finishClean(dev), 0);
  });

  test("flags are not looked at: the core and the GEM helpers ignore them", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(
      m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32, flags: 1 }),
      { ok: true, value: { handle: 1, pitch: 256, size: 16384n } },
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("a size that overflows 32 bits is EINVAL at each check: bytes per pixel, the stride, the page-aligned size", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.equal(answer(create(m, fd, 1, 1, 0xffffffff - 7)), "EINVAL", "bpp > U32_MAX - 8");
    assert.equal(answer(create(m, fd, 0x40000000, 1, 32)), "EINVAL", "4 bytes x 2^30 does not fit");
    assert.equal(
      answer(create(m, fd, 0x3fffffff, 1, 32)),
      "EINVAL",
      "4 bytes x (2^30 - 1) fits, but not once page-aligned",
    );
    assert.equal(
      answer(create(m, fd, 0x3ffffc00, 1, 32)),
      "ok",
      "4 bytes x 0x3ffffc00 is 0xfffff000: the largest size",
    );
    assert.equal(
      answer(create(m, fd, 65536, 16384, 32)),
      "EINVAL",
      "stride 2^18 x 2^14 rows = 2^32",
    );
    assert.equal(
      answer(create(m, fd, 1, 0xfffff001, 8)),
      "EINVAL",
      "one byte over the last page that PAGE_ALIGN keeps in 32 bits",
    );
    assert.deepEqual(create(m, fd, 1, 0xfffff000, 8), {
      ok: true,
      value: { handle: 2, pitch: 1, size: 0xfffff000n },
    });
    assert.equal(
      answer(create(m, fd, 0x40000001, 1, 32)),
      "EINVAL",
      "the stride 4 x (2^30 + 1) would wrap to 4 in 32 bits",
    );
    assert.equal(
      answer(create(m, fd, 0x4000, 0x10001, 32)),
      "EINVAL",
      "2^16 + 1 rows of 2^16 bytes would wrap to 2^16 in 32 bits",
    );
    assert.deepEqual(
      create(m, fd, 1, 1, 0xffffffff - 8),
      { ok: true, value: { handle: 3, pitch: 0x1fffffff, size: 0x20000000n } },
      "bpp U32_MAX - 8 is the largest that passes",
    );
    assert.equal(m.file(fd).handles.size, 3);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a driver without dumb_create has no dumb buffers: ENOSYS, and DRM_CAP_DUMB_BUFFER says so", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    assert.equal(answer(create(m, fd, 64, 64)), "ENOSYS");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: 1 })), "ENOSYS");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, { handle: 1 })), "ENOSYS");
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_GET_CAP, { capability: DRM_CAP.DRM_CAP_DUMB_BUFFER })),
      "EOPNOTSUPP",
      "no modesetting either",
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("render nodes may not create dumb buffers (EACCES), but may close GEM handles", () => {
    const m = drmMachine();
    const dev = m.kms();
    const r = m.open("/dev/dri/renderD128");
    assert.equal(answer(create(m, r, 64, 64)), "EACCES");
    assert.equal(
      answer(m.ioctl(r, DRM_IOCTL_GEM_CLOSE, { handle: 1 })),
      "EINVAL",
      "GEM_CLOSE reaches its handler on a render node",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_mode_mmap_dumb_ioctl() and the fake offset space", () => {
  test("an unknown handle is ENOENT; the same buffer keeps its offset", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: 1 })), "ENOENT");
    assert.ok(create(m, fd, 64, 64).ok);
    assert.equal(offsetOf(m, fd, 1), FIRST_OFFSET);
    assert.equal(offsetOf(m, fd, 1), FIRST_OFFSET);
    assert.equal(dev.gem?.nodes.size, 1);
    assert.equal(m.finishClean(dev), 0);
  });

  test("the offset space holds 256 buffers of the largest size; MAP_DUMB of one more is ENOSPC", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const pages = 0xfffffn; // the largest dumb buffer, 0xfffff000 bytes
    for (let handle = 1; handle <= 256; handle++) {
      assert.ok(create(m, fd, 1, 0xfffff000, 8).ok);
      assert.equal(offsetOf(m, fd, handle), (DRM_FILE_PAGE_OFFSET_START + BigInt(handle - 1) * pages) * 4096n);
    }
    assert.ok(create(m, fd, 1, 0xfffff000, 8).ok);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: 257 })), "ENOSPC");
    assert.ok(create(m, fd, 1, 256 * 4096, 8).ok, "256 pages are left: the last gap");
    assert.equal(offsetOf(m, fd, 258), (DRM_FILE_PAGE_OFFSET_START + 256n * pages) * 4096n);
    assert.equal(dev.gem?.nodes.size, 257);
    assert.equal(m.finishClean(dev), 0);
  });

  test("two buffers get offsets that do not overlap; a freed gap is reused by a buffer that fits it", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.ok(create(m, fd, 64, 64).ok); // handle 1, 4 pages
    assert.ok(create(m, fd, 64, 64).ok); // handle 2, 4 pages
    const first = offsetOf(m, fd, 1);
    const second = offsetOf(m, fd, 2);
    assert.equal(first, FIRST_OFFSET);
    assert.equal(second, first + 16384n, "the second starts where the first ends");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, { handle: 1 })), "ok");
    assert.equal(dev.gem?.nodes.size, 1, "the freed buffer's offset node went with it");
    assert.ok(create(m, fd, 64, 128).ok); // handle 1 again, 8 pages: does not fit the 4-page gap
    assert.equal(offsetOf(m, fd, 1), second + 16384n);
    assert.ok(create(m, fd, 64, 64).ok); // handle 3, 4 pages: fits the gap
    assert.equal(offsetOf(m, fd, 3), first, "the lowest gap that fits");
    assert.equal(dev.gem?.nodes.size, 3);
    // The nodes now in the order they were placed: 2, 1, 3; not the order of their offsets.
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, { handle: 1 })), "ok");
    assert.ok(create(m, fd, 64, 64).ok); // handle 1 again, 4 pages
    assert.equal(offsetOf(m, fd, 1), second + 16384n, "after the two in use, at the lowest free page");
    assert.equal(m.finishClean(dev), 0);
  });

  test("mmap of another file's buffer offset is EACCES: only files with a handle may map it", () => {
    const m = drmMachine();
    const dev = m.kms();
    const a = m.open("/dev/dri/card0");
    const b = m.open("/dev/dri/card0");
    assert.ok(create(m, a, 64, 64).ok);
    const offset = offsetOf(m, a, 1);
    assert.equal(answer(m.run(() => m.proc.mmap(b, offset, 16384))), "EACCES");
    assert.equal(answer(m.run(() => m.proc.mmap(a, offset, 16384))), "ok");
    assert.equal(
      answer(m.run(() => m.proc.mmap(a, offset + 4096n * 1000n, 4096))),
      "EINVAL",
      "no buffer at that offset",
    );
    assert.equal(
      answer(m.run(() => m.proc.mmap(a, offset, 16384 + 4096))),
      "EINVAL",
      "longer than the buffer",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_mode_destroy_dumb_ioctl(), drm_gem_close_ioctl()", () => {
  test("dropping an unknown handle is EINVAL; a known one is dropped once, and the object freed with its last reference", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.ok(create(m, fd, 64, 64).ok);
    assert.ok(create(m, fd, 64, 64).ok);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_GEM_CLOSE, { handle: 3 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, { handle: 0 })), "EINVAL");
    assert.equal(gemObjects(m), 2);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_GEM_CLOSE, { handle: 1 })), "ok");
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_GEM_CLOSE, { handle: 1 })),
      "EINVAL",
      "a handle goes once",
    );
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, { handle: 2 })), "ok");
    assert.deepEqual([m.file(fd).handles.size, gemObjects(m)], [0, 0]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a driver without GEM has no GEM handles to close: EOPNOTSUPP", () => {
    const m = drmMachine();
    const dev = m.registered({ ...TEST_DRIVER, features: DRIVER_RENDER });
    const fd = m.open("/dev/dri/card0");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_GEM_CLOSE, { handle: 1 })), "EOPNOTSUPP");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a mapping keeps the object after its handle is dropped; munmap frees it", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.ok(create(m, fd, 64, 64).ok);
    const map = m.run(() => m.proc.mmap(fd, offsetOf(m, fd, 1), 16384));
    assert.ok(map.ok);
    const obj = m.file(fd).handles.get(1);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, { handle: 1 })), "ok");
    assert.deepEqual([obj?.handleCount, gemObjects(m)], [0, 1]);
    assert.deepEqual(
      m.run(() => m.proc.munmap(map.value, 16384)),
      { ok: true, value: 0 },
    );
    assert.equal(gemObjects(m), 0);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("mappings of a dumb buffer: drm_gem_mmap(), ttm_bo_vm_fault(), the dummy page", () => {
  /** A KMS machine with one 4-page buffer mapped twice (a and b); unmapped and unplugged by the test. */
  function mappedTwice() {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.ok(create(m, fd, 64, 64).ok); // 16384 bytes, 4 pages
    const offset = offsetOf(m, fd, 1);
    const map = (): bigint => {
      const r = m.run(() => m.proc.mmap(fd, offset, 16384));
      assert.ok(r.ok);
      return r.value;
    };
    const read = (addr: bigint, n: number) => m.run(() => m.proc.memRead(addr, n));
    const write = (addr: bigint, bytes: number[]) =>
      m.run(() => m.proc.memWrite(addr, Uint8Array.from(bytes)));
    return { m, dev, fd, map, read, write, a: map(), b: map() };
  }
  const bytes = (r: { ok: boolean; value?: Uint8Array }) => (r.ok ? [...(r.value ?? [])] : r);

  test("what one mapping writes, another reads, and a new mapping still finds (the buffer's VRAM)", () => {
    const { m, dev, map, read, write, a, b } = mappedTwice();
    assert.deepEqual(write(a + 4096n + 10n, [1, 2, 3]), { ok: true, value: 3 });
    assert.deepEqual(bytes(read(b + 4096n + 10n, 3)), [1, 2, 3]);
    assert.deepEqual(bytes(read(b + 10n, 3)), [0, 0, 0], "another page of the buffer");
    assert.equal(answer(m.run(() => m.proc.munmap(a, 16384))), "ok");
    const c = map();
    assert.deepEqual(bytes(read(c + 4096n + 10n, 3)), [1, 2, 3]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("after unplug every page of a mapping is one zeroed dummy page, freed with the device", () => {
    const { m, dev, read, write, a } = mappedTwice();
    assert.deepEqual(write(a, [7]), { ok: true, value: 1 });
    m.run(() => drmDevUnplug(dev));
    assert.deepEqual(bytes(read(a, 1)), [0], "the buffer's contents are gone from the mapping");
    assert.deepEqual(write(a + 2n, [9]), { ok: true, value: 1 });
    assert.deepEqual(
      [1, 2, 3].map((page) => bytes(read(a + BigInt(page) * 4096n + 2n, 1))),
      [[9], [9], [9]],
      "one page behind all four",
    );
    const dummies = () =>
      m.sim.liveAllocations().filter((x) => x.label.startsWith("dummy page")).length;
    assert.equal(dummies(), 1);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a dummy page that cannot be allocated, or not tied to the device, is VM_FAULT_OOM: no signal, the access faults again and gets its page (R51)", () => {
    for (const point of ["alloc_page", "drmm_add_action"]) {
      const { m, dev, read, a } = mappedTwice();
      m.run(() => drmDevUnplug(dev));
      m.kernel.faults.set(point, { nth: 1 });
      const logged = m.sim.kmsg.length;
      assert.deepEqual(bytes(read(a, 1)), [0], `${point}: the retried fault gets the dummy page`);
      const lines = m.sim.kmsg.slice(logged);
      const warn = "<4>Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF";
      assert.deepEqual(lines.filter((l) => l.includes("VM_FAULT_OOM")), [warn], point);
      assert.equal(m.finishClean(dev), 0, point);
    }
  });
});
