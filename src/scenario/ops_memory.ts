/**
 * Memory-map steps: mmap of a DRM fd at a fake offset (from MODE_MAP_DUMB or a driver's map
 * ioctl), munmap, and CPU reads and writes through a mapping, which either complete or raise
 * SIGBUS/SIGSEGV; a program has no signal handler, so the runner ends it there.
 */
import { z } from "zod";
import type { Call, Fd, MemResult } from "../uapi/mod.js";
import { formatBytes, MAP_BYTES_MAX, MEM_ACCESS_BYTES_MAX } from "./limits.js";
import { defineOp, fromSys, hex, intOrRef, ref, type Outcome } from "./op.js";
import { StepError, type Fields, type NamedResults } from "./values.js";

/** A byte count or offset of a step: its schema, and its value when the step runs. */
interface ByteBound {
  /** A whole number in [min, max], or a `$name` reference. */
  readonly schema: z.ZodType<number | string>;
  /** The value `v` (`what` in messages), a reference resolved and checked against the bounds. */
  resolve(names: NamedResults, v: unknown, what: string): number;
}

/** A byte count or offset in [min, max]: checked when the file loads, a reference when it runs. */
function bytes(min: number, max: number): ByteBound {
  const n = z
    .number()
    .int("expected a whole number of bytes")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${formatBytes(max)} (${max} bytes)`);
  return {
    schema: z.union([n, ref]),
    resolve(names, v, what) {
      const r = names.resolveNumber(v, what);
      if (!Number.isInteger(r) || r < min || r > max)
        throw new StepError(
          `${what} ${typeof v === "string" ? `${v} = ` : ""}${r} is not a whole number ` +
            `in ${min}..${formatBytes(max)}`,
        );
      return r;
    },
  };
}

const accessLength = bytes(1, MEM_ACCESS_BYTES_MAX);
const mapLength = bytes(0, MAP_BYTES_MAX);
const offsetInMap = bytes(0, MAP_BYTES_MAX);
const fileOffset = bytes(0, Number.MAX_SAFE_INTEGER);
const userAddress = bytes(0, Number.MAX_SAFE_INTEGER);

function fromMem<T>(r: MemResult<T>, fields: (v: T) => Fields): Outcome {
  return r.ok ? { status: "ok", fields: fields(r.value) } : { status: "signal", signal: r.signal };
}

/** The address `base` (+ `offset`) of a step, resolved. */
function address(names: NamedResults, base: unknown, offset: unknown): bigint {
  const addr = userAddress.resolve(names, base, "addr");
  return (
    BigInt(addr) +
    BigInt(offset === undefined ? 0 : offsetInMap.resolve(names, offset, "offset"))
  );
}

function hexArg(v: unknown): string {
  return typeof v === "number" ? hex(v) : String(v);
}

/** `0x7f00+0x10`: an address and an offset as the timeline shows them. */
function at(addr: unknown, offset: unknown): string {
  return `${hexArg(addr)}${offset !== undefined ? `+${hexArg(offset)}` : ""}`;
}

export const mmapOp = defineOp({
  name: "mmap",
  summary: "mmap(2) length bytes of an fd at offset (e.g. $map.offset); result addr",
  main: "addr",
  schema: z.object({ mmap: intOrRef, offset: fileOffset.schema, length: mapLength.schema }).strict(),
  describe: (a) => `mmap ${a.mmap}, offset ${hexArg(a.offset)}, ${a.length}`,
  *run(ctx, a): Call<Outcome> {
    const fd = ctx.names.resolveNumber(a.mmap, "fd") as Fd;
    const offset = BigInt(fileOffset.resolve(ctx.names, a.offset, "offset"));
    const r = yield* ctx.sys.mmap(
      fd,
      offset,
      mapLength.resolve(ctx.names, a.length, "length"),
    );
    return fromSys(r, (addr) => ({ addr: Number(addr) }));
  },
});

export const mmapAnonOp = defineOp({
  name: "mmap-anon",
  summary:
    "mmap(2) length bytes of anonymous shared memory (MAP_SHARED|MAP_ANONYMOUS), zeroed: " +
    "memory a pointer an ioctl writes through can name (OUT_FENCE_PTR); result addr",
  main: "addr",
  schema: z.object({ "mmap-anon": mapLength.schema }).strict(),
  describe: (a) => `mmap anonymous, ${a["mmap-anon"]}`,
  *run(ctx, a): Call<Outcome> {
    const r = yield* ctx.sys.mmapAnon(mapLength.resolve(ctx.names, a["mmap-anon"], "length"));
    return fromSys(r, (addr) => ({ addr: Number(addr) }));
  },
});

export const munmapOp = defineOp({
  name: "munmap",
  summary: "munmap(2) a mapping",
  schema: z.object({ munmap: userAddress.schema, length: mapLength.schema }).strict(),
  describe: (a) => `munmap ${hexArg(a.munmap)}, ${a.length}`,
  *run(ctx, a): Call<Outcome> {
    const addr = address(ctx.names, a.munmap, undefined);
    return fromSys(
      yield* ctx.sys.munmap(addr, mapLength.resolve(ctx.names, a.length, "length")),
      () => ({}),
    );
  },
});

export const memReadOp = defineOp({
  name: "mem-read",
  summary:
    "read length bytes through a mapping; result length, fill (the byte if all are equal, " +
    "else null), head (first 16 bytes, hex), s32 (the first 4 bytes as a little-endian int, " +
    "as a variable the kernel wrote an fd to reads); or SIGBUS, which ends the program",
  schema: z
    .object({
      "mem-read": userAddress.schema,
      length: accessLength.schema,
      offset: offsetInMap.schema.optional(),
    })
    .strict(),
  describe: (a) =>
    `mem-read ${at(a["mem-read"], a.offset)}, ${a.length}`,
  *run(ctx, a): Call<Outcome> {
    const addr = address(ctx.names, a["mem-read"], a.offset);
    const r = yield* ctx.sys.memRead(
      addr,
      accessLength.resolve(ctx.names, a.length, "length"),
    );
    return fromMem(r, (bytes) => ({
      length: bytes.length,
      fill: bytes.length > 0 && bytes.every((b) => b === bytes[0]) ? bytes[0]! : null,
      head: Buffer.from(bytes.subarray(0, 16)).toString("hex"),
      s32: bytes.length >= 4 ? Buffer.from(bytes).readInt32LE(0) : null,
    }));
  },
});

export const memWriteOp = defineOp({
  name: "mem-write",
  summary:
    "write length bytes of value fill through a mapping; result written; or SIGBUS, which " +
    "ends the program",
  schema: z
    .object({
      "mem-write": userAddress.schema,
      fill: z.number().int().min(0).max(255),
      length: accessLength.schema,
      offset: offsetInMap.schema.optional(),
    })
    .strict(),
  describe: (a) =>
    `mem-write ${at(a["mem-write"], a.offset)}, ${a.length} x ${hex(a.fill)}`,
  *run(ctx, a): Call<Outcome> {
    const addr = address(ctx.names, a["mem-write"], a.offset);
    const length = accessLength.resolve(ctx.names, a.length, "length");
    const r = yield* ctx.sys.memWrite(addr, new Uint8Array(length).fill(a.fill));
    return fromMem(r, (written) => ({ written }));
  },
});
