/**
 * The ioctl gate after unplug, as userspace sees it: every ioctl on an fd of the unplugged
 * device fails with ENODEV, before the type (ENOTTY) and number (EINVAL) are looked at, KMS
 * included (no fake success); close() still succeeds and releases the file's buffers.
 *
 * @see drm_ioctl() in drivers/gpu/drm/drm_ioctl.c; drm_release() in drm_file.c
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DRM_CLIENT_CAP,
  DRM_IOCTL_BASE,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_IOCTLS,
  DRM_MODE_ATOMIC_TEST_ONLY,
  ioc,
  type Fd,
  type IoctlFields,
  type Syscalls,
} from "../uapi/mod.js";
import { errnoOf, openOk, unbind, userSession } from "./_testing.js";

/** _IO('x', 1): not a DRM ioctl type. */
const FOREIGN_TYPE_CMD = ioc(0, 0x78, 0x01, 0);
/** _IO('d', 0x3f): a core number no table entry has. */
const UNKNOWN_NR_CMD = ioc(0, DRM_IOCTL_BASE, 0x3f, 0);
const ATOMIC_TEST_ONLY = { flags: DRM_MODE_ATOMIC_TEST_ONLY, count_objs: 0 };

/** The errno of the calls whose answer changes at unplug. */
function* probe(sys: Syscalls, fd: Fd): Generator<unknown, Record<string, string>, unknown> {
  return {
    foreignType: errnoOf(yield* sys.ioctl(fd, FOREIGN_TYPE_CMD)),
    unknownNr: errnoOf(yield* sys.ioctl(fd, UNKNOWN_NR_CMD)),
    atomicTestOnly: errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, ATOMIC_TEST_ONLY)),
  };
}

test("every ioctl on an fd of an unplugged device fails with ENODEV, before type and number checks (R38, R40-R43)", () => {
  const s = userSession();
  const gemObjects = (): number => s.world.sim.liveAllocations().filter((a) => a.type === "drm_gem_object").length;
  const fd = s.run((sys) => openOk(sys, "/dev/dri/card0"));
  const before = s.run(function* (sys) {
    const cap = yield* sys.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC, value: 1n });
    const dumb = yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 64, height: 64, bpp: 32 });
    return { cap: errnoOf(cap), dumb: errnoOf(dumb), ...(yield* probe(sys, fd)) };
  });
  assert.deepEqual(before, { cap: "ok", dumb: "ok", foreignType: "ENOTTY", unknownNr: "EINVAL", atomicTestOnly: "ok" });
  assert.equal(gemObjects(), 1);

  s.run(unbind);
  const after = s.run(function* (sys) {
    const each: Record<string, string> = {};
    // Every ioctl the uapi knows, the vtest driver's own included; buffer ioctls name handle 1.
    for (const def of DRM_IOCTLS) {
      const arg: IoctlFields = def.inFields.includes("handle") ? { handle: 1 } : {};
      each[def.name] = errnoOf(yield* sys.ioctl(fd, def, arg as never));
    }
    return { each, ...(yield* probe(sys, fd)) };
  });
  assert.deepEqual(after, {
    each: Object.fromEntries(DRM_IOCTLS.map((def) => [def.name, "ENODEV"])),
    foreignType: "ENODEV",
    unknownNr: "ENODEV",
    atomicTestOnly: "ENODEV",
  });
  assert.equal(gemObjects(), 1, "GEM_CLOSE could not drop the handle");

  assert.deepEqual(s.run((sys) => sys.close(fd)), { ok: true, value: 0 });
  assert.equal(gemObjects(), 0, "close() released the handle");
  assert.equal(s.shutdown(), 0);
  assert.deepEqual(s.world.sim.findings, []);
});
