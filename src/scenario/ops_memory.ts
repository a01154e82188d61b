/**
 * Memory-map steps: mmap of a DRM fd at a fake offset (from MODE_MAP_DUMB), munmap, and CPU
 * reads and writes through a mapping, which either complete or raise SIGBUS/SIGSEGV.
 */
import { z } from "zod";
import type { Call, Fd, MemResult } from "../uapi/mod.js";
import { defineOp, fromSys, hex, intOrRef, type Outcome } from "./op.js";
import type { Fields, NamedResults } from "./values.js";

function fromMem<T>(r: MemResult<T>, fields: (v: T) => Fields): Outcome {
  return r.ok ? { status: "ok", fields: fields(r.value) } : { status: "signal", signal: r.signal };
}

/** The address `base` (+ `offset`) of a step, resolved. */
function address(names: NamedResults, base: unknown, offset: unknown): bigint {
  return BigInt(names.resolveNumber(base, "addr") + (offset === undefined ? 0 : names.resolveNumber(offset, "offset")));
}

export const mmapOp = defineOp({
  name: "mmap",
  summary: "mmap(2) length bytes of an fd at offset (e.g. $map.offset); result addr",
  main: "addr",
  schema: z.object({ mmap: intOrRef, offset: intOrRef, length: intOrRef }).strict(),
  describe: (a) => `mmap ${a.mmap}, offset ${typeof a.offset === "number" ? hex(a.offset) : a.offset}, ${a.length}`,
  *run(ctx, a): Call<Outcome> {
    const fd = ctx.names.resolveNumber(a.mmap, "fd") as Fd;
    const offset = BigInt(ctx.names.resolveNumber(a.offset, "offset"));
    const r = yield* ctx.sys.mmap(fd, offset, ctx.names.resolveNumber(a.length, "length"));
    return fromSys(r, (addr) => ({ addr: Number(addr) }));
  },
});

export const munmapOp = defineOp({
  name: "munmap",
  summary: "munmap(2) a mapping",
  schema: z.object({ munmap: intOrRef, length: intOrRef }).strict(),
  describe: (a) => `munmap ${a.munmap}, ${a.length}`,
  *run(ctx, a): Call<Outcome> {
    const addr = address(ctx.names, a.munmap, undefined);
    return fromSys(yield* ctx.sys.munmap(addr, ctx.names.resolveNumber(a.length, "length")), () => ({}));
  },
});

export const memReadOp = defineOp({
  name: "mem-read",
  summary: "read length bytes through a mapping; result length, fill (the byte if all are equal, else null), head (first 16 bytes, hex); or SIGBUS",
  schema: z.object({ "mem-read": intOrRef, length: intOrRef, offset: intOrRef.optional() }).strict(),
  describe: (a) => `mem-read ${a["mem-read"]}${a.offset !== undefined ? `+${a.offset}` : ""}, ${a.length}`,
  *run(ctx, a): Call<Outcome> {
    const addr = address(ctx.names, a["mem-read"], a.offset);
    const r = yield* ctx.sys.memRead(addr, ctx.names.resolveNumber(a.length, "length"));
    return fromMem(r, (bytes) => ({
      length: bytes.length,
      fill: bytes.length > 0 && bytes.every((b) => b === bytes[0]) ? bytes[0]! : null,
      head: Buffer.from(bytes.subarray(0, 16)).toString("hex"),
    }));
  },
});

export const memWriteOp = defineOp({
  name: "mem-write",
  summary: "write length bytes of value fill through a mapping; result written; or SIGBUS",
  schema: z.object({ "mem-write": intOrRef, fill: z.number().int().min(0).max(255), length: intOrRef, offset: intOrRef.optional() }).strict(),
  describe: (a) => `mem-write ${a["mem-write"]}${a.offset !== undefined ? `+${a.offset}` : ""}, ${a.length} x ${hex(a.fill)}`,
  *run(ctx, a): Call<Outcome> {
    const addr = address(ctx.names, a["mem-write"], a.offset);
    const r = yield* ctx.sys.memWrite(addr, new Uint8Array(ctx.names.resolveNumber(a.length, "length")).fill(a.fill));
    return fromMem(r, (written) => ({ written }));
  },
});
