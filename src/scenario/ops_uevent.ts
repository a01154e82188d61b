/**
 * Waiting for a kernel uevent, as `udevadm monitor` or a daemon would: the program's uevent
 * socket is opened before its first step, so no event after the program started is missed.
 * Events that do not match are skipped.
 */
import { z } from "zod";
import { msFromUs, US_PER_S } from "../kernel/mod.js";
import { ueventGet, type Call } from "../uapi/mod.js";
import { defineOp, duration, durationUs, type Outcome } from "./op.js";

const DEFAULT_TIMEOUT_US = 10 * US_PER_S;

export const waitUeventOp = defineOp({
  name: "wait-uevent",
  summary: "wait for the next uevent whose keys match (ACTION, DEVPATH, SUBSYSTEM, DEVNAME, ...); ETIMEDOUT after timeout (default 10s); result its keys",
  schema: z.object({ "wait-uevent": z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "uevent keys are upper case, e.g. ACTION"), z.union([z.string(), z.number()])), timeout: duration.optional() }).strict(),
  describe: (a) => `wait-uevent ${Object.entries(a["wait-uevent"]).map(([k, v]) => `${k}=${v}`).join(" ")}`,
  *run(ctx, a): Call<Outcome> {
    if (ctx.ueventFd === null) throw new Error("Cannot wait for a uevent: the program has no uevent socket");
    const timeoutUs = durationUs(a.timeout, DEFAULT_TIMEOUT_US);
    let leftUs = timeoutUs;
    const want = Object.entries(a["wait-uevent"]).map(([k, v]) => [k, String(v)] as const);
    while (leftUs > 0) {
      const before = yield* ctx.sys.clockGettime();
      const r = yield* ctx.sys.recvUevent(ctx.ueventFd, msFromUs(leftUs));
      if (!r.ok) return r.errno === "EAGAIN" ? { status: "errno", errno: "ETIMEDOUT" } : { status: "errno", errno: r.errno };
      if (want.every(([k, v]) => ueventGet(r.value, k) === v)) return { status: "ok", fields: Object.fromEntries(r.value.env) };
      leftUs -= (yield* ctx.sys.clockGettime()) - before;
    }
    return { status: "errno", errno: "ETIMEDOUT" };
  },
});
