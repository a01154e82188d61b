/**
 * The consumer prerequisites of the Device Wedging chapter (R80): before a destructive
 * recovery, nobody may hold the device. The holders are found in procfs (holders.ts); the
 * configured policy then refuses, waits for them to let go (up to a timeout), tells them
 * through a hook and waits, or stops named systemd units and waits. On timeout the policy's
 * `onTimeout` refuses or proceeds anyway. A dry run looks for holders and says what the
 * policy would do, without waiting, running a hook or stopping a unit.
 */
import type { Call } from "../uapi/mod.js";
import { log, type DaemonContext } from "./context.js";
import { handlerEnv } from "./plan.js";
import { describeHolders, findHolders, type DeviceIdentity, type Holder } from "./holders.js";

export type Prerequisite = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly reason: string };

const POLL_MS = 250;

function* holdersOf(ctx: DaemonContext, id: DeviceIdentity): Call<Holder[]> {
  return yield* findHolders(ctx.host.procfs, id, { selfPid: ctx.host.selfPid, ignore: ctx.config.consumers.ignore });
}

function* runHook(ctx: DaemonContext, what: string, argv: readonly string[], env: Record<string, string>): Call<void> {
  const outcome = yield* ctx.host.runner.run(argv, handlerEnv({}, env), ctx.config.consumers.timeoutSeconds * 1000);
  const s = outcome.status;
  const how = s.k === "exited" ? `exited with ${s.code}` : s.k === "killed" ? `killed by ${s.signal}` : `failed: ${s.error}`;
  log(ctx, s.k === "exited" && s.code === 0 ? "info" : "warn", `${what} ${how}`, { argv });
}

function* waitForRelease(ctx: DaemonContext, id: DeviceIdentity): Call<Holder[]> {
  const deadline = ctx.host.clock.now() + ctx.config.consumers.timeoutSeconds * 1000;
  let holders = yield* holdersOf(ctx, id);
  while (holders.length > 0 && ctx.host.clock.now() < deadline) {
    yield* ctx.host.clock.sleep(Math.min(POLL_MS, Math.max(1, deadline - ctx.host.clock.now())));
    holders = yield* holdersOf(ctx, id);
  }
  return holders;
}

/** Whether the device may be recovered now; `env` is what a hook gets. */
export function* checkConsumers(ctx: DaemonContext, id: DeviceIdentity, env: Record<string, string>): Call<Prerequisite> {
  const c = ctx.config.consumers;
  const holders = yield* holdersOf(ctx, id);
  if (holders.length === 0) return { ok: true, detail: "no process holds the device" };
  const who = describeHolders(holders);
  log(ctx, "warn", "the device is in use", { device: id.bdf, holders: holders.map((h) => ({ pid: h.pid, comm: h.comm, what: h.what })) });
  if (c.policy === "refuse") return { ok: false, reason: `in use by ${who}` };
  if (ctx.mode === "dry-run") {
    ctx.host.out.print(`dry-run: ${id.bdf} is in use by ${who}; policy ${c.policy} would wait up to ${c.timeoutSeconds} s, then ${c.onTimeout}`);
    return { ok: true, detail: `in use by ${who} (dry-run: not waited for)` };
  }
  if (c.policy === "notify" && c.hook !== undefined)
    yield* runHook(ctx, "the consumers' notify hook", c.hook, { ...env, HOLDERS: holders.map((h) => h.pid).join(" ") });
  if (c.policy === "stop-units")
    for (const unit of c.units) yield* runHook(ctx, `systemctl stop ${unit}`, ["systemctl", "stop", unit], {});
  const left = yield* waitForRelease(ctx, id);
  if (left.length === 0) return { ok: true, detail: `${who} let go` };
  if (c.onTimeout === "proceed") return { ok: true, detail: `still in use by ${describeHolders(left)} after ${c.timeoutSeconds} s; proceeding (onTimeout: proceed)` };
  return { ok: false, reason: `still in use by ${describeHolders(left)} after ${c.timeoutSeconds} s` };
}
