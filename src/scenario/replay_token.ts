/**
 * Replay tokens: one printable string that holds everything needed to rerun a run exactly:
 * the seed, the kernel profile and version, and every decision the scheduler made.
 *
 * Format v1: `v1.` + base64url(method, payload, check).
 * - payload: varint seed; profile and kernel as length-prefixed ASCII; varint decision count;
 *   one byte `bits` (the width of the largest decision); the decisions packed `bits` bits
 *   each, least significant bit first. Choices are small (an index among the runnable tasks),
 *   so a two-task run costs one bit a decision.
 * - method 0 stores the payload as is; method 1 stores it deflated (raw deflate, which
 *   run-length codes the long runs of one choice that long lists have). The shorter wins.
 * - check: the first 4 bytes of SHA-256 over method and stored payload, so a token with a
 *   changed, added or missing character is refused before anything in it is believed.
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import {
  isKernelVersion,
  PROFILE_NAMES,
  type KernelVersion,
  type ProfileName,
} from "../base/mod.js";
import { assert } from "../kernel/mod.js";

export interface ReplayToken {
  readonly seed: number;
  readonly profile: ProfileName;
  readonly kernel: KernelVersion;
  readonly decisions: readonly number[];
}

export type TokenResult =
  | { readonly ok: true; readonly token: ReplayToken }
  | { readonly ok: false; readonly message: string };

const VERSION = "v1";
const CHECK_BYTES = 4;
const METHOD_PLAIN = 0;
const METHOD_DEFLATE = 1;
/**
 * The most decisions a token holds (a longer list would cost its reader gigabytes). A run
 * that made more prints no token, only its seed command (see replayCommand()).
 */
export const DECISIONS_MAX = 10_000_000;
const PAYLOAD_BYTES_MAX = 64 * 1024 * 1024;
const DECISION_BITS_MAX = 31;

/** The token of a run; the decisions must be non-negative integers below 2^31. */
export function encodeReplayToken(t: ReplayToken): string {
  assert(t.decisions.length <= DECISIONS_MAX, `Cannot make a replay token of ${t.decisions.length} decisions: at most ${DECISIONS_MAX}`);
  const w = new ByteWriter();
  w.varint(t.seed);
  w.text(t.profile);
  w.text(t.kernel);
  w.varint(t.decisions.length);
  const bits = t.decisions.reduce((m, d) => Math.max(m, bitWidth(d)), 0);
  w.byte(bits);
  w.bytes(packBits(t.decisions, bits));
  const payload = w.done();
  const deflated = deflateRawSync(payload, { level: 9 });
  const stored =
    deflated.length < payload.length
      ? Buffer.concat([Buffer.of(METHOD_DEFLATE), deflated])
      : Buffer.concat([Buffer.of(METHOD_PLAIN), payload]);
  return `${VERSION}.${Buffer.concat([stored, checkOf(stored)]).toString("base64url")}`;
}

/** Reads a token; a token that is not one printed by vdrm gets a message saying what is wrong. */
export function decodeReplayToken(text: string): TokenResult {
  const fail = (why: string): TokenResult => ({
    ok: false,
    message: `Cannot read replay token: ${why}`,
  });
  const m = /^(v\d+)\.(.*)$/s.exec(text.trim());
  if (m === null) return fail(`it must start with "${VERSION}." (got "${text.slice(0, 12)}")`);
  if (m[1] !== VERSION) return fail(`version ${m[1]} is not supported; this vdrm reads ${VERSION}`);
  const body = m[2]!;
  const bad = /[^A-Za-z0-9_-]/.exec(body);
  if (bad !== null) {
    const position = m[1]!.length + 1 + bad.index + 1;
    return fail(`character ${position} ("${bad[0]}") is not one of A-Z a-z 0-9 - _`);
  }
  const bytes = Buffer.from(body, "base64url");
  // A last character whose unused bits are set decodes like another one: refuse it too.
  if (bytes.length <= CHECK_BYTES || bytes.toString("base64url") !== body) return fail(corrupt);
  const stored = bytes.subarray(0, bytes.length - CHECK_BYTES);
  if (!checkOf(stored).equals(bytes.subarray(bytes.length - CHECK_BYTES))) return fail(corrupt);
  try {
    return { ok: true, token: readPayload(unpack(stored)) };
  } catch (e) {
    if (e instanceof TokenFormatError) return fail(e.message);
    throw e;
  }
}

