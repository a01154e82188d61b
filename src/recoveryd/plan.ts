/**
 * The sysfs sequence of each recovery method, as a list of steps the daemon journals and
 * runs one by one (docs/requirements.md#r90):
 *
 * - rebind: the bus address to the driver's `unbind`, then to its `bind` (R90);
 * - bus-reset: unbind, `1` to the function's `reset` while it is unbound, bind; or, with
 *   `busReset: remove-rescan` (or no `reset` file), unbind, `1` to `remove`, `1` to
 *   `/bus/pci/rescan` (which probes the driver again);
 * - cold-reset: unbind, remove, the hotplug slot's `power` to 0 then 1, rescan (the cold-reset
 *   RFC's example script);
 * - vendor-specific: the configured handler of the driver; reboot: the configured command.
 *
 * Values are written as the example script's `echo -n` writes them: no newline.
 */
import type { Call } from "../uapi/mod.js";
import type { Config, Handler, Method } from "./config.js";
import type { SysfsAccess } from "./host.js";
import type { PciDevice } from "./pci_device.js";

export type Step =
  | { readonly k: "write"; readonly path: string; readonly value: string }
  | { readonly k: "settle"; readonly ms: number }
  | { readonly k: "run"; readonly what: string; readonly argv: readonly string[]; readonly env: Readonly<Record<string, string>>; readonly timeoutMs: number };

/** What a recovery does: a method of the event, or the reboot the ladder ends with. */
export type Action = Method | "reboot";

export type Plan = { readonly ok: true; readonly steps: readonly Step[] } | { readonly ok: false; readonly reason: string };

const RESCAN = "/bus/pci/rescan";

function driverFile(d: PciDevice, file: "bind" | "unbind"): Step {
  return { k: "write", path: `/bus/pci/drivers/${d.driver}/${file}`, value: d.bdf };
}

/** The environment of a handler: the configured one plus the event's facts. */
export function handlerEnv(extra: Readonly<Record<string, string>>, facts: Readonly<Record<string, string>>): Record<string, string> {
  return { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...extra, ...facts };
}

function* slotOf(sysfs: SysfsAccess, d: PciDevice): Call<string | null> {
  const slotAddress = d.bdf.slice(0, d.bdf.lastIndexOf("."));
  for (const slot of (yield* sysfs.list("/bus/pci/slots")) ?? []) {
    const address = (yield* sysfs.read(`/bus/pci/slots/${slot}/address`))?.trim();
    if (address === slotAddress) return slot;
  }
  return null;
}

function* busReset(sysfs: SysfsAccess, config: Config, d: PciDevice, settle: Step): Call<Step[]> {
  const hasReset = (yield* sysfs.resolve(`${d.path}/reset`)).k === "inside";
  if (config.methods.busReset === "reset" && hasReset)
    return [driverFile(d, "unbind"), settle, { k: "write", path: `${d.path}/reset`, value: "1" }, driverFile(d, "bind")];
  return [driverFile(d, "unbind"), settle, { k: "write", path: `${d.path}/remove`, value: "1" }, settle, { k: "write", path: RESCAN, value: "1" }];
}

function run(what: string, h: Handler, facts: Readonly<Record<string, string>>): Step {
  return { k: "run", what, argv: h.argv, env: handlerEnv(h.env, facts), timeoutMs: h.timeoutSeconds * 1000 };
}

/** The steps of `action` on `d`, or why it cannot be done. `facts` become handlers' environment. */
export function* planRecovery(
  sysfs: SysfsAccess, config: Config, action: Action, d: PciDevice, facts: Readonly<Record<string, string>>,
): Call<Plan> {
  const settle: Step = { k: "settle", ms: config.methods.settleSeconds * 1000 };
  const needsDriver = action === "rebind" || action === "bus-reset" || action === "cold-reset";
  if (needsDriver && d.driver === null) return { ok: false, reason: `no driver is bound to ${d.bdf}` };
  switch (action) {
    case "none":
      return { ok: true, steps: [] };
    case "rebind":
      return { ok: true, steps: [driverFile(d, "unbind"), settle, driverFile(d, "bind")] };
    case "bus-reset":
      return { ok: true, steps: yield* busReset(sysfs, config, d, settle) };
    case "cold-reset": {
      const slot = yield* slotOf(sysfs, d);
      if (slot === null) return { ok: false, reason: `no hotplug slot in ${sysfs.root}/bus/pci/slots holds ${d.bdf}` };
      const power = `/bus/pci/slots/${slot}/power`;
      return { ok: true, steps: [
        driverFile(d, "unbind"), { k: "write", path: `${d.path}/remove`, value: "1" },
        { k: "write", path: power, value: "0" }, settle, { k: "write", path: power, value: "1" }, settle,
        { k: "write", path: RESCAN, value: "1" },
      ] };
    }
    case "vendor-specific": {
      const h = d.driver === null ? undefined : config.vendor[d.driver];
      if (h === undefined) return { ok: false, reason: `no vendor handler is configured for driver ${d.driver ?? "(none)"}` };
      return { ok: true, steps: [run(`vendor handler of ${d.driver}`, h, facts)] };
    }
    case "reboot":
      return { ok: true, steps: [run("reboot", { argv: config.reboot.command, env: {}, timeoutSeconds: 300 }, facts)] };
  }
}

/** A step as the operator reads it: `write /sys/bus/pci/drivers/xe/unbind "0000:03:00.0"`. */
export function describeStep(sysfsRoot: string, s: Step): string {
  switch (s.k) {
    case "write": return `write ${sysfsRoot}${s.path} ${JSON.stringify(s.value)}`;
    case "settle": return `wait ${s.ms} ms`;
    case "run": return `run ${s.what}: ${JSON.stringify(s.argv)}`;
  }
}
