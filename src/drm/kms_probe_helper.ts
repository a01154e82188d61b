/**
 * Connector hot-plug: a display plugged into or pulled out of a connector. The driver's
 * hot-plug interrupt asks each connector's detect; a connector whose status changed takes
 * it, with its modes (a display that comes brings the virtual display's mode, one that goes
 * takes every mode with it, as a probe of a disconnected connector prunes them), and the
 * change is told to userspace: a `change` uevent on the card with HOTPLUG=1 and CONNECTOR=<id>
 * when one connector changed, HOTPLUG=1 alone when several did (R93). After unplug the
 * driver's detect cannot reach the hardware (drm_dev_enter() fails): nothing changes.
 *
 * @see drm_helper_hpd_irq_event(), check_connector_changed() in drm_probe_helper.c;
 *      drm_kms_helper_connector_hotplug_event(), drm_kms_helper_hotplug_event()
 */
import { step, type Task } from "../kernel/mod.js";
import type { DrmDevice } from "./device.js";
import {
  drmSysfsConnectorHotplugEvent,
  drmSysfsHotplugEvent,
  type ConnectorStatus,
  type DrmConnector,
} from "./kms.js";
import { MODE_1024X768_60 } from "./kms_objects.js";

/** The connector takes `status`, and the modes a display there offers (none without one). */
function drmConnectorSetStatus(c: DrmConnector, status: ConnectorStatus): void {
  c.status = status;
  c.modes.length = 0;
  if (status === "connected") c.modes.push(MODE_1024X768_60);
}

/**
 * Asks every connector's detect and reports what changed; returns whether anything did.
 * @see drm_helper_hpd_irq_event()
 */
export function* drmHelperHpdIrqEvent(dev: DrmDevice): Task<boolean> {
  const probe = step("drm_helper_hpd_irq_event", [], [dev]);
  yield probe;
  const mc = dev.modeConfig;
  const detect = mc?.funcs?.detect;
  if (mc == null || detect === undefined) return false;
  const changed: DrmConnector[] = [];
  for (const c of mc.connectors) {
    const status = yield* detect(dev, c);
    yield probe;
    if (status === c.status) continue;
    dev.sim.printk(7, `[drm] [CONNECTOR:${c.id}:${c.name}] status updated from ${c.status} to ${status}`);
    drmConnectorSetStatus(c, status);
    changed.push(c);
  }
  const [first] = changed;
  if (changed.length === 1 && first !== undefined) yield* drmSysfsConnectorHotplugEvent(first);
  else if (changed.length > 1) yield* drmSysfsHotplugEvent(dev);
  return changed.length > 0;
}
