/**
 * The drivers `vdrm realkernel --driver` can replay the recording with. The recording is of
 * Linux's bochs driver; replaying it with another model driver runs the same program and
 * administrator steps on that driver's card and shows, observation by observation, where the
 * driver behaves differently from what Linux's bochs did. Adding a driver is one entry here:
 * its name, the model driver that binds the card (a key of src/drivers' DRIVERS) and what
 * differences to expect. vtest is not offered: it has no dumb buffers, and the recorded
 * program cannot go past CREATE_DUMB without one.
 */
import { DRIVERS } from "../drivers/mod.js";

export interface ReplayDriver {
  /** The model driver (a key of DRIVERS in src/drivers/mod.ts) that binds the replay's card. */
  readonly model: string;
  /** What to expect against the bochs recording; printed before the comparison. */
  readonly notes: string;
}

/** The driver the recording was made with. */
export const RECORDED_DRIVER = "bochs-drm";

export const REPLAY_DRIVERS: ReadonlyMap<string, ReplayDriver> = new Map([
  [RECORDED_DRIVER, {
    model: "bochs-drm",
    notes: "the recording's own driver: every observation matches but what is not modelled",
  }],
  ["vdisp", {
    model: "vdisp",
    notes: "a display driver that does unplug as bochs does; expect its own name, PCI ids and " +
      "sysfs driver directory where bochs' are, and a render node (renderD128) bochs lacks",
  }],
  ["virtio-gpu", {
    model: "virtio-gpu",
    notes: "the model of virtio-gpu (shmem buffers) behind virtio-pci; expect its names, PCI " +
      "ids, sysfs driver directory (virtio-pci) and kernel messages where bochs' are, its " +
      "render node (renderD128) and virtio0's uevents, and a mapping that keeps reading the " +
      "written pattern after the unbind, where bochs' dummy page reads zeros",
  }],
  ["vdisp-devm", {
    model: "vdisp-devm",
    notes: "vdisp's broken sibling (drm_device in devm_kzalloc memory); expect vdisp's " +
      "differences and use-after-free findings once a file outlives an unbind",
  }],
]);

/** @throws RangeError naming the choices when `name` is not in the table. */
export function replayDriver(name: string): ReplayDriver {
  const d = REPLAY_DRIVERS.get(name);
  if (d !== undefined) return d;
  const choices = [...REPLAY_DRIVERS.keys()].join(", ");
  throw new RangeError(`unknown replay driver "${name}"; expected one of ${choices}`);
}

/** The PCI driver's name, as the sysfs bind and unbind paths spell it. */
export function pciDriverName(model: string): string {
  const info = DRIVERS.get(model);
  if (info === undefined) {
    throw new RangeError(`the replay driver table names an unknown model driver "${model}"`);
  }
  return info.driver.name;
}
