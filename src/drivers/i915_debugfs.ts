/**
 * i915's debugfs knobs, under /sys/kernel/debug/dri/<primary minor>/ while the device is bound:
 *
 * - `i915_wedged`: reads 0, or -EIO as an unsigned 64-bit number (18446744073709551611) while
 *   the GT is wedged; a write of an engine mask (an unsigned number, decimal or 0x hex; bit i
 *   is engine i) handles a GPU error on those engines, as a hang would: an engine reset each,
 *   or a full GT reset, which also clears a wedge (the "forced reset"); with resets disabled it
 *   wedges the GT instead. A mask without a valid engine does nothing; anything else EINVAL;
 * - `i915_params/reset`: the device's copy of the module parameter `reset` (0 disabled, 1 full
 *   GT resets only, 2 and up engine resets too; 3 by default), read and written as an unsigned
 *   number, as IGT's igt_params_set() does.
 *
 * @see drivers/gpu/drm/i915/i915_debugfs.c (i915_wedged_get(), i915_wedged_set()),
 *      i915_debugfs_params.c, i915_params.h
 */
import type { SysfsNode } from "../base/mod.js";
import { step, type Task } from "../kernel/mod.js";
import { fail, ok, type SysResult } from "../uapi/mod.js";
import type { DrmDevice } from "../drm/mod.js";
import { i915Of, intelGtHandleError } from "./i915_reset.js";
import { vtestEnginesOf } from "./vtest_sched.js";

/** -EIO as "%llu" prints it. */
const EIO_AS_U64 = "18446744073709551611";

/**
 * An unsigned 64-bit number, decimal or 0x hex, as kstrtoull(s, 0) reads it (one trailing
 * newline allowed; the octal of a leading 0 is not modelled), or null.
 */
function parseU64(text: string): bigint | null {
  const m = /^(0[xX][0-9a-fA-F]+|\d+)\n?$/.exec(text);
  if (m === null) return null;
  const v = BigInt(m[1]!);
  return v < 2n ** 64n ? v : null;
}

/** A write of an engine mask: a GPU error on those engines. @see i915_wedged_set() */
function* i915WedgedSet(dev: DrmDevice, text: string): Task<SysResult<number>> {
  yield step("i915_wedged_set", [dev]);
  const val = parseU64(text);
  if (val === null) return fail("EINVAL");
  const count = vtestEnginesOf(dev)?.length ?? 0;
  const mask = Number(val & BigInt(2 ** count - 1));
  if (mask !== 0) {
    const reason = `Manually reset engine mask to ${val.toString(16)}`;
    yield* intelGtHandleError(dev, mask, null, reason);
  }
  return ok(text.length);
}

function wedgedNode(dev: DrmDevice): SysfsNode {
  return {
    kind: "attr",
    owner: dev,
    show: () => `${i915Of(dev).wedged ? EIO_AS_U64 : "0"}\n`,
    store: (text) => i915WedgedSet(dev, text),
  };
}

function resetParamNode(dev: DrmDevice): SysfsNode {
  return {
    kind: "attr",
    owner: dev,
    show: () => `${i915Of(dev).reset}\n`,
    *store(text) {
      yield step("i915_param_uint_write", [], [dev]);
      const v = /^(\d+)\n?$/.exec(text);
      if (v === null || Number(v[1]) > 0xffffffff) return fail("EINVAL");
      i915Of(dev).reset = Number(v[1]);
      return ok(text.length);
    },
  };
}

/** Made at probe, once the device is registered. The caller's step writes sysfs. */
export function i915DebugfsInit(dev: DrmDevice): void {
  const sysfs = dev.kernel.sysfs;
  const dir = i915Of(dev).debugfs;
  sysfs.add(`${dir}/i915_wedged`, wedgedNode(dev));
  sysfs.add(`${dir}/i915_params/reset`, resetParamNode(dev));
}

/** At remove: the device's debugfs directory goes. The caller's step writes sysfs. */
export function i915DebugfsRemove(dev: DrmDevice): void {
  dev.kernel.sysfs.remove(i915Of(dev).debugfs);
}
