/**
 * The standard properties a mode config creates, as GETPROPERTY names them: ids 1 to 31 in
 * Linux's creation order (connector ones first), before any CRTC or connector takes an id.
 *
 * @see drm_mode_create_standard_properties() in drivers/gpu/drm/drm_mode_config.c;
 *      drm_mode_getproperty_ioctl() in drm_property.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DRM_IOCTL_MODE_GETPROPERTY } from "../uapi/mod.js";
import { answer, drmMachine } from "./_testing.js";

/** Written out here, not imported: the list the model must create, as Linux 6.12 numbers it. */
const NAMES = [
  "EDID", "DPMS", "PATH", "TILE", "link-status", "non-desktop", "HDR_OUTPUT_METADATA",
  "type", "SRC_X", "SRC_Y", "SRC_W", "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H",
  "FB_ID", "IN_FENCE_FD", "OUT_FENCE_PTR", "CRTC_ID", "FB_DAMAGE_CLIPS", "ACTIVE", "MODE_ID",
  "VRR_ENABLED", "DEGAMMA_LUT", "DEGAMMA_LUT_SIZE", "CTM", "GAMMA_LUT", "GAMMA_LUT_SIZE",
  "IN_FORMATS", "SIZE_HINTS",
];

describe("drm_mode_create_standard_properties()", () => {
  test("GETPROPERTY names ids 1 to 31 in creation order; id 32 is the connector, no property (ENOENT)", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const names = NAMES.map((_, i) => {
      const r = m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: i + 1 });
      return r.ok ? r.value.name : r.errno;
    });
    assert.deepEqual(names, NAMES);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, { prop_id: 32 })), "ENOENT");
    assert.equal(dev.modeConfig!.connectors[0]!.id, 32);
    assert.equal(m.finishClean(dev), 0);
  });
});