const corrupt =
  "it does not match its checksum (a character was changed, added or removed; copy the whole token)";

class TokenFormatError extends Error {}

function unpack(stored: Buffer): Buffer {
  const method = stored[0];
  const data = stored.subarray(1);
  if (method === METHOD_PLAIN) return data;
  if (method !== METHOD_DEFLATE) {
    throw new TokenFormatError(`unknown storage method ${String(method)}`);
  }
  try {
    return inflateRawSync(data, { maxOutputLength: PAYLOAD_BYTES_MAX });
  } catch {
    throw new TokenFormatError("its compressed payload is damaged");
  }
}

function readPayload(payload: Buffer): ReplayToken {
  const r = new ByteReader(payload);
  const seed = r.varint("seed");
  const profile = r.text("profile");
  if (!isProfileName(profile)) throw new TokenFormatError(`unknown profile "${profile}"`);
  const kernel = r.text("kernel");
  if (!isKernelVersion(kernel)) throw new TokenFormatError(`unknown kernel version "${kernel}"`);
  const count = r.varint("decision count");
  if (count > DECISIONS_MAX) {
    throw new TokenFormatError(
      `${count} decisions is more than the ${DECISIONS_MAX} a token holds`,
    );
  }
  const bits = r.byte("decision width");
  if (bits > DECISION_BITS_MAX) {
    throw new TokenFormatError(`decision width ${bits} is more than ${DECISION_BITS_MAX} bits`);
  }
  const packed = r.rest();
  if (packed.length !== Math.ceil((count * bits) / 8)) {
    throw new TokenFormatError(
      `${count} decisions of ${bits} bits do not fill ${packed.length} bytes`,
    );
  }
  return { seed, profile, kernel, decisions: unpackBits(packed, count, bits) };
}

function isProfileName(v: string): v is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(v);
}

function checkOf(stored: Buffer): Buffer {
  return createHash("sha256").update(stored).digest().subarray(0, CHECK_BYTES);
}

function bitWidth(d: number): number {
  if (!(Number.isInteger(d) && d >= 0 && d < 2 ** DECISION_BITS_MAX)) {
    throw new RangeError(`Cannot encode decision ${d}: not an integer in 0..2^31-1`);
  }
  return 32 - Math.clz32(d);
}

function packBits(values: readonly number[], bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  let pos = 0;
  for (const v of values) {
    for (let b = 0; b < bits; b++, pos++) {
      if ((v >>> b) & 1) out[pos >> 3]! |= 1 << (pos & 7);
    }
  }
  return out;
}

function unpackBits(packed: Uint8Array, count: number, bits: number): number[] {
  const out = new Array<number>(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let b = 0; b < bits; b++, pos++) {
      if ((packed[pos >> 3]! >> (pos & 7)) & 1) v |= 1 << b;
    }
    out[i] = v >>> 0;
  }
  return out;
}

class ByteWriter {
  private readonly out: number[] = [];
  byte(b: number): void {
    this.out.push(b);
  }
  /** LEB128, for any safe non-negative integer (arithmetic, not 32-bit shifts). */
  varint(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) {
      throw new RangeError(`Cannot encode ${n}: not a safe non-negative integer`);
    }
    for (; n >= 0x80; n = Math.floor(n / 0x80)) this.out.push((n % 0x80) | 0x80);
    this.out.push(n);
  }
  text(s: string): void {
    this.varint(s.length);
    for (let i = 0; i < s.length; i++) this.out.push(s.charCodeAt(i) & 0x7f);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.out.push(x);
  }
  done(): Buffer {
    return Buffer.from(this.out);
  }
}

class ByteReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  byte(what: string): number {
    const b = this.buf[this.pos++];
    if (b === undefined) throw new TokenFormatError(`it ends before its ${what}`);
    return b;
  }
  varint(what: string): number {
    let n = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const b = this.byte(what);
      n += (b & 0x7f) * scale;
      if (!Number.isSafeInteger(n)) throw new TokenFormatError(`its ${what} is too large`);
      if ((b & 0x80) === 0) return n;
    }
  }
  text(what: string): string {
    const length = this.varint(what);
    if (length > 32) throw new TokenFormatError(`its ${what} is ${length} characters long`);
    let s = "";
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.byte(what));
    return s;
  }
  rest(): Buffer {
    const r = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return r;
  }
}
