/**
 * A sanitizer of a driver's hardware accesses across unplug: once drm_dev_unplug() has
 * marked the device gone, the driver may touch its registers only in its own remove() (which
 * runs the teardown) or inside a drm_dev_enter() section that began before the unplug (which
 * drm_dev_unplug() waits for). Any other access (a commit, a fault handler, a worker that
 * skipped drm_dev_enter()) reaches hardware that may be gone or bound to another driver:
 * the finding `hardware-after-unplug`. It reads the device as an observer, outside the
 * footprint of the step that made the access.
 *
 * @see docs/requirements.md#r8; drm_dev_enter() in drivers/gpu/drm/drm_drv.c
 */
import type { SimTask } from "../kernel/mod.js";
import type { DrmDevice } from "./device.js";

/** The task running the driver's remove(), once it has begun: its accesses are the teardown. */
export interface RemoverRef {
  task: SimTask | null;
}

/** Whether the current task is inside a drm_dev_enter() section (of any device: one SRCU domain). */
function insideDevEnter(dev: DrmDevice): boolean {
  const srcu = dev.unplugSrcu;
  const current = dev.sim.current;
  return srcu.readersBefore(srcu.horizon).some((r) => r.task === current);
}

/**
 * Checks one access to register `offset` of the hardware behind `dev` (named `device`), made
 * by the current task; reports a finding if it comes after the unplug from outside remove()
 * and outside drm_dev_enter().
 */
export function drmHardwareAccessCheck(
  dev: DrmDevice,
  remover: RemoverRef,
  device: string,
  offset: number,
  mode: "read" | "write",
): void {
  const sim = dev.sim;
  const bad = sim.observe(() => {
    if (!dev.unplugged) return false;
    if (remover.task !== null && sim.current === remover.task) return false;
    return !insideDevEnter(dev);
  });
  if (!bad) return;
  const register = `0x${offset.toString(16).padStart(4, "0")}`;
  sim.report({ kind: "hardware-after-unplug", device, register, mode, site: sim.site() });
}
