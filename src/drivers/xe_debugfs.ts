/**
 * xe's debugfs knobs, the administrator's way to wedge a device on purpose, under
 * /sys/kernel/debug/dri/<primary minor>/ while the device is bound:
 *
 * - `wedged_mode`: reads the mode; a write of 0, 1 or 2 sets it, anything else that is not a
 *   number, or a value above 2, fails with EINVAL (R88). Mode 2 is accepted: the model's
 *   kernel is built with CONFIG_DRM_XE_DEBUG and its functions are not SR-IOV VFs, the two
 *   cases where xe refuses it with EPERM;
 * - `fail_gt_reset/probability` and `fail_gt_reset/times`: the fault attribute that makes GT
 *   resets fail (probability in percent, 0 by default; times, -1 for no limit, 1 by default);
 * - `inject_csc_hw_error`: a write raises a CSC (firmware) hardware error, which xe answers
 *   with runtime survivability mode. (Linux's knob of that name is a fault attribute consulted
 *   when the error interrupt comes; the model has no interrupt to wait for, so a write is the
 *   error.)
 *
 * @see drivers/gpu/drm/xe/xe_debugfs.c (wedged_mode_set(), fail_gt_reset),
 *      xe_hw_error.c (csc_hw_error_handler())
 */
import type { SysfsNode } from "../base/mod.js";
import { step, type Task } from "../kernel/mod.js";
import { fail, ok, type SysResult } from "../uapi/mod.js";
import type { DrmDevice } from "../drm/mod.js";
import { faultAttrAdd } from "./fault_attr.js";
import { xeOf, xeSurvivabilityModeRuntimeEnable, type XeWedgedMode } from "./xe_wedge.js";

/** An unsigned decimal (kstrtouint: one trailing newline allowed), or null. */
function parseUint(text: string): number | null {
  const m = /^(\d+)\n?$/.exec(text);
  return m === null ? null : Number(m[1]);
}

/** A write that changes the xe state: one step that writes the device (its container). */
function* setter(dev: DrmDevice, fn: string, apply: () => SysResult<0>, size: number): Task<SysResult<number>> {
  yield step(fn, [], [dev]);
  const r = apply();
  return r.ok ? ok(size) : r;
}

function wedgedModeNode(dev: DrmDevice): SysfsNode {
  return {
    kind: "attr",
    owner: dev,
    show: () => `${xeOf(dev).wedged.mode}\n`,
    store: (text) => setter(dev, "wedged_mode_set", () => {
      const mode = parseUint(text);
      if (mode === null || mode > 2) return fail("EINVAL");
      xeOf(dev).wedged.mode = mode as XeWedgedMode;
      return ok(0);
    }, text.length),
  };
}

/** A CSC firmware error: runtime survivability mode. @see csc_hw_error_handler() */
function* injectCscHwError(dev: DrmDevice, text: string): Task<SysResult<number>> {
  yield* xeSurvivabilityModeRuntimeEnable(dev);
  return ok(text.length);
}

/** Made at probe, once the device is registered. The caller's step writes sysfs. */
export function xeDebugfsInit(dev: DrmDevice): void {
  const sysfs = dev.kernel.sysfs;
  const dir = xeOf(dev).debugfs;
  sysfs.add(`${dir}/wedged_mode`, wedgedModeNode(dev));
  faultAttrAdd(sysfs, `${dir}/fail_gt_reset`, dev, xeOf(dev).failGtReset);
  sysfs.add(`${dir}/inject_csc_hw_error`, {
    kind: "attr",
    owner: dev,
    store: (text) => injectCscHwError(dev, text),
  });
}

/** At remove: the device's debugfs directory goes. The caller's step writes sysfs. */
export function xeDebugfsRemove(dev: DrmDevice): void {
  dev.kernel.sysfs.remove(xeOf(dev).debugfs);
}
