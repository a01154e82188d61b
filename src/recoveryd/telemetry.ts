/**
 * Telemetry of a wedged device, collected before anything else is done to it (the first hang
 * is usually the most telling, and a rebind frees the driver's dumps): every devcoredump whose
 * `failing_device` is the PCI function (its `data`, read without writing to it, so the dump
 * stays for others), and the kernel log lines that name the device, from the configured
 * command (journalctl by default). Saved under `<telemetryDir>/<bdf>-<time>/`.
 *
 * @see Documentation/ABI/testing/devcoredump ("Device Wedging": "none" asks for telemetry)
 */
import type { Call } from "../uapi/mod.js";
import { log, type DaemonContext } from "./context.js";
import { deviceRecords, formatKmsg, parseKmsg } from "./kmsg.js";
import { handlerEnv } from "./plan.js";
import type { PciDevice } from "./pci_device.js";

const DEVCD = "/class/devcoredump";

function* saveDevcoredumps(ctx: DaemonContext, d: PciDevice, dir: string): Call<string[]> {
  const saved: string[] = [];
  for (const name of (yield* ctx.host.sysfs.list(DEVCD)) ?? []) {
    const failing = yield* ctx.host.sysfs.resolve(`${DEVCD}/${name}/failing_device`);
    if (failing.k !== "inside" || failing.path !== d.path) continue;
    const data = yield* ctx.host.sysfs.readBytes(`${DEVCD}/${name}/data`);
    if (data === null) continue;
    const r = yield* ctx.host.telemetry.save(dir, `${name}.data`, data);
    if (r.ok) saved.push(r.path ?? name);
    else log(ctx, "warn", `cannot save ${name}: ${r.error}`, { device: d.bdf });
  }
  return saved;
}

/** The device's kernel log lines: from /dev/kmsg (kernelLog: kmsg) or the configured command. */
function* kernelLogLines(ctx: DaemonContext, d: PciDevice): Call<string[] | null> {
  const source = ctx.config.kernelLog;
  if (source === "kmsg") {
    const text = yield* ctx.host.dev.readKmsg();
    if (text === null) {
      log(ctx, "warn", "cannot read the kernel log", { kmsg: `${ctx.config.dev}/kmsg` });
      return null;
    }
    return deviceRecords(parseKmsg(text), d.bdf).map(formatKmsg);
  }
  const r = yield* ctx.host.runner.run(source, handlerEnv({}, {}), 30_000);
  if (r.status.k !== "exited" || r.status.code !== 0) {
    log(ctx, "warn", "the kernel log command failed", { argv: source, stderr: r.stderr.slice(0, 200) });
    return null;
  }
  return r.stdout.split("\n").filter((l) => l.includes(d.bdf));
}

function* saveKernelLog(ctx: DaemonContext, d: PciDevice, dir: string): Call<string | null> {
  const lines = yield* kernelLogLines(ctx, d);
  if (lines === null) return null;
  const saved = yield* ctx.host.telemetry.save(dir, "kernel.log", lines.map((l) => `${l}\n`).join(""));
  return saved.ok ? (saved.path ?? "kernel.log") : null;
}

/** Collects the device's telemetry; returns a one-line summary. Dry run: says what it would do. */
export function* collectTelemetry(ctx: DaemonContext, d: PciDevice): Call<string> {
  const dir = `${d.bdf}-${ctx.host.clock.now()}`;
  if (ctx.mode === "dry-run") {
    ctx.host.out.print(`dry-run: collect telemetry of ${d.bdf} (devcoredumps, kernel log) into ${ctx.config.telemetryDir}/${dir}`);
    return "not collected (dry-run)";
  }
  const dumps = yield* saveDevcoredumps(ctx, d, dir);
  const kernelLog = yield* saveKernelLog(ctx, d, dir);
  const summary = `${dumps.length} devcoredump${dumps.length === 1 ? "" : "s"}${kernelLog === null ? "" : ", kernel log"} in ${ctx.config.telemetryDir}/${dir}`;
  log(ctx, "info", "telemetry collected", { device: d.bdf, devcoredumps: dumps, kernelLog });
  return summary;
}
