/**
 * The ioctl step: a DRM ioctl by its Linux name (or a raw request number), with the uapi
 * struct's fields as arguments; the result is the struct's fields after the call.
 */
import { z } from "zod";
import { DRM_IOCTL_NAMES, ioctlByName, type Call, type Fd, type IoctlArg } from "../uapi/mod.js";
import { defineOp, fromSys, hex, intOrRef, ref, type Outcome } from "./op.js";
import { didYouMean } from "./suggest.js";
import { StepError } from "./values.js";

const request = z.union([
  z.number().int().nonnegative(),
  z.string().superRefine((name, ctx) => {
    if (ioctlByName(name) === undefined) ctx.addIssue({ code: "custom", message: `unknown ioctl "${name}"${didYouMean(name, DRM_IOCTL_NAMES)}` });
  }),
]);

const argValue = z.union([z.number().int(), z.string(), z.array(z.union([z.number().int(), ref]))]);

export const ioctlOp = defineOp({
  name: "ioctl",
  summary: "ioctl(2) by Linux name (DRM_IOCTL_...) or number, on fd, with args by uapi field name; result the struct's fields",
  schema: z.object({ ioctl: request, fd: intOrRef, args: z.record(z.string(), argValue).optional() }).strict(),
  describe: (a) => {
    const args = Object.entries(a.args ?? {}).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : v}`);
    return `ioctl ${a.fd}, ${typeof a.ioctl === "number" ? hex(a.ioctl) : a.ioctl}${args.length ? ` {${args.join(", ")}}` : ""}`;
  },
  *run(ctx, a): Call<Outcome> {
    const fd = ctx.names.resolveNumber(a.fd, "fd") as Fd;
    const arg: Record<string, IoctlArg[string]> = {};
    for (const [k, v] of Object.entries(a.args ?? {})) {
      const r = ctx.names.resolve(v);
      if (typeof r === "number" || typeof r === "string") arg[k] = r;
      else if (Array.isArray(r) && r.every((x): x is number => typeof x === "number")) arg[k] = r;
      else throw new StepError(`ioctl argument ${k} must be a number, a string or a list of numbers`);
    }
    return fromSys(yield* ctx.sys.ioctl(fd, a.ioctl, arg), (out) => ({ ...out }));
  },
});
