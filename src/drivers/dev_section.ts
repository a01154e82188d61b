/**
 * drm_dev_enter() for drivers that come in a correct and a deliberately broken flavour: the
 * broken one (`guarded: false`, a negative control) skips the section and touches the
 * hardware unprotected, the correct one enters it and backs off once the device is unplugged.
 * One idiom for every such driver, so the flavours differ in the flag only.
 * @see drm_dev_enter(), drm_dev_exit() in drivers/gpu/drm/drm_drv.c
 */
import type { SrcuToken } from "../kernel/mod.js";
import { drmDevEnter, drmDevExit, type DrmDevice } from "../drm/mod.js";

/** A section entered (its SRCU token), or "unguarded": the broken flavour's, entered nowhere. */
export type DevSection = SrcuToken | "unguarded";

/** The section to run hardware work in, or null when the device is gone (the caller backs off). */
export function devSectionEnter(dev: DrmDevice, guarded: boolean): DevSection | null {
  return guarded ? drmDevEnter(dev) : "unguarded";
}

export function devSectionExit(dev: DrmDevice, section: DevSection): void {
  if (section !== "unguarded") drmDevExit(dev, section);
}
