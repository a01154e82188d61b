/**
 * File steps on DRM nodes: open, close, read (DRM events), poll.
 */
import { z } from "zod";
import { msFromUs } from "../kernel/mod.js";
import { decodeDrmEventVblank, DRM_EVENT_FLIP_COMPLETE, DRM_EVENT_VBLANK, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, type Call, type Fd } from "../uapi/mod.js";
import { nodePath, pciDrmNodes } from "../userspace/mod.js";
import { formatDurationUs, parseDurationUs } from "./duration.js";
import { READ_BYTES_MAX } from "./limits.js";
import { defineOp, oneOf, duration, durationUs, fromSys, intOrRef, type Outcome } from "./op.js";
import { bdf } from "./schema.js";
import type { NamedResults } from "./values.js";

export const POLL_BITS = { POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND } as const;
type PollName = keyof typeof POLL_BITS;
const POLL_NAMES = Object.keys(POLL_BITS) as PollName[];

export function pollFlags(bits: number): string {
  const names = POLL_NAMES.filter((n) => (bits & POLL_BITS[n]) !== 0);
  return names.length === 0 ? "0" : names.join("|");
}


function fdOf(names: NamedResults, v: unknown): Fd {
  return names.resolveNumber(v, "fd") as Fd;
}

const openTarget = z.union([z.string(), z.object({ device: bdf, node: oneOf("node kind", ["card", "render", "accel"]) }).strict()]);

export const openOp = defineOp({
  name: "open",
  summary: "open(2) a path, or the card/render/accel node of a PCI device found through sysfs; result fd, path, node (e.g. card0)",
  main: "fd",
  schema: z.object({ open: openTarget, excl: z.boolean().optional() }).strict(),
  describe: (a) => `open ${typeof a.open === "string" ? a.open : `${a.open.node} of ${a.open.device}`}${a.excl ? " O_EXCL" : ""}`,
  *run(ctx, a): Call<Outcome> {
    let path: string;
    if (typeof a.open === "string") path = ctx.names.resolveString(a.open, "path");
    else {
      const name = (yield* pciDrmNodes(ctx.sys, a.open.device, a.open.node === "accel" ? "accel" : "drm"))[a.open.node];
      if (name === null) return { status: "errno", errno: "ENOENT" };
      path = nodePath(name);
    }
    const r = yield* ctx.sys.open(path, a.excl ? { excl: true } : {});
    return fromSys(r, (fd) => ({ fd, path, node: path.replace(/^.*\//, "") }));
  },
});

export const closeOp = defineOp({
  name: "close",
  summary: "close(2) an fd",
  schema: z.object({ close: intOrRef }).strict(),
  describe: (a) => `close ${a.close}`,
  *run(ctx, a): Call<Outcome> {
    return fromSys(yield* ctx.sys.close(fdOf(ctx.names, a.close)), () => ({}));
  },
});

export const dupOp = defineOp({
  name: "dup",
  summary: "dup(2) an fd (with cloexec: true, fcntl F_DUPFD_CLOEXEC): a second fd for the same open file; result fd",
  main: "fd",
  schema: z.object({ dup: intOrRef, cloexec: z.boolean().optional() }).strict(),
  describe: (a) => `dup ${a.dup}${a.cloexec ? " F_DUPFD_CLOEXEC" : ""}`,
  *run(ctx, a): Call<Outcome> {
    return fromSys(yield* ctx.sys.dup(fdOf(ctx.names, a.dup), a.cloexec === true), (fd) => ({ fd }));
  },
});

const readCount = z
  .number()
  .int()
  .min(1)
  .max(READ_BYTES_MAX, `must be at most ${READ_BYTES_MAX} (MAX_RW_COUNT)`);

export const readOp = defineOp({
  name: "read",
  summary:
    "read(2) DRM events from an fd (count bytes, optional timeout → EINTR); result length, " +
    "types, and of vblank and flip-complete events sequence, user_data, crtc_id",
  main: "length",
  schema: z
    .object({ read: intOrRef, count: readCount.optional(), timeout: duration.optional() })
    .strict(),
  describe: (a) => `read ${a.read}, ${a.count ?? 4096}${a.timeout !== undefined ? ` (timeout ${formatDurationUs(durationUs(a.timeout, 0))})` : ""}`,
  *run(ctx, a): Call<Outcome> {
    const timeoutMs = a.timeout === undefined ? undefined : msFromUs(durationUs(a.timeout, 0));
    const r = yield* ctx.sys.read(fdOf(ctx.names, a.read), a.count ?? 4096, timeoutMs);
    return fromSys(r, (buf) => {
      // struct drm_event { __u32 type; __u32 length; } heads every event.
      const types: number[] = [];
      const vblank = { sequence: [] as number[], user_data: [] as bigint[], crtc_id: [] as number[] };
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      for (let off = 0; off + 8 <= buf.length; ) {
        types.push(view.getUint32(off, true));
        const len = view.getUint32(off + 4, true);
        if (len < 8) break;
        // struct drm_event_vblank: DRM_EVENT_VBLANK and DRM_EVENT_FLIP_COMPLETE.
        const e = decodeDrmEventVblank(buf.subarray(off, off + len));
        if (e !== null && (e.type === DRM_EVENT_VBLANK || e.type === DRM_EVENT_FLIP_COMPLETE)) {
          vblank.sequence.push(e.sequence);
          vblank.user_data.push(e.user_data);
          vblank.crtc_id.push(e.crtc_id);
        }
        off += len;
      }
      return { length: buf.length, types, ...vblank };
    });
  },
});

// struct pollfd's events is a short.
const pollMask = z.number().int().min(0).max(0xffff, "a poll mask fits in 16 bits (0..0xffff)");
const pollEvents = z.union([pollMask, z.array(oneOf("poll event", POLL_NAMES))]);

/** poll(2)'s timeout: a duration, or `forever` (a negative timeout in C: wait until an event). */
const pollTimeout = z.union([z.number(), z.string()]).refine((v) => v === "forever" || parseDurationUs(v) !== null, {
  message: 'expected a duration with a unit, such as "250us", "10ms" or "2s", or forever (wait until an event)',
});

function pollTimeoutMs(t: z.infer<typeof pollTimeout> | undefined): number {
  return t === "forever" ? -1 : msFromUs(durationUs(t, 0));
}

function describePollTimeout(t: z.infer<typeof pollTimeout> | undefined): string {
  return t === "forever" ? "forever" : formatDurationUs(durationUs(t, 0));
}

export const pollOp = defineOp({
  name: "poll",
  summary: "poll(2) one fd for events (names or a mask; default POLLIN); result revents, flags",
  main: "revents",
  schema: z.object({ poll: intOrRef, events: pollEvents.optional(), timeout: pollTimeout.optional() }).strict(),
  describe: (a) => `poll ${a.poll}, ${typeof a.events === "number" ? pollFlags(a.events) : (a.events ?? ["POLLIN"]).join("|")}, ${describePollTimeout(a.timeout)}`,
  *run(ctx, a): Call<Outcome> {
    const events = typeof a.events === "number" ? a.events : (a.events ?? ["POLLIN"]).reduce((m, n) => m | POLL_BITS[n], 0);
    const r = yield* ctx.sys.poll(fdOf(ctx.names, a.poll), events, pollTimeoutMs(a.timeout));
    return fromSys(r, (revents) => ({ revents, flags: pollFlags(revents) }));
  },
});

