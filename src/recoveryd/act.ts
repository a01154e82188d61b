/**
 * One recovery of one device, from the ladder's decision to its outcome: telemetry first,
 * the plan of the method, the consumer prerequisites, the journaled steps, verification.
 * The outcome is journaled, logged and counted; a failed one is for the ladder to escalate.
 */
import type { Call } from "../uapi/mod.js";
import { checkConsumers } from "./consumers.js";
import { log, type DaemonContext } from "./context.js";
import { isDestructive } from "./ladder.js";
import type { Outcome, RecoveryRecord } from "./journal.js";
import type { PciDevice } from "./pci_device.js";
import { handlerEnv, planRecovery, type Action } from "./plan.js";
import { runSteps } from "./recover.js";
import { collectTelemetry } from "./telemetry.js";
import { verifyRecovery } from "./verify.js";
import { eventFacts, type WedgedEvent } from "./wedged_event.js";

export interface Attempt {
  readonly id: string;
  readonly device: PciDevice;
  readonly action: Action;
  readonly attempt: number;
  readonly event: WedgedEvent;
}

export interface ActResult {
  readonly outcome: Outcome;
  readonly detail: string;
  /** Whether the attempt counts on the ladder (something was, or would have been, done). */
  readonly counted: boolean;
}

/** Runs the alert hook (give up, refusal) with the reason in its environment. */
export function* alert(ctx: DaemonContext, reason: string, facts: Record<string, string>): Call<void> {
  log(ctx, "error", `alert: ${reason}`, { device: facts["BUS_ID"] });
  const argv = ctx.config.ladder.alert;
  if (argv === undefined) return;
  if (ctx.mode === "dry-run") {
    ctx.host.out.print(`dry-run: run alert hook ${JSON.stringify(argv)}`);
    return;
  }
  const r = yield* ctx.host.runner.run(argv, handlerEnv({}, { ...facts, REASON: reason }), 60_000);
  if (r.status.k !== "exited" || r.status.code !== 0) log(ctx, "warn", "the alert hook failed", { argv, status: r.status });
}

/** Journals the outcome of `id`, logs it and counts it. */
export function* finish(ctx: DaemonContext, rec: Pick<RecoveryRecord, "id" | "device" | "action">, r: ActResult, card?: string): Call<ActResult> {
  const t = ctx.host.clock.now();
  yield* ctx.journal.write({ type: "outcome", t, id: rec.id, device: rec.device, action: rec.action, outcome: r.outcome, detail: r.detail, ...(card === undefined ? {} : { card }) });
  log(ctx, r.outcome === "failed" || r.outcome === "refused" ? "error" : "info", `${rec.action} of ${rec.device}: ${r.outcome}`, { id: rec.id, detail: r.detail });
  ctx.observer.recovery(rec.action, r.outcome);
  const state = r.outcome === "recovered" ? "recovered" : r.outcome === "refused" ? "refused" : r.outcome === "failed" ? "backoff" : "wedged";
  ctx.observer.deviceState(rec.device, state);
  return r;
}

/** After the steps ran: verification (apply), or the dry run's outcome. */
export function* conclude(ctx: DaemonContext, rec: RecoveryRecord, d: PciDevice, stepsError: string | null): Call<ActResult> {
  if (ctx.mode === "dry-run") return yield* finish(ctx, rec, { outcome: "dry-run", detail: "nothing was written", counted: true });
  if (stepsError !== null) return yield* finish(ctx, rec, { outcome: "failed", detail: stepsError, counted: true });
  if (rec.action === "reboot") return yield* finish(ctx, rec, { outcome: "recovered", detail: "reboot requested", counted: true });
  if (rec.action === "vendor-specific" && ctx.config.verify.probe === undefined)
    return yield* finish(ctx, rec, { outcome: "recovered", detail: "the vendor handler succeeded", counted: true });
  const v = yield* verifyRecovery(ctx, d);
  if (v.ok) return yield* finish(ctx, rec, { outcome: "recovered", detail: `${v.card} is back and opens`, counted: true }, v.card);
  return yield* finish(ctx, rec, { outcome: "failed", detail: `verification: ${v.reason}`, counted: true });
}

export function* act(ctx: DaemonContext, a: Attempt): Call<ActResult> {
  const d = a.device;
  const facts = eventFacts(a.event, d.bdf, d.driver, d.cardName);
  const key = { id: a.id, device: d.bdf, action: a.action };
  const telemetry = yield* collectTelemetry(ctx, d);
  if (a.action === "none") return yield* finish(ctx, key, { outcome: "telemetry", detail: telemetry, counted: false });
  const plan = yield* planRecovery(ctx.host.sysfs, ctx.config, a.action, d, facts);
  if (!plan.ok) return yield* finish(ctx, key, { outcome: "impossible", detail: plan.reason, counted: true });
  if (isDestructive(a.action)) {
    const nodes = ((yield* ctx.host.sysfs.list(`${d.path}/drm`)) ?? []).filter((n) => /^(card|renderD)\d+$/.test(n)).map((n) => `/dev/dri/${n}`);
    const pre = yield* checkConsumers(ctx, { nodes, bdf: d.bdf, driver: d.driver }, facts);
    if (!pre.ok) {
      yield* alert(ctx, `not recovering ${d.bdf}: ${pre.reason}`, facts);
      return yield* finish(ctx, key, { outcome: "refused", detail: pre.reason, counted: false });
    }
  }
  const rec: RecoveryRecord = {
    type: "recovery", t: ctx.host.clock.now(), id: a.id, device: d.bdf, card: d.cardName, action: a.action,
    attempt: a.attempt, mode: ctx.mode, steps: plan.steps, devpath: a.event.devpath, pci: d.path, driver: d.driver,
  };
  yield* ctx.journal.write(rec);
  ctx.observer.deviceState(d.bdf, "recovering");
  const r = yield* runSteps(ctx, rec);
  return yield* conclude(ctx, rec, d, r.ok ? null : r.error);
}
