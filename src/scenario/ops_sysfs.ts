/**
 * Steps on sysfs, which is how an administrator (or udev, or a recovery daemon) drives the
 * kernel: read and write attributes (unbind, bind, remove, rescan, reset, slot power), follow
 * links, list directories, test for existence.
 */
import { z } from "zod";
import type { Call } from "../uapi/mod.js";
import { defineOp, fromSys, okFields, type Outcome } from "./op.js";

const sysPath = z.string().startsWith("/", "expected an absolute path");

export const sysfsReadOp = defineOp({
  name: "sysfs-read",
  summary: "read a sysfs attribute; result text (without the trailing newline)",
  main: "text",
  schema: z.object({ "sysfs-read": sysPath }).strict(),
  describe: (a) => `read ${a["sysfs-read"]}`,
  *run(ctx, a): Call<Outcome> {
    return fromSys(yield* ctx.sys.readFile(ctx.names.resolveString(a["sysfs-read"], "path")), (text) => ({ text: text.replace(/\n$/, "") }));
  },
});

export const sysfsWriteOp = defineOp({
  name: "sysfs-write",
  summary: "write value to a sysfs attribute (blocks like Linux, e.g. unbind returns after remove()); result written",
  schema: z.object({ "sysfs-write": sysPath, value: z.union([z.string(), z.number()]) }).strict(),
  describe: (a) => `write ${JSON.stringify(String(a.value))} > ${a["sysfs-write"]}`,
  *run(ctx, a): Call<Outcome> {
    return fromSys(yield* ctx.sys.writeFile(ctx.names.resolveString(a["sysfs-write"], "path"), String(ctx.names.resolve(a.value))), (written) => ({ written }));
  },
});

export const readlinkOp = defineOp({
  name: "readlink",
  summary: "readlink(2); result target",
  main: "target",
  schema: z.object({ readlink: sysPath }).strict(),
  describe: (a) => `readlink ${a.readlink}`,
  *run(ctx, a): Call<Outcome> {
    return fromSys(yield* ctx.sys.readlink(ctx.names.resolveString(a.readlink, "path")), (target) => ({ target }));
  },
});

export const lsOp = defineOp({
  name: "ls",
  summary: "list a directory (/dev/dri, a sysfs directory); result names, sorted",
  main: "names",
  schema: z.object({ ls: sysPath }).strict(),
  describe: (a) => `ls ${a.ls}`,
  *run(ctx, a): Call<Outcome> {
    return fromSys(yield* ctx.sys.readdir(ctx.names.resolveString(a.ls, "path")), (entries) => ({ names: entries.map((e) => e.name).sort() }));
  },
});

export const existsOp = defineOp({
  name: "exists",
  summary: "whether a path exists (stat(2)); result exists",
  main: "exists",
  schema: z.object({ exists: sysPath }).strict(),
  describe: (a) => `stat ${a.exists}`,
  *run(ctx, a): Call<Outcome> {
    return okFields({ exists: yield* ctx.sys.exists(ctx.names.resolveString(a.exists, "path")) });
  },
});
