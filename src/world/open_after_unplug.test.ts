/**
 * open() of a DRM node whose device disappeared, as userspace sees it, per profile: mainline
 * fails with ENODEV while a node is still there (R35) and the uAPI documentation asks for ENXIO
 * (D1, R37); a node that udev/devtmpfs already removed fails path lookup with ENOENT (R36).
 *
 * A node that outlives the device is one made with mknod (a static /dev, a container), or the
 * devtmpfs node during drm_dev_unplug(), before the minors are unregistered.
 *
 * @see drm_stub_open(), drm_minor_acquire() in drivers/gpu/drm/drm_file.c and drm_drv.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ProfileName } from "../base/mod.js";
import { drmDevEnter, drmDevExit, drmDevUnregister } from "../drm/mod.js";
import { assert as check, sleepTicks, step } from "../kernel/mod.js";
import { DRM_MAJOR, type ErrnoName } from "../uapi/mod.js";
import { errnoOf, openOk, unbind, userSession, type UserSession } from "./_testing.js";

const PROFILES: readonly { readonly profile: ProfileName; readonly gone: ErrnoName }[] = [
  { profile: "mainline", gone: "ENODEV" },
  { profile: "uapi-doc", gone: "ENXIO" },
];

const STATIC_CARD = "/dev/static/card0";
const STATIC_RENDER = "/dev/static/renderD128";

/** A booted world with static nodes for card0 and renderD128 that no uevent removes. */
function withStaticNodes(profile: ProfileName): UserSession {
  const s = userSession({ profile });
  s.run(function* (sys) {
    check((yield* sys.mknod(STATIC_CARD, DRM_MAJOR, 0)).ok, "Cannot mknod card0");
    check((yield* sys.mknod(STATIC_RENDER, DRM_MAJOR, 128)).ok, "Cannot mknod renderD128");
  });
  return s;
}

for (const { profile, gone } of PROFILES) {
  describe(`open() after the device disappeared, profile ${profile}`, () => {
    test(`open() of a left-behind node fails with ${gone}, of the removed /dev/dri node with ENOENT (R35, R36, R37)`, () => {
      const s = withStaticNodes(profile);
      const seen = s.run(function* (sys) {
        const before = yield* openOk(sys, STATIC_CARD);
        yield* sys.close(before);
        const held = yield* openOk(sys, "/dev/dri/card0");
        yield* unbind(sys); // vdisp's remove() calls drm_dev_unplug()
        const whileHeld = [
          errnoOf(yield* sys.open("/dev/dri/card0")),
          errnoOf(yield* sys.open(STATIC_CARD)),
          errnoOf(yield* sys.open(STATIC_RENDER)),
        ];
        yield* sys.close(held); // the final put: the minor numbers are erased
        const afterRelease = [errnoOf(yield* sys.open(STATIC_CARD)), errnoOf(yield* sys.open(STATIC_RENDER))];
        return { whileHeld, afterRelease };
      });
      assert.deepEqual(seen, { whileHeld: ["ENOENT", gone, gone], afterRelease: [gone, gone] });
      assert.equal(s.shutdown(), 0);
      assert.deepEqual(s.world.sim.findings, []);
    });

    test(`open() of a node whose minor was unregistered without unplug fails with ${gone} (R35, R37)`, () => {
      const s = withStaticNodes(profile);
      const dev = s.drm();
      assert.ok(dev !== null);
      s.world.sim.runTask("unregister", drmDevUnregister(dev));
      assert.equal(dev.unplugged, false);
      const seen = s.run(function* (sys) {
        return [errnoOf(yield* sys.open(STATIC_CARD)), errnoOf(yield* sys.open("/dev/dri/card0"))];
      });
      assert.deepEqual(seen, [gone, "ENOENT"]);
      assert.equal(s.shutdown(), 0);
    });

    test(`open() of /dev/dri/card0 while drm_dev_unplug() waits for a section fails with ${gone} (R35, R37)`, () => {
      const s = userSession({ profile });
      const dev = s.drm();
      assert.ok(dev !== null);
      // A driver worker inside drm_dev_enter() keeps drm_dev_unplug() in synchronize_srcu().
      s.world.sim.spawn("worker", (function* () {
        yield step("worker_enter", [dev], [dev.unplugSrcu]);
        const token = drmDevEnter(dev);
        check(token !== null, "Cannot enter the device");
        yield sleepTicks(100_000, step("worker_exit", [dev], [dev.unplugSrcu]));
        drmDevExit(dev, token);
      })());
      const opener = s.world.spawnProgram("opener", function* (sys) {
        yield* sys.sleep(10);
        const present = yield* sys.exists("/dev/dri/card0");
        yield step("test_observe", [dev]); // the test looks at the device from inside the run
        const unplugged = dev.unplugged;
        return { present, unplugged, open: errnoOf(yield* sys.open("/dev/dri/card0")) };
      });
      s.run(unbind);
      assert.deepEqual(opener.task.result, { present: true, unplugged: true, open: gone });
      assert.equal(s.shutdown(), 0);
      assert.deepEqual(s.world.sim.findings, []);
    });
  });
}
