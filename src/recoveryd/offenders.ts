/**
 * Tasks that keep wedging a device (the chapter's "Task information": a daemon may ban a task
 * that keeps resetting the device). The `TASK=`/`PID=` of WEDGED events are counted per task
 * name and device within the ladder's window; when a task reaches the threshold, the
 * configured hook runs (once per crossing) with PID, TASK, BUS_ID and COUNT in its
 * environment, to report or ban it. The keys are hints (R71): the daemon never acts on the
 * process itself.
 */
import type { Call } from "../uapi/mod.js";
import { log, type DaemonContext } from "./context.js";
import type { PciDevice } from "./pci_device.js";
import { handlerEnv } from "./plan.js";
import type { WedgedEvent } from "./wedged_event.js";

export class Offenders {
  private readonly seen = new Map<string, number[]>();

  constructor(private readonly ctx: DaemonContext) {}

  *note(ev: WedgedEvent, d: PciDevice): Call<void> {
    if (ev.task === undefined) return;
    const key = `${d.bdf}\0${ev.task}`;
    const now = this.ctx.host.clock.now();
    const windowMs = this.ctx.config.ladder.windowSeconds * 1000;
    const times = (this.seen.get(key) ?? []).filter((t) => now - t < windowMs);
    times.push(now);
    this.seen.set(key, times);
    const threshold = this.ctx.config.offenders.threshold;
    if (times.length !== threshold) return;
    log(this.ctx, "warn", `${ev.task} (pid ${ev.pid ?? "?"}) wedged ${d.bdf} ${times.length} times`, { device: d.bdf, task: ev.task, pid: ev.pid });
    const hook = this.ctx.config.offenders.hook;
    if (hook === undefined) return;
    if (this.ctx.mode === "dry-run") {
      this.ctx.host.out.print(`dry-run: run offender hook ${JSON.stringify(hook)} for ${ev.task}`);
      return;
    }
    const env = handlerEnv({}, { TASK: ev.task, PID: ev.pid ?? "", BUS_ID: d.bdf, COUNT: String(times.length) });
    yield* this.ctx.host.runner.run(hook, env, 60_000);
  }
}
