/**
 * A connector's status across its registration: "unknown" until a probe finds a display, and
 * a connector a hot-plug probe found connected before drm_dev_register() is registered without
 * a second HOTPLUG event, keeping the one mode its probe gave it.
 *
 * @see drm_modeset_register_all() in drivers/gpu/drm/drm_mode_config.c;
 *      drm_helper_hpd_irq_event() in drm_probe_helper.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { step } from "../kernel/mod.js";
import { DRM_IOCTL_MODE_GETCONNECTOR, DRM_MODE_CONNECTED, formatUeventRaw } from "../uapi/mod.js";
import { drmMachine, TEST_KMS_DRIVER, TEST_PIPE_FUNCS } from "./_testing.js";
import { drmDevRegister } from "./device.js";
import { drmmConnectorInit, drmmModeConfigInit, type KmsPipeFuncs } from "./kms.js";
import { drmSimpleDisplayPipeInit } from "./kms_pipe.js";
import { drmHelperHpdIrqEvent } from "./kms_probe_helper.js";

/** The test pipe with a display always sensed on its connector. */
const DISPLAY_PRESENT: KmsPipeFuncs = {
  ...TEST_PIPE_FUNCS,
  *detect(dev) {
    yield step("drmtest_detect", [dev], []);
    return "connected";
  },
};

describe("drm_modeset_register_all()", () => {
  test("a connector a probe found connected before registration: added, no HOTPLUG event, still one mode", () => {
    const m = drmMachine();
    const dev = m.alloc(TEST_KMS_DRIVER);
    assert.equal(drmmModeConfigInit(dev), 0);
    const c = drmmConnectorInit(dev, "Virtual");
    assert.ok(typeof c !== "string", String(c));
    drmSimpleDisplayPipeInit(dev, c, DISPLAY_PRESENT);
    assert.equal(m.runIn("test_irq", [dev], () => drmHelperHpdIrqEvent(dev)), true);
    assert.deepEqual(
      m.sim.kmsg.filter((l) => l.includes("CONNECTOR:")),
      [`<7>[drm] [CONNECTOR:${c.id}:Virtual-1] status updated from unknown to connected`],
      "a new connector's status is unknown until probed",
    );
    const events: string[] = [];
    const action = (raw: string) => raw.split("@")[0]!;
    m.kernel.uevents.subscribe({ deliver: (ev) => events.push(action(formatUeventRaw(ev))) });
    assert.equal(m.run(() => drmDevRegister(dev)), 0);
    assert.deepEqual(events, ["add", "add", "add"], "render node, card, connector; no change");
    const fd = m.open("/dev/dri/card0");
    const got = m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: c.id });
    assert.ok(got.ok, "GETCONNECTOR");
    assert.deepEqual([got.value.connection, got.value.count_modes], [DRM_MODE_CONNECTED, 1]);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drmm_connector_init()", () => {
  test("when its cleanup action cannot be added (ENOMEM) it fails and leaves nothing behind", () => {
    const m = drmMachine();
    const dev = m.alloc(TEST_KMS_DRIVER);
    assert.equal(drmmModeConfigInit(dev), 0);
    m.kernel.faults.set("drmm_add_action", { nth: 1 });
    assert.equal(drmmConnectorInit(dev, "Virtual"), "ENOMEM");
    // drmm_add_action_or_reset() cleans the connector up at once: not listed, its name free.
    assert.equal(dev.modeConfig?.connectors.length, 0);
    const next = drmmConnectorInit(dev, "Virtual");
    assert.ok(typeof next !== "string", String(next));
    assert.equal(next.name, "Virtual-1");
    assert.deepEqual(dev.modeConfig?.connectors, [next]);
    assert.equal(m.finish(dev), 0);
  });
});
