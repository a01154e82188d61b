/**
 * After a restart: the recoveries the journal shows begun and not finished, resumed without
 * repeating a step that began (it may have run before the kill), then verified. A dry-run
 * daemon never resumes an applied recovery: it says so and leaves it for `--apply`.
 */
import type { Call } from "../uapi/mod.js";
import { conclude } from "./act.js";
import { log, type DaemonContext } from "./context.js";
import { unfinished, type JournalRecord } from "./journal.js";
import { runSteps } from "./recover.js";

export function* resumeUnfinished(ctx: DaemonContext, records: readonly JournalRecord[]): Call<void> {
  if (ctx.mode === "dry-run") {
    for (const u of unfinished(records, "apply"))
      log(ctx, "warn", `an applied recovery was interrupted (${u.recovery.id}, ${u.recovery.action} of ${u.recovery.device}); run with --apply to resume it`);
    return;
  }
  for (const u of unfinished(records, "apply")) {
    const rec = u.recovery;
    const done = new Set([...u.ended, ...u.begun]);
    log(ctx, "warn", `resuming ${rec.id}: ${rec.action} of ${rec.device}, ${done.size} of ${rec.steps.filter((s) => s.k !== "settle").length} steps begun before the restart`, { id: rec.id });
    const r = yield* runSteps(ctx, rec, done);
    const d = { card: rec.devpath, cardName: rec.card, path: rec.pci, bdf: rec.device, driver: rec.driver };
    yield* conclude(ctx, rec, d, r.ok ? null : r.error);
  }
}
