/**
 * From a WEDGED event's DEVPATH to the PCI function the recovery acts on. The card's
 * directory must exist under the sysfs root, its `device` link must lead to a directory under
 * `/devices` whose `subsystem` is the PCI bus and whose name is a PCI address; anything else
 * (a path with `..` that leaves the root, a link that points outside it, a card whose parent is
 * not PCI) is refused with the reason, and nothing is written for it.
 *
 * @see Documentation/gpu/drm-uapi.rst, "Device Wedging" (the example script's
 * `readlink -f /sys/$DEVPATH/device`); docs/requirements.md#r90
 */
import type { Call } from "../uapi/mod.js";
import type { SysfsAccess } from "./host.js";

export const BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const CARD = /^card(\d+)$/;

export interface PciDevice {
  /** The card's directory inside the root, as resolved: "/devices/.../0000:03:00.0/drm/card0". */
  readonly card: string;
  readonly cardName: string;
  /** The PCI function's directory inside the root. */
  readonly path: string;
  /** Its bus address, "0000:03:00.0". */
  readonly bdf: string;
  /** The bound driver's name ("xe"), or null when no driver is bound. */
  readonly driver: string | null;
}

export type PciLookup = { readonly ok: true; readonly device: PciDevice } | { readonly ok: false; readonly reason: string };

function refused(reason: string): PciLookup {
  return { ok: false, reason };
}

/** The PCI function of the DRM card at `devpath` (a DEVPATH: "/devices/.../drm/card0"). */
export function* lookupPciDevice(sysfs: SysfsAccess, devpath: string): Call<PciLookup> {
  if (!devpath.startsWith("/devices/") || devpath.split("/").includes(".."))
    return refused(`DEVPATH ${JSON.stringify(devpath)} is not a path under /devices`);
  const card = yield* sysfs.resolve(devpath);
  if (card.k === "missing") return refused(`${sysfs.root}${devpath} does not exist`);
  if (card.k === "outside") return refused(`${sysfs.root}${devpath} leads outside ${sysfs.root} (to ${card.target})`);
  const cardName = card.path.slice(card.path.lastIndexOf("/") + 1);
  if (!CARD.test(cardName)) return refused(`${cardName} is not a DRM card (cardN)`);
  const dev = yield* sysfs.resolve(`${card.path}/device`);
  if (dev.k === "missing") return refused(`${sysfs.root}${card.path} has no device link`);
  if (dev.k === "outside") return refused(`the device link of ${cardName} leads outside ${sysfs.root} (to ${dev.target})`);
  const bdf = dev.path.slice(dev.path.lastIndexOf("/") + 1);
  if (!dev.path.startsWith("/devices/") || !BDF.test(bdf))
    return refused(`the parent of ${cardName} (${sysfs.root}${dev.path}) is not a PCI function`);
  const subsystem = yield* sysfs.resolve(`${dev.path}/subsystem`);
  if (subsystem.k !== "inside" || subsystem.path !== "/bus/pci")
    return refused(`the parent of ${cardName} (${bdf}) is not on the PCI bus`);
  const drv = yield* sysfs.resolve(`${dev.path}/driver`);
  const driver = drv.k === "inside" && drv.path.startsWith("/bus/pci/drivers/") ? drv.path.slice("/bus/pci/drivers/".length) : null;
  return { ok: true, device: { card: card.path, cardName, path: dev.path, bdf, driver } };
}

/** The cards under a PCI function now, sorted by number: ["card1"]. */
export function* cardsOf(sysfs: SysfsAccess, pciPath: string): Call<string[]> {
  const names = (yield* sysfs.list(`${pciPath}/drm`)) ?? [];
  return names.filter((n) => CARD.test(n)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
}
