/**
 * The mknod step: a fresh character-device node for a major:minor, as a static /dev, a
 * container or a test (the 6.12 recording's "stale-card") makes one. Such a node outlives the
 * device it was made for: open() of it reaches the driver, which answers for a minor that is
 * gone (ENODEV on mainline, R35; ENXIO under uapi-doc, R37), while the /dev/dri node udev
 * removed fails path lookup (ENOENT, R36).
 *
 * @see mknod(2); vfs_mknod() in fs/namei.c
 */
import { z } from "zod";
import type { Call } from "../uapi/mod.js";
import { defineOp, fromSys, type Outcome } from "./op.js";
import { REF_PATTERN, StepError } from "./values.js";

/** MAJOR and MINOR of a dev_t: 12 and 20 bits. @see MINORBITS in include/linux/kdev_t.h */
const MAJOR_MAX = (1 << 12) - 1;
const MINOR_MAX = (1 << 20) - 1;
const DEV_PATTERN = /^(\d+):(\d+)$/;

/** "226:0" as major and minor, or why it is not one. */
export function parseDevt(text: string): { major: number; minor: number } | string {
  const m = DEV_PATTERN.exec(text);
  if (m === null) return `"${text}" is not a device number major:minor such as 226:0`;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > MAJOR_MAX) return `major ${major} is above ${MAJOR_MAX}`;
  if (minor > MINOR_MAX) return `minor ${minor} is above ${MINOR_MAX}`;
  return { major, minor };
}

const devt = z.string().superRefine((v, ctx) => {
  if (REF_PATTERN.test(v) || v.includes("${")) return; // checked when the step runs
  const r = parseDevt(v);
  if (typeof r === "string") ctx.addIssue({ code: "custom", message: r });
});

export const mknodOp = defineOp({
  name: "mknod",
  summary:
    "mknod(2) a character-device node for `dev` major:minor " +
    "(\"226:0\", or $name of a sysfs-read of a dev file); result path",
  main: "path",
  schema: z
    .object({ mknod: z.string().startsWith("/", "expected an absolute path"), dev: devt })
    .strict(),
  describe: (a) => `mknod ${a.mknod} c ${a.dev.replace(":", " ")}`,
  *run(ctx, a): Call<Outcome> {
    const path = ctx.names.resolveString(a.mknod, "path");
    const dev = parseDevt(ctx.names.resolveString(a.dev, "device number"));
    if (typeof dev === "string") throw new StepError(dev);
    return fromSys(yield* ctx.sys.mknod(path, dev.major, dev.minor), () => ({ path }));
  },
});
