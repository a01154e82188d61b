/**
 * Modeset objects as userspace sees them: hotplug uevents on the card (with CONNECTOR=<id> for
 * one connector), connectors removed once whether the device is unregistered, unplugged or
 * both, connector names counted kernel-wide per type and given back at the final put.
 *
 * @see drm_sysfs_hotplug_event(), drm_sysfs_connector_hotplug_event() in drm_sysfs.c;
 *      drm_modeset_unregister_all(), drmm_connector_init() in drivers/gpu/drm
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ueventGet } from "../uapi/mod.js";
import { drmMachine, TEST_KMS_DRIVER, type DrmMachine } from "./_testing.js";
import { drmDevPut, drmDevRegister, drmDevUnplug, drmDevUnregister } from "./device.js";
import {
  drmmConnectorInit,
  drmmModeConfigInit,
  drmSysfsConnectorHotplugEvent,
  drmSysfsHotplugEvent,
  type DrmConnector,
} from "./kms.js";
import { drmPrimaryPlaneInit } from "./kms_objects.js";

/** Every uevent from now on, as "<action> <devpath's last part> [KEY=VALUE of HOTPLUG, CONNECTOR]". */
function watch(m: DrmMachine): string[] {
  const out: string[] = [];
  m.kernel.uevents.subscribe({
    deliver: (ev) => {
      const keys = ["HOTPLUG", "CONNECTOR"].flatMap((k) => {
        const v = ueventGet(ev, k);
        return v === undefined ? [] : [`${k}=${v}`];
      });
      out.push([ev.action, ev.devpath.split("/").at(-1), ...keys].join(" "));
    },
  });
  return out;
}

function connectorOf(m: DrmMachine, dev = m.kms()): { dev: typeof dev; c: DrmConnector } {
  const c = dev.modeConfig?.connectors[0];
  assert.ok(c !== undefined);
  return { dev, c };
}

describe("hotplug uevents", () => {
  test("a hotplug event is a change on the card with HOTPLUG=1; a connector's adds CONNECTOR=<id>", () => {
    const m = drmMachine();
    const { dev, c } = connectorOf(m);
    const events = watch(m);
    m.runIn("test_hotplug", [dev], () => drmSysfsHotplugEvent(dev));
    m.runIn("test_hotplug", [dev], () => drmSysfsConnectorHotplugEvent(c));
    assert.deepEqual(events, ["change card0 HOTPLUG=1", `change card0 HOTPLUG=1 CONNECTOR=${c.id}`]);
    assert.equal(c.id, 32, "the standard properties took ids 1..31");
    assert.equal(m.finishClean(dev), 0);
  });

  test("after unplug no hotplug event is sent: the card is gone", () => {
    const m = drmMachine();
    const { dev, c } = connectorOf(m);
    m.run(() => drmDevUnplug(dev));
    const events = watch(m);
    m.runIn("test_hotplug", [dev], () => drmSysfsHotplugEvent(dev));
    m.runIn("test_hotplug", [dev], () => drmSysfsConnectorHotplugEvent(c));
    assert.deepEqual(events, []);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("connectors", () => {
  test("unregister removes the connector, then the minors; a later unplug removes nothing again", () => {
    const m = drmMachine();
    const dev = m.kms();
    const events = watch(m);
    m.run(() => drmDevUnregister(dev));
    assert.deepEqual(events.splice(0), ["remove card0-Virtual-1", "remove card0", "remove renderD128"]);
    m.run(() => drmDevUnplug(dev));
    assert.deepEqual(events, []);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a connector's name is taken until the final put, even if it was never registered", () => {
    const m = drmMachine();
    const first = m.kms();
    const unregistered = m.alloc(TEST_KMS_DRIVER);
    assert.equal(drmmModeConfigInit(unregistered), 0);
    const c2 = drmmConnectorInit(unregistered, "Virtual");
    assert.ok(typeof c2 !== "string");
    assert.equal(c2.name, "Virtual-2");
    const hdmi = drmmConnectorInit(unregistered, "HDMI-A");
    assert.ok(typeof hdmi !== "string");
    assert.equal(hdmi.name, "HDMI-A-1", "each type counts on its own");
    m.run(() => drmDevPut(unregistered));
    m.run(() => drmDevUnplug(first));
    const third = m.kms();
    assert.equal(third.modeConfig?.connectors[0]?.name, "Virtual-2", "the first still holds Virtual-1");
    m.run(() => drmDevPut(third));
    assert.equal(m.finishClean(first), 0);
  });

  test("a device's first registration finds its connectors connected and says so once", () => {
    const m = drmMachine();
    const events = watch(m);
    const dev = m.alloc(TEST_KMS_DRIVER);
    assert.equal(drmmModeConfigInit(dev), 0);
    const [a, b] = [drmmConnectorInit(dev, "Virtual"), drmmConnectorInit(dev, "VGA")];
    assert.ok(typeof a !== "string" && typeof b !== "string");
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    assert.deepEqual(events, [
      "add renderD128",
      "add card0",
      "add card0-Virtual-1",
      "add card0-VGA-1",
      `change card0 HOTPLUG=1 CONNECTOR=${a.id}`,
      `change card0 HOTPLUG=1 CONNECTOR=${b.id}`,
    ]);
    assert.deepEqual([a.status, b.status], ["connected", "connected"]);
  });

  test("a mode object on a device without mode config is a driver bug, refused", () => {
    const m = drmMachine();
    const dev = m.alloc(TEST_KMS_DRIVER);
    assert.throws(() => drmPrimaryPlaneInit(dev, 0), { message: /mode config not initialised/ });
    assert.throws(() => drmmConnectorInit(dev, "Virtual"), { message: /mode config not initialised/ });
  });
});
