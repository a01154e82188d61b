/**
 * Recovery steps: what an administrator (or a udev rule's script, or a recovery daemon) does to
 * bring a device back, each made of the sysfs writes userspace uses (docs/scenarios.md,
 * "Recovery"), and the reboot of the machine.
 *
 * - `rebind`: unbind the device's driver, bind it again (the wedging documentation's rebind.sh);
 * - `bus-reset`: unbind, a function reset (`reset`) or a removal and a rescan, bind;
 * - `cold-reset`: the power of the device's hot-plug slot off and on (pciehp removes the
 *   devices and enumerates them again);
 * - `reboot`: the machine restarts; the program goes on in a new process after the boot.
 *
 * A step that fails stops at the failing call, with its errno.
 * @see Documentation/gpu/drm-uapi.rst, "Device Wedging"; reset_store(), remove_store(),
 *      rescan_store() in drivers/pci/pci-sysfs.c; power_write_file() in pci_hotplug_core.c
 */
import { z } from "zod";
import type { Call, SysResult, Syscalls } from "../uapi/mod.js";
import { defineOp, okFields, oneOf, type Outcome } from "./op.js";
import { bdf } from "./schema.js";

const PCI = "/sys/bus/pci";

/** The errno outcome of a failed call. */
function failed(r: SysResult<unknown> & { ok: false }): Outcome {
  return { status: "errno", errno: r.errno };
}

/** The name of the driver bound to `addr`, from its `driver` link (ENOENT when unbound). */
function* boundDriver(sys: Syscalls, addr: string): Call<SysResult<string>> {
  const r = yield* sys.readlink(`${PCI}/devices/${addr}/driver`);
  return r.ok ? { ok: true, value: r.value.slice(r.value.lastIndexOf("/") + 1) } : r;
}

/** Writes each [path, value] in order; the first failure, or null. */
function* writeAll(sys: Syscalls, writes: readonly (readonly [string, string])[]): Call<Outcome | null> {
  for (const [path, value] of writes) {
    const r = yield* sys.writeFile(path, value);
    if (!r.ok) return failed(r);
  }
  return null;
}

export const rebindOp = defineOp({
  name: "rebind",
  summary: "unbind the driver of a PCI device and bind it again (a new drm_device with new minors); result driver",
  main: "driver",
  schema: z.object({ rebind: bdf }).strict(),
  describe: (a) => `rebind ${a.rebind}`,
  *run(ctx, a): Call<Outcome> {
    const addr = a.rebind;
    const drv = yield* boundDriver(ctx.sys, addr);
    if (!drv.ok) return failed(drv);
    const dir = `${PCI}/drivers/${drv.value}`;
    const err = yield* writeAll(ctx.sys, [[`${dir}/unbind`, addr], [`${dir}/bind`, addr]]);
    return err ?? okFields({ driver: drv.value });
  },
});

const RESET_METHODS = ["reset", "remove-rescan"] as const;

export const busResetOp = defineOp({
  name: "bus-reset",
  summary: "unbind, reset the function (method reset) or remove it and rescan the bus (method remove-rescan), bind; result driver",
  main: "driver",
  schema: z.object({ "bus-reset": bdf, method: oneOf("reset method", RESET_METHODS).optional() }).strict(),
  describe: (a) => `bus-reset ${a["bus-reset"]} (${a.method ?? "reset"})`,
  *run(ctx, a): Call<Outcome> {
    const addr = a["bus-reset"];
    const drv = yield* boundDriver(ctx.sys, addr);
    if (!drv.ok) return failed(drv);
    const dir = `${PCI}/drivers/${drv.value}`;
    const dev = `${PCI}/devices/${addr}`;
    const middle: [string, string][] = a.method === "remove-rescan"
      ? [[`${dev}/remove`, "1"], [`${PCI}/rescan`, "1"]]
      : [[`${dev}/reset`, "1"]];
    const err = yield* writeAll(ctx.sys, [[`${dir}/unbind`, addr], ...middle]);
    if (err !== null) return err;
    // The rescan probes the new device itself; bind only what is still unbound.
    if (!(yield* ctx.sys.exists(`${dev}/driver`))) {
      const bound = yield* writeAll(ctx.sys, [[`${dir}/bind`, addr]]);
      if (bound !== null) return bound;
    }
    return okFields({ driver: drv.value });
  },
});

/** The hot-plug slot whose `address` is the device's bus and device number, or null. */
function* slotOf(sys: Syscalls, addr: string): Call<string | null> {
  const slots = yield* sys.readdir(`${PCI}/slots`);
  if (!slots.ok) return null;
  for (const { name } of slots.value) {
    const r = yield* sys.readFile(`${PCI}/slots/${name}/address`);
    if (r.ok && r.value.trim() === addr.slice(0, addr.lastIndexOf("."))) return name;
  }
  return null;
}

export const coldResetOp = defineOp({
  name: "cold-reset",
  summary: "power the hot-plug slot of a PCI device off and on (pciehp removes its devices, then enumerates and probes them anew); result slot",
  main: "slot",
  schema: z.object({ "cold-reset": bdf }).strict(),
  describe: (a) => `cold-reset ${a["cold-reset"]}`,
  *run(ctx, a): Call<Outcome> {
    const addr = a["cold-reset"];
    const slot = yield* slotOf(ctx.sys, addr);
    if (slot === null) return { status: "error", message: `no hot-plug slot in ${PCI}/slots has the address of ${addr}` };
    const power = `${PCI}/slots/${slot}/power`;
    const err = yield* writeAll(ctx.sys, [[power, "0"], [power, "1"]]);
    return err ?? okFields({ slot: Number(slot) });
  },
});

export const rebootOp = defineOp({
  name: "reboot",
  summary: "restart the machine: every other program is killed, devices shut down, every card probed anew by a new kernel; the program goes on in a new process (its fds gone); result pid",
  main: "pid",
  schema: z.object({ reboot: z.null({ message: "reboot takes no value: write `- reboot:`" }) }).strict(),
  describe: () => "reboot",
  *run(ctx): Call<Outcome> {
    return okFields({ pid: yield* ctx.machine.reboot() });
  },
});
