/**
 * i915: a model of Linux's Intel i915 driver where a hung GPU is concerned (kernel-contract.md
 * 11.4; IGT's gem_eio), on vtest's engines and GPU schedulers. Its job submission is vtest's
 * DRM_IOCTL_VTEST_SUBMIT (standing in for DRM_IOCTL_I915_GEM_EXECBUFFER2); it has i915's own
 * DRM_IOCTL_I915_GEM_CONTEXT_CREATE/_DESTROY and DRM_IOCTL_I915_GEM_THROTTLE, and dumb
 * buffers. What is i915's:
 *
 * - its reset policy and wedged state (i915_reset.ts), its debugfs knobs (i915_debugfs.ts);
 * - while the GT is wedged, submission, context creation and throttling fail with EIO
 *   (intel_gt_terminally_wedged()); everything else works: a new buffer is made, and reads as
 *   zeroes, fences can be waited for (they end with -EIO, the waits succeed), files close;
 * - a wedged GT is not final: a forced reset through debugfs i915_wedged clears it once resets
 *   are enabled again, on the same drm_device (no rebind needed, though the event names
 *   `rebind,bus-reset` from 6.14).
 *
 * The model's throttle does not wait for the file's requests of more than 20 ms ago (it keeps
 * no per-file request list); it answers at once.
 *
 * @see drivers/gpu/drm/i915/i915_driver.c, gem/i915_gem_context.c
 *      (i915_gem_context_create_ioctl()), gem/i915_gem_throttle.c, gem/i915_gem_execbuffer.c
 */
import { lookupStep, step, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_I915_GEM_CONTEXT_CREATE,
  DRM_IOCTL_I915_GEM_CONTEXT_DESTROY,
  DRM_IOCTL_I915_GEM_THROTTLE,
  DRM_IOCTL_VTEST_HOLD_ENTER,
  DRM_IOCTL_VTEST_SUBMIT,
  fail,
  ok,
  type AnyIoctlDef,
  type ErrnoName,
} from "../uapi/mod.js";
import {
  DRM_RENDER_ALLOW,
  drmDriverIoctlTable,
  drmIoctlDef,
  sleepingHandler,
  syncHandler,
  type AnyDrmIoctlDesc,
  type DrmDevice,
  type DrmDriver,
  type DrmFile,
} from "../drm/mod.js";
import type { PciDev } from "../pci/mod.js";
import { displayPciDriver } from "./display_pipe.js";
import { driDebugfsDir } from "./dri_debugfs.js";
import { i915DebugfsInit, i915DebugfsRemove } from "./i915_debugfs.js";
import { i915TimedoutJob, intelGtIsWedged, newI915State } from "./i915_reset.js";
import { vtestDrmDriver, vtestProbe, vtestRemove } from "./vtest.js";
import { vtestSubmitIoctl } from "./vtest_submit.js";

/** An Intel Tiger Lake GT2 (Iris Xe) function. */
export const I915_PCI_ID = { vendor: 0x8086, device: 0x9a49 } as const;

/** vtest's table entry for `def`. */
function vtestEntry(def: AnyIoctlDef): AnyDrmIoctlDesc {
  const entry = vtestDrmDriver.ioctls?.find((d) => d?.def === def);
  if (entry === undefined) throw new Error(`vtest has no ${def.name}`);
  return entry;
}

/** Submission: EIO while wedged, else vtest's. @see i915_gem_do_execbuffer() */
const submit = drmIoctlDef(DRM_IOCTL_VTEST_SUBMIT, "i915_gem_execbuffer2_ioctl",
  DRM_RENDER_ALLOW, sleepingHandler(function* (file, arg) {
    if (intelGtIsWedged(file.dev)) return fail("EIO");
    return yield* vtestSubmitIoctl(file, arg);
  }));

/** A file's contexts: the ids it made (the default context, 0, is not one). */
interface I915Contexts {
  next: number;
  readonly ids: Set<number>;
}
const CONTEXTS = Symbol("i915 contexts");
type WithContexts = DrmFile & { [CONTEXTS]?: I915Contexts };

/** @see intel_gt_terminally_wedged(): EIO while wedged. */
function terminallyWedged(dev: DrmDevice): ErrnoName | null {
  return intelGtIsWedged(dev) ? "EIO" : null;
}

const contextCreate = drmIoctlDef(DRM_IOCTL_I915_GEM_CONTEXT_CREATE,
  "i915_gem_context_create_ioctl", DRM_RENDER_ALLOW, syncHandler((file) => {
    const err = terminallyWedged(file.dev);
    if (err !== null) return fail(err);
    const ctxs = ((file as WithContexts)[CONTEXTS] ??= { next: 1, ids: new Set() });
    const id = ctxs.next++;
    ctxs.ids.add(id);
    return ok({ ctx_id: id });
  }));

const contextDestroy = drmIoctlDef(DRM_IOCTL_I915_GEM_CONTEXT_DESTROY,
  "i915_gem_context_destroy_ioctl", DRM_RENDER_ALLOW, syncHandler((file, arg) => {
    if (arg.pad !== 0) return fail("EINVAL");
    if (arg.ctx_id === 0) return fail("ENOENT");
    const ctxs = (file as WithContexts)[CONTEXTS];
    return ctxs?.ids.delete(arg.ctx_id) === true ? ok({}) : fail("ENOENT");
  }));

const throttle = drmIoctlDef(DRM_IOCTL_I915_GEM_THROTTLE, "i915_gem_throttle_ioctl",
  DRM_RENDER_ALLOW, syncHandler((file) => {
    const err = terminallyWedged(file.dev);
    return err === null ? ok({}) : fail(err);
  }));

export const i915DrmDriver: DrmDriver = {
  ...vtestDrmDriver,
  name: "i915",
  desc: "Intel Graphics (model)",
  ioctls: drmDriverIoctlTable([
    vtestEntry(DRM_IOCTL_VTEST_HOLD_ENTER),
    submit,
    throttle,
    contextCreate,
    contextDestroy,
  ]),
};

function* i915Probe(pdev: PciDev): Task<0 | ErrnoName> {
  const policy = { timedout: i915TimedoutJob, nopError: terminallyWedged };
  // drm_i915_private is the drm_device's container: its state exists before the nodes do.
  const init = (dev: DrmDevice): void => void (dev.driverData = newI915State(driDebugfsDir(dev)));
  const err = yield* vtestProbe(pdev, i915DrmDriver, policy, "drm_i915_private", init);
  if (err !== 0) return err;
  yield step("i915_driver_probe", [pdev]);
  const dev = pdev.drvdata as DrmDevice;
  yield lookupStep("i915_driver_probe", () => ({
    reads: dev.primary === null ? [] : [dev.primary],
    writes: [dev, pdev, dev.kernel.sysfs],
  }));
  i915DebugfsInit(dev);
  return 0;
}

/** remove(): vtest's teardown, then the debugfs files. @see i915_pci_remove() */
function* i915Remove(pdev: PciDev): Task<void> {
  const dev = pdev.drvdata as DrmDevice;
  yield* vtestRemove(pdev);
  yield step("i915_driver_remove", [], [dev, dev.kernel.sysfs]);
  i915DebugfsRemove(dev);
}

export const i915PciDriver = displayPciDriver("i915", [I915_PCI_ID], i915Probe, i915Remove);
