/**
 * Steps that order programs: sleep (virtual time), and a named rendezvous between programs
 * (`signal: opened` in one, `wait: opened` in another), like a pipe or an eventfd would.
 */
import { z } from "zod";
import { msFromUs } from "../kernel/mod.js";
import type { Call } from "../uapi/mod.js";
import { formatDurationUs } from "./duration.js";
import { defineOp, duration, durationUs, okFields, type Outcome } from "./op.js";

export const signalName = z.string().regex(/^[\w.-]+$/, "signal names are letters, digits, '.', '_' and '-'");

export const sleepOp = defineOp({
  name: "sleep",
  summary: "sleep for a duration of virtual time (\"250us\", \"10ms\", \"2s\"; a bare number is µs)",
  schema: z.object({ sleep: duration }).strict(),
  describe: (a) => `sleep ${formatDurationUs(durationUs(a.sleep, 0))}`,
  *run(ctx, a): Call<Outcome> {
    yield* ctx.sys.sleep(msFromUs(durationUs(a.sleep, 0)));
    return okFields({});
  },
});

export const signalOp = defineOp({
  name: "signal",
  summary: "mark a named point reached; programs waiting for it go on",
  schema: z.object({ signal: signalName }).strict(),
  describe: (a) => `signal ${a.signal}`,
  *run(ctx, a): Call<Outcome> {
    ctx.machine.signal(a.signal);
    return okFields({});
  },
});

export const waitOp = defineOp({
  name: "wait",
  summary: "wait until another program signalled the name (ETIMEDOUT after timeout, if given)",
  schema: z.object({ wait: signalName, timeout: duration.optional() }).strict(),
  describe: (a) => `wait ${a.wait}`,
  *run(ctx, a): Call<Outcome> {
    const done = yield* ctx.machine.waitSignal(a.wait, a.timeout === undefined ? null : durationUs(a.timeout, 0));
    return done ? okFields({}) : { status: "errno", errno: "ETIMEDOUT" };
  },
});
