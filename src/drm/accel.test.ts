/**
 * Compute accelerators (DRIVER_COMPUTE_ACCEL) as userspace sees them: one accel node per
 * device, numbered in its own table under char major 261, in /dev/accel and /sys/class/accel,
 * and no DRM nodes; gone after unplug like a DRM node. A driver may not be both an accelerator
 * and a render or display driver.
 *
 * @see drivers/accel/drm_accel.c; drm_dev_init(), drm_minor_alloc() in drivers/gpu/drm/drm_drv.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DRM_IOCTL_VERSION, ueventGet } from "../uapi/mod.js";
import { answer, drmMachine, TEST_DRIVER, type DrmMachine } from "./_testing.js";
import { drmDevAlloc, drmDevUnplug } from "./device.js";
import { DRIVER_COMPUTE_ACCEL, DRIVER_GEM, DRIVER_MODESET, DRIVER_RENDER } from "./drm_driver.js";

const ACCEL_DRIVER = { ...TEST_DRIVER, name: "drmaccel", features: DRIVER_COMPUTE_ACCEL | DRIVER_GEM };

/** Every uevent from now on, as "<action> <SUBSYSTEM> <DEVTYPE> <DEVNAME> <MAJOR>:<MINOR>". */
function watchUevents(m: DrmMachine): string[] {
  const out: string[] = [];
  m.kernel.uevents.subscribe({
    deliver: (ev) => {
      const keys = ["SUBSYSTEM", "DEVTYPE", "DEVNAME"].map((k) => ueventGet(ev, k));
      out.push(`${ev.action} ${keys.join(" ")} ${ueventGet(ev, "MAJOR")}:${ueventGet(ev, "MINOR")}`);
    },
  });
  return out;
}

describe("accel nodes", () => {
  test("an accelerator gets /dev/accel/accel0 (major 261) in class accel, and no DRM node", () => {
    const m = drmMachine();
    const events = watchUevents(m);
    const dev = m.registered(ACCEL_DRIVER);
    assert.deepEqual(events, ["add accel accel_minor accel/accel0 261:0"]);
    assert.ok(m.kernel.sysfs.exists("/sys/class/accel/accel0"));
    assert.equal(m.kernel.sysfs.exists("/sys/class/drm/card0"), false);
    assert.ok(m.sim.kmsg.includes("<6>[drm] Initialized drmaccel 1.0.0 for drmtest.0 on minor 0"));
    const fd = m.open("/dev/accel/accel0");
    const version = m.ioctl(fd, DRM_IOCTL_VERSION, { name_len: 16n });
    assert.ok(version.ok);
    assert.equal(version.value.name, "drmaccel");
    assert.equal(m.file(fd).master, null, "an accel file has no master");
    assert.deepEqual(m.run(() => m.proc.open("/dev/dri/card0")), { ok: false, errno: "ENOENT" });
    assert.equal(m.finishClean(dev), 0);
  });

  test("an accel node's device sits in the accel class directory under its parent, and links to its class", () => {
    const m = drmMachine();
    const paths: string[] = [];
    m.kernel.uevents.subscribe({ deliver: (ev) => paths.push(ev.devpath) });
    m.registered(ACCEL_DRIVER);
    assert.deepEqual(paths, ["/devices/drmtest.0/accel/accel0"]);
    assert.ok(m.kernel.sysfs.exists("/sys/devices/drmtest.0/accel/accel0/subsystem"));
  });

  test("accel numbers are counted apart from the DRM minors", () => {
    const m = drmMachine();
    const events = watchUevents(m);
    m.registered(TEST_DRIVER);
    m.registered(ACCEL_DRIVER);
    m.registered(ACCEL_DRIVER);
    assert.deepEqual(events.map((e) => e.split(" ").slice(3).join(" ")), [
      "dri/renderD128 226:128",
      "dri/card0 226:0",
      "accel/accel0 261:0",
      "accel/accel1 261:1",
    ]);
  });

  test("after unplug the node is removed, and a node made by hand for 261:0 is ENODEV", () => {
    const m = drmMachine();
    const dev = m.registered(ACCEL_DRIVER);
    assert.ok(m.run(() => m.proc.mknod("/dev/static/accel0", 261, 0)).ok);
    const fd = m.open("/dev/static/accel0");
    const events = watchUevents(m);
    m.run(() => drmDevUnplug(dev));
    assert.deepEqual(events, ["remove accel accel_minor accel/accel0 261:0"]);
    assert.equal(m.kernel.sysfs.exists("/sys/class/accel/accel0"), false);
    assert.deepEqual(m.run(() => m.proc.open("/dev/accel/accel0")), { ok: false, errno: "ENOENT" });
    assert.deepEqual(m.run(() => m.proc.open("/dev/static/accel0")), { ok: false, errno: "ENODEV" });
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_VERSION)), "ENODEV");
    assert.equal(m.finishClean(dev), 0);
  });

  for (const [what, feature] of [["render", DRIVER_RENDER], ["modeset", DRIVER_MODESET]] as const) {
    test(`a driver that is an accelerator and a ${what} driver is refused with EINVAL`, () => {
      const m = drmMachine();
      const parent = m.parent();
      const driver = { ...ACCEL_DRIVER, features: ACCEL_DRIVER.features | feature };
      assert.equal(m.run(() => drmDevAlloc(driver, parent)), "EINVAL");
      assert.equal(parent.refcount, 1, "the parent reference is dropped");
      assert.equal(m.sim.reportLeaks(), 0);
    });
  }
});
