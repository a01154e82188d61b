/**
 * Connector hot-plug through the helper a driver's interrupt calls: one connector changed is
 * a `change` uevent with HOTPLUG=1 and CONNECTOR=<id>, several a HOTPLUG=1 alone (R93, the
 * bytes), nothing changed nothing; the connector takes the status and its modes with it, and
 * GETCONNECTOR shows them. After unplug the detect reaches no hardware: nothing changes.
 *
 * @see drm_helper_hpd_irq_event() in drm_probe_helper.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { step } from "../kernel/mod.js";
import { DRM_IOCTL_MODE_GETCONNECTOR, formatUeventRaw } from "../uapi/mod.js";
import { kmsPipes } from "./_test_kms.js";
import { drmMachine, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";
import { drmDevEnter, drmDevExit, drmDevUnplug } from "./device.js";
import type { ConnectorStatus, KmsPipeFuncs } from "./kms.js";
import { drmHelperHpdIrqEvent } from "./kms_probe_helper.js";

/** The displays on each connector (by connector id), as the hardware senses them. */
type Sense = Map<number, ConnectorStatus>;

/** The test pipe with a detect that reads `sense` inside drm_dev_enter(), as a driver does. */
function sensing(sense: Sense): KmsPipeFuncs {
  return {
    ...TEST_PIPE_FUNCS,
    *detect(dev, c) {
      yield step("drmtest_detect", [dev], [dev.unplugSrcu]);
      const token = drmDevEnter(dev);
      if (token === null) return c.status;
      drmDevExit(dev, token);
      return sense.get(c.id) ?? c.status;
    },
  };
}

function watch(m: DrmMachine): string[] {
  const out: string[] = [];
  m.kernel.uevents.subscribe({ deliver: (ev) => out.push(formatUeventRaw(ev)) });
  return out;
}

const CARD = "/devices/drmtest.0/drm/card0";
const HEAD = `change@${CARD}|ACTION=change|DEVPATH=${CARD}|SUBSYSTEM=drm|HOTPLUG=1`;
const TAIL = "MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor";

describe("drm_helper_hpd_irq_event()", () => {
  test("one connector's display goes: HOTPLUG=1 CONNECTOR=32, these bytes; GETCONNECTOR reads disconnected, no mode", () => {
    const m = drmMachine();
    const sense: Sense = new Map();
    const dev = kmsPipes(m, 1, sensing(sense));
    const fd = m.open("/dev/dri/card0");
    const events = watch(m);
    sense.set(32, "disconnected");
    assert.equal(m.runIn("test_irq", [dev], () => drmHelperHpdIrqEvent(dev)), true);
    assert.deepEqual(events.splice(0), [`${HEAD}|CONNECTOR=32|${TAIL}|SEQNUM=5`]);
    assert.deepEqual(
      m.sim.kmsg.filter((l) => l.includes("CONNECTOR:")),
      ["<7>[drm] [CONNECTOR:32:Virtual-1] status updated from connected to disconnected"],
      "the kernel log tells the change",
    );
    const c = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: 32, count_modes: 1 });
    assert.ok(c.ok);
    assert.deepEqual([c.value.connection, c.value.count_modes], [2, 0]);
    assert.equal(m.runIn("test_irq", [dev], () => drmHelperHpdIrqEvent(dev)), false, "no change, no event");
    assert.deepEqual(events.splice(0), []);
    sense.set(32, "connected");
    m.runIn("test_irq", [dev], () => drmHelperHpdIrqEvent(dev));
    assert.deepEqual(events, [`${HEAD}|CONNECTOR=32|${TAIL}|SEQNUM=6`]);
    const back = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: 32, count_modes: 1 });
    assert.ok(back.ok);
    assert.deepEqual([back.value.connection, back.value.count_modes, back.value.modes_ptr[0]?.["name"]], [1, 1, "1024x768"]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("two connectors changed at once: one generic event, HOTPLUG=1 alone", () => {
    const m = drmMachine();
    const sense: Sense = new Map();
    const dev = kmsPipes(m, 2, sensing(sense));
    const events = watch(m);
    sense.set(32, "disconnected").set(33, "disconnected");
    m.runIn("test_irq", [dev], () => drmHelperHpdIrqEvent(dev));
    assert.deepEqual(events, [`${HEAD}|${TAIL}|SEQNUM=7`]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("after unplug the detect reaches nothing: no change, no event", () => {
    const m = drmMachine();
    const sense: Sense = new Map();
    const dev = kmsPipes(m, 1, sensing(sense));
    m.runIn("test_remove", [dev], () => drmDevUnplug(dev));
    const events = watch(m);
    sense.set(32, "disconnected");
    assert.equal(m.runIn("test_irq", [dev], () => drmHelperHpdIrqEvent(dev)), false);
    assert.deepEqual(events, []);
    assert.equal(dev.modeConfig?.connectors[0]?.status, "connected");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a device without mode config, or whose driver has no detect: nothing to ask, nothing changed", () => {
    const p = drmMachine();
    const plain = p.registered();
    assert.equal(p.runIn("test_irq", [plain], () => drmHelperHpdIrqEvent(plain)), false, "no mode config");
    assert.equal(p.finishClean(plain), 0);
    const m = drmMachine();
    const dev = kmsPipes(m, 1);
    const events = watch(m);
    assert.equal(m.runIn("test_irq", [dev], () => drmHelperHpdIrqEvent(dev)), false, "no detect");
    assert.deepEqual(events, []);
    assert.equal(m.finishClean(dev), 0);
  });
});
