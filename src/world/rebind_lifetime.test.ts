/**
 * What unbind and rebind do to a drm_device that userspace still holds open: unbind drops only
 * the allocation reference (R27), the old device stays unplugged for good (R12) and in memory
 * until its last file closes, and the rebind makes a new drm_device with new minors (R90). A
 * mapping holds its file, so it keeps the device after close() too (R15).
 *
 * @see devm_drm_dev_alloc(), drm_dev_unplug(), drm_dev_release() in drivers/gpu/drm/drm_drv.c
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { drmDevIsUnplugged } from "../drm/mod.js";
import { krefRead } from "../kernel/mod.js";
import { bind, openOk, unbind, userSession } from "./_testing.js";
import { DRM_IOCTL_MODE_CREATE_DUMB, DRM_IOCTL_MODE_MAP_DUMB, DRM_IOCTL_VERSION } from "../uapi/mod.js";

test("unbind with card0 open drops one reference; rebind makes a new drm_device; the old one lives until close (R12, R27, R90)", () => {
  const s = userSession();
  const old = s.drm();
  assert.ok(old !== null);
  const freedIn = (): string | null => old.mem.freeSite?.fn ?? null;
  const fd = s.run((sys) => openOk(sys, "/dev/dri/card0"));
  assert.equal(krefRead(old.ref), 2, "the allocation reference and the open file");

  s.run(unbind);
  assert.equal(krefRead(old.ref), 1, "unbind dropped exactly the allocation reference");
  assert.equal(freedIn(), null, "the container outlives unbind");
  assert.equal(old.unplugged, true);

  s.run(bind);
  const fresh = s.drm();
  assert.ok(fresh !== null);
  assert.notEqual(fresh, old);
  assert.deepEqual([fresh.primary?.name, fresh.render?.name], ["card1", "renderD129"]);
  assert.equal(drmDevIsUnplugged(fresh), false);
  assert.equal(drmDevIsUnplugged(old), true, "unplugged is never reset");
  assert.deepEqual(s.run((sys) => sys.ioctl(fd, DRM_IOCTL_VERSION)), { ok: false, errno: "ENODEV" });
  assert.equal(freedIn(), null);

  assert.deepEqual(s.run((sys) => sys.close(fd)), { ok: true, value: 0 });
  assert.equal(krefRead(old.ref), 0);
  assert.equal(freedIn(), "drm_dev_release");
  assert.equal(krefRead(fresh.ref), 1, "the new device is untouched");
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings, []);
});

test("an mmap that outlives close() keeps the unplugged device until munmap (R15)", () => {
  const s = userSession();
  const old = s.drm();
  assert.ok(old !== null);
  const freedIn = (): string | null => old.mem.freeSite?.fn ?? null;
  const map = s.run(function* (sys) {
    const fd = yield* openOk(sys, "/dev/dri/card0");
    const dumb = yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
    assert.ok(dumb.ok);
    const mapped = yield* sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: dumb.value.handle });
    assert.ok(mapped.ok);
    const size = Number(dumb.value.size);
    const addr = yield* sys.mmap(fd, mapped.value.offset, size);
    assert.ok(addr.ok, `mmap: ${addr.ok ? "" : addr.errno}`);
    assert.deepEqual(yield* sys.close(fd), { ok: true, value: 0 });
    return { addr: addr.value, size };
  });
  assert.equal(krefRead(old.ref), 2, "the mapping's file still holds the device");
  s.run(unbind);
  assert.equal(krefRead(old.ref), 1);
  assert.equal(freedIn(), null);
  s.run((sys) => sys.munmap(map.addr, map.size));
  assert.equal(krefRead(old.ref), 0);
  assert.equal(freedIn(), "drm_dev_release");
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings, []);
});
