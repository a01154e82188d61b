/**
 * drm_ioctl_kernel(), the entry that compat and in-kernel callers use without drm_ioctl(),
 * checks for unplug again, before the permission checks. The userspace view of the gate is in
 * src/world/ioctl_after_unplug.test.ts.
 *
 * @see drm_ioctl_kernel() in drivers/gpu/drm/drm_ioctl.c
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DRM_IOCTL_DROP_MASTER, ok } from "../uapi/mod.js";
import { drmMachine } from "./_testing.js";
import { drmDevUnplug } from "./device.js";
import { drmFileOf } from "./file.js";
import { drmIoctlKernel } from "./ioctl.js";
import { DRM_MASTER, type AnyDrmIoctlDesc } from "./ioctl_desc.js";

test("drmIoctlKernel() on an unplugged device fails with ENODEV before the permission check (R39)", () => {
  const m = drmMachine();
  const dev = m.registered();
  let handled = 0;
  const masterOnly: AnyDrmIoctlDesc = { def: DRM_IOCTL_DROP_MASTER, fn: "drm_test_ioctl", flags: DRM_MASTER, handler: { sleeps: false, run: () => { handled++; return ok({}); } } };
  const files = m.run(function* () {
    const master = yield* m.proc.open("/dev/dri/card0");
    const other = yield* m.proc.open("/dev/dri/card0");
    assert.ok(master.ok && other.ok);
    return [master.value, other.value].map((fd) => drmFileOf(m.proc.fds.get(fd)!));
  });
  const [master, other] = files;
  assert.ok(master !== undefined && other !== undefined);
  assert.equal(master.isMaster, true);
  const call = (file: typeof master): string => {
    const r = m.run(() => drmIoctlKernel(file, masterOnly, {}));
    return r.ok ? "ok" : r.errno;
  };
  assert.deepEqual([call(master), call(other)], ["ok", "EACCES"]);
  m.run(() => drmDevUnplug(dev));
  assert.deepEqual([call(master), call(other)], ["ENODEV", "ENODEV"]);
  assert.equal(handled, 1);
  assert.equal(m.finish(dev), 0);
});
