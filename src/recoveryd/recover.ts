/**
 * Running a recovery's steps: each destructive step is journaled as begun before it runs and
 * as ended after it; a dry run prints each write instead (`dry-run: write /sys/... "value"`),
 * an applied write is printed once done (`wrote /sys/... "value"`). A resumed recovery skips
 * the steps that ended and the one that began without ending (it may have run), journaling
 * the skip, and goes on with the rest.
 */
import type { Call } from "../uapi/mod.js";
import { log, type DaemonContext } from "./context.js";
import type { RecoveryRecord } from "./journal.js";
import { describeStep, type Step } from "./plan.js";

export type StepsResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

function* runStep(ctx: DaemonContext, s: Step): Call<StepsResult> {
  const root = ctx.host.sysfs.root;
  switch (s.k) {
    case "write": {
      const r = yield* ctx.host.sysfs.write(s.path, s.value);
      if (!r.ok) return { ok: false, error: `${describeStep(root, s)}: ${r.error}` };
      ctx.host.out.print(`wrote ${root}${s.path} ${JSON.stringify(s.value)}`);
      return { ok: true };
    }
    case "settle":
      // The current configuration's pause: a resumed recovery may come with another one.
      yield* ctx.host.clock.sleep(Math.min(s.ms, ctx.config.methods.settleSeconds * 1000));
      return { ok: true };
    case "run": {
      const o = yield* ctx.host.runner.run(s.argv, s.env, s.timeoutMs);
      ctx.host.out.print(`ran ${s.what}: ${JSON.stringify(s.argv)}`);
      if (o.status.k === "exited" && o.status.code === 0) return { ok: true };
      const how = o.status.k === "exited" ? `exited with ${o.status.code}` : o.status.k === "killed" ? `was killed by ${o.status.signal}` : `failed: ${o.status.error}`;
      return { ok: false, error: `${s.what} ${how}${o.stderr === "" ? "" : `: ${o.stderr.trim().split("\n").at(-1)}`}` };
    }
  }
}

/** Runs (or, dry, prints) the steps of `rec`; `done` are the step indexes not to run again. */
export function* runSteps(ctx: DaemonContext, rec: RecoveryRecord, done: ReadonlySet<number> = new Set()): Call<StepsResult> {
  const root = ctx.host.sysfs.root;
  for (const [index, s] of rec.steps.entries()) {
    if (ctx.mode === "dry-run") {
      if (s.k !== "settle") ctx.host.out.print(`dry-run: ${describeStep(root, s)}`);
      continue;
    }
    const t = ctx.host.clock.now();
    if (done.has(index)) {
      yield* ctx.journal.write({ type: "step", t, id: rec.id, index, phase: "skipped" });
      log(ctx, "warn", `resume: not repeating step ${index + 1} (${describeStep(root, s)}): it began before the restart`, { id: rec.id });
      continue;
    }
    if (s.k !== "settle") yield* ctx.journal.write({ type: "step", t, id: rec.id, index, phase: "begin" });
    const r = yield* runStep(ctx, s);
    if (s.k === "settle") continue;
    yield* ctx.journal.write({ type: "step", t: ctx.host.clock.now(), id: rec.id, index, phase: "end", ...(r.ok ? {} : { error: r.error }) });
    if (!r.ok) return r;
  }
  return { ok: true };
}
