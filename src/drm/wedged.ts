/**
 * The wedged event: a driver that gave up on its device (hung, unusable, not recoverable from
 * the driver) tells userspace which recovery could bring it back, as a `change` uevent on the
 * card with `WEDGED=<method>[,<method>...]` first (R66), optionally followed by `PID=` and
 * `TASK=` of the program involved (R71).
 *
 * A driver calls one function, `drmDevWedgedEvent(dev, methods, info)`, with a bit mask of
 * DRM_WEDGE_RECOVERY_* and the task information or null. What the kernel version changes is
 * in variants.ts: whether the function exists at all (`wedgedEvent`, 6.14), the method names
 * it knows (`wedgedMethods`: vendor-specific from 6.18; cold-reset is pending), whether it takes
 * task information (`wedgedTaskInfo`, 6.17) and its log line for `none` (`wedgedNoneLog`).
 * Before 6.14 a driver's call sends nothing and returns 0 (the driver has no such event).
 *
 * The event string is built as the kernel builds it, in a 32-byte buffer: the names of the set
 * bits in ascending order (R67, R76), each with a comma, the last comma dropped; a bit without
 * a name stops the loop with a one-time WARN and makes the value `unknown`, as does a mask of
 * 0 (R68, R69). Names that do not fit are cut at 31 characters, "WEDGED=" included (R74).
 *
 * A non-`none` event also marks the drm_device wedged (`DrmDevice.wedged`: the methods sent),
 * what userspace is told holds until recovery (R78); before it is sent, the prerequisites of
 * the uAPI document are checked (wedged_check.ts, R79).
 *
 * @see drm_dev_wedged_event(), drm_get_wedge_recovery() in drivers/gpu/drm/drm_drv.c;
 *      Documentation/gpu/drm-uapi.rst, "Device Wedging"
 */
import { kobjectUevent, variant, type Kernel } from "../base/mod.js";
import { lookupStep, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DrmDevice } from "./device.js";
import { drmWedgedPrerequisiteCheck } from "./wedged_check.js";

/** Recovery method bits. @see include/drm/drm_device.h */
export const DRM_WEDGE_RECOVERY_NONE = 1 << 0;
export const DRM_WEDGE_RECOVERY_REBIND = 1 << 1;
export const DRM_WEDGE_RECOVERY_BUS_RESET = 1 << 2;
export const DRM_WEDGE_RECOVERY_VENDOR = 1 << 3;
/**
 * Pending at 7.1 (the bit value of the RFC): no modelled kernel names it yet, so it sends
 * WEDGED=unknown; give `wedgedMethods` a version with it when one is modelled.
 */
export const DRM_WEDGE_RECOVERY_COLD_RESET = 1 << 4;

/** The size of event_string, NUL included. */
const WEDGE_STR_LEN = 32;
/** TASK_COMM_LEN: a task's name has at most 15 characters. */
const TASK_COMM_LEN = 16;

/** Who was involved, when the driver knows. @see struct drm_wedge_task_info */
export interface DrmWedgeTaskInfo {
  readonly pid: number;
  readonly comm: string;
}

/** The recovery method of bit `bit` in this kernel, or null. @see drm_get_wedge_recovery() */
export function drmGetWedgeRecovery(kernel: Kernel, bit: number): string | null {
  return variant(kernel.profile, "wedgedMethods").split(",")[bit] ?? null;
}

/** The set bits of `method`, lowest first (for_each_set_bit()). */
function setBits(method: number): number[] {
  const bits: number[] = [];
  for (let bit = 0; bit < 53; bit++) if (Math.floor(method / 2 ** bit) % 2 === 1) bits.push(bit);
  return bits;
}

/** What scnprintf() appends to a buffer of WEDGE_STR_LEN holding `len` characters. */
function scnprintf(len: number, text: string): string {
  return text.slice(0, Math.max(0, WEDGE_STR_LEN - 1 - len));
}

/**
 * The `WEDGED=` string for `method`, and the first bit without a name (null if none).
 * Exported for tests; drmDevWedgedEvent() sends it.
 */
export function drmWedgedEventString(
  kernel: Kernel,
  method: number,
): { readonly text: string; readonly invalidBit: number | null } {
  let text = "WEDGED=";
  let recovery: string | null = null;
  for (const bit of setBits(method)) {
    recovery = drmGetWedgeRecovery(kernel, bit);
    if (recovery === null) return { text: "WEDGED=unknown", invalidBit: bit };
    text += scnprintf(text.length, `${recovery},`);
  }
  // Drop the last character: the trailing comma, or the last one that fitted.
  return { text: recovery === null ? "WEDGED=unknown" : text.slice(0, -1), invalidBit: null };
}

/** The uevent keys of the event, WEDGED first, then PID and TASK when `info` is usable. */
function wedgedEnv(text: string, info: DrmWedgeTaskInfo | null): [string, string][] {
  const env: [string, string][] = [["WEDGED", text.slice("WEDGED=".length)]];
  if (info !== null && info.comm !== "" && info.pid >= 0) {
    env.push(["PID", String(info.pid)], ["TASK", info.comm.slice(0, TASK_COMM_LEN - 1)]);
  }
  return env;
}

/**
 * Sends the wedged event of `dev` (see the file comment). Returns the send's result: 0, or
 * ENODEV when the card is no longer registered (inferred: the model sends nothing then).
 * @see drm_dev_wedged_event()
 */
export function* drmDevWedgedEvent(
  dev: DrmDevice,
  method: number,
  info: DrmWedgeTaskInfo | null,
): Task<0 | ErrnoName> {
  const kernel = dev.kernel;
  if (!variant(kernel.profile, "wedgedEvent")) return 0;
  const primary = dev.primary;
  yield lookupStep("drm_dev_wedged_event", () => ({
    reads: [dev.parent, ...(primary === null ? [] : [primary]), ...(primary?.kdev ? [primary.kdev] : [])],
    writes: [dev],
  }));
  const { text, invalidBit } = drmWedgedEventString(kernel, method);
  // drm_info()/drm_WARN_ONCE() print through dev_info(): the parent's driver and name first.
  const prefix = `${dev.parent.driver?.name ?? dev.driver.name} ${dev.parent.name}: [drm]`;
  if (invalidBit !== null) {
    dev.sim.warn(`${prefix} invalid recovery method ${invalidBit}`, "drm_dev_wedged_event");
  }
  const how =
    method === DRM_WEDGE_RECOVERY_NONE ? variant(kernel.profile, "wedgedNoneLog") : "needs recovery";
  dev.sim.printk(6, `${prefix} device wedged, ${how}`);
  const withInfo = variant(kernel.profile, "wedgedTaskInfo") ? info : null;
  const env = wedgedEnv(text, withInfo);
  if (method !== DRM_WEDGE_RECOVERY_NONE) {
    drmWedgedPrerequisiteCheck(dev, env[0]![1]);
    dev.wedged = env[0]![1];
    dev.sim.traceState(dev.mem, "wedged", `WEDGED=${dev.wedged}`);
  }
  const kdev = primary?.kdev;
  if (kdev == null || !kdev.added) return "ENODEV";
  yield* kobjectUevent(kdev, "change", env);
  return 0;
}

/**
 * The driver brought its wedged device back itself (i915's reset that unwedges the GT): what
 * userspace was told no longer holds, and the wedged state ends. The calling step writes `dev`.
 */
export function drmWedgedStateClear(dev: DrmDevice): void {
  if (dev.wedged === null) return;
  dev.wedged = null;
  dev.sim.traceState(dev.mem, null);
}
