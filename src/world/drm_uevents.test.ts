/**
 * The uevents userspace receives when a DRM driver is unbound and bound again: connectors go
 * first and minors go primary then render at unregister, minors come render then primary at
 * register, each with its node name and type, and the PCI device's unbind comes after the
 * driver's teardown.
 *
 * @see drm_dev_register(), drm_dev_unregister() in drivers/gpu/drm/drm_drv.c;
 *      device_release_driver_internal() in drivers/base/dd.c
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ueventGet, type Uevent } from "../uapi/mod.js";
import { bind, drainUevents, ueventSocketOk, unbind, userSession } from "./_testing.js";

/** "action name type": the node name (or the last devpath part) and DEVTYPE (or SUBSYSTEM). */
function brief(ev: Uevent): string {
  const name = ueventGet(ev, "DEVNAME") ?? ev.devpath.split("/").at(-1) ?? "?";
  const type = ueventGet(ev, "DEVTYPE") ?? ueventGet(ev, "SUBSYSTEM") ?? "?";
  const devt = ueventGet(ev, "MAJOR") === undefined ? "" : ` ${ueventGet(ev, "MAJOR")}:${ueventGet(ev, "MINOR")}`;
  return `${ev.action} ${name} ${type}${devt}`;
}

test("unbind and bind send connector, card and render uevents in the kernel's order (R2, R5, R26, R34)", () => {
  const s = userSession();
  const seen = s.run(function* (sys) {
    const sock = yield* ueventSocketOk(sys);
    yield* unbind(sys);
    const unbound = (yield* drainUevents(sys, sock)).map(brief);
    yield* bind(sys);
    const bound = (yield* drainUevents(sys, sock)).map(brief);
    return { unbound, bound };
  });
  assert.deepEqual(seen, {
    unbound: [
      "remove card0-Virtual-1 drm_connector",
      "remove dri/card0 drm_minor 226:0",
      "remove dri/renderD128 drm_minor 226:128",
      "unbind 0000:01:00.0 pci",
    ],
    bound: [
      "add dri/renderD128 drm_minor 226:128",
      "add dri/card0 drm_minor 226:0",
      "add card0-Virtual-1 drm_connector",
      "change dri/card0 drm_minor 226:0",
      "bind 0000:01:00.0 pci",
    ],
  });
  assert.equal(s.shutdown(), 0);
});

test("unbind removes the PCI device's drm class directory with its last minor; bind makes it again", () => {
  const s = userSession();
  const drmDir = "/sys/bus/pci/devices/0000:01:00.0/drm";
  const seen = s.run(function* (sys) {
    const before = yield* sys.readdir(drmDir);
    yield* unbind(sys);
    const unbound = yield* sys.exists(drmDir);
    yield* bind(sys);
    const bound = yield* sys.readdir(drmDir);
    return { before, unbound, bound };
  });
  const names = (r: typeof seen.before): string[] => (r.ok ? r.value.map((e) => e.name) : [r.errno]);
  assert.deepEqual(names(seen.before), ["card0", "renderD128"]);
  assert.equal(seen.unbound, false);
  assert.deepEqual(names(seen.bound), ["card0", "renderD128"]);
});
