/**
 * xe-early-wedge: a deliberately broken sibling of xe, for negative controls. When it declares
 * its device wedged it sends the WEDGED uevent first and makes the device harmless after: at
 * the event its schedulers still submit and the fences of its hung and queued jobs are still
 * unsignalled, which the uAPI document forbids (R79). The prerequisite check of
 * drm_dev_wedged_event() reports it: a `wedge-prerequisite` finding (class warn, exit 6)
 * naming each scheduler and fence.
 *
 * Everything else is xe's, so the order is its only bug.
 */
import { displayPciDriver } from "./display_pipe.js";
import { XE_PCI_ID, xeDrmDriver, xeProbe, xeRemove } from "./xe.js";
import type { DrmDriver } from "../drm/mod.js";

export const xeEarlyWedgeDrmDriver: DrmDriver = { ...xeDrmDriver, name: "xe-early-wedge" };

export const xeEarlyWedgePciDriver = displayPciDriver(
  "xe-early-wedge",
  [XE_PCI_ID],
  (pdev) => xeProbe(pdev, xeEarlyWedgeDrmDriver, "event-first"),
  xeRemove,
);
