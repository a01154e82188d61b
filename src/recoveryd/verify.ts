/**
 * Verification after a recovery: within the configured time, the PCI function has a card
 * again (a new card number is fine, R90), a driver is bound, the card's node opens, and the
 * health probe, if configured, exits 0. Polled, since the driver's probe runs after the bind
 * write returns (or after the rescan).
 */
import type { Call } from "../uapi/mod.js";
import type { DaemonContext } from "./context.js";
import { handlerEnv } from "./plan.js";
import { cardsOf, type PciDevice } from "./pci_device.js";

export type Verification = { readonly ok: true; readonly card: string } | { readonly ok: false; readonly reason: string };

const POLL_MS = 250;

function* checkOnce(ctx: DaemonContext, d: PciDevice): Call<Verification> {
  const cards = yield* cardsOf(ctx.host.sysfs, d.path);
  const card = cards.at(-1);
  if (card === undefined) return { ok: false, reason: `no card under ${ctx.host.sysfs.root}${d.path}/drm` };
  const driver = yield* ctx.host.sysfs.resolve(`${d.path}/driver`);
  if (driver.k !== "inside") return { ok: false, reason: `no driver is bound to ${d.bdf}` };
  const devname = `/dev/dri/${card}`;
  const opened = yield* ctx.host.dev.openNode(devname);
  if (!opened.ok) return { ok: false, reason: `${devname} does not open: ${opened.error}` };
  const probe = ctx.config.verify.probe;
  if (probe === undefined) return { ok: true, card };
  const env = handlerEnv({}, { DEVNAME: devname, BUS_ID: d.bdf, CARD: card });
  const r = yield* ctx.host.runner.run(probe, env, ctx.config.verify.timeoutSeconds * 1000);
  if (r.status.k === "exited" && r.status.code === 0) return { ok: true, card };
  const how = r.status.k === "exited" ? `exited with ${r.status.code}` : r.status.k === "killed" ? `was killed by ${r.status.signal}` : `failed: ${r.status.error}`;
  return { ok: false, reason: `the health probe ${how}` };
}

export function* verifyRecovery(ctx: DaemonContext, d: PciDevice): Call<Verification> {
  const deadline = ctx.host.clock.now() + ctx.config.verify.timeoutSeconds * 1000;
  for (;;) {
    const v = yield* checkOnce(ctx, d);
    if (v.ok || ctx.host.clock.now() >= deadline) return v;
    yield* ctx.host.clock.sleep(Math.min(POLL_MS, Math.max(1, deadline - ctx.host.clock.now())));
  }
}
