/**
 * Replay tokens of a model file's counterexample (`vdrm explore MODEL-FILE`; `vdrm replay`):
 * the model's name, every parameter in force (the file's `define` and `-D` together, so the
 * file's own values cannot change what the token reruns) and the run's decisions: at each
 * state, the index of the transition taken among the executable ones, in the order the search
 * tries them (process by process, each process's transitions in the model's order).
 *
 * Format m1: `m1.` + base64url(deflated JSON payload, check), the check being the first 4
 * bytes of SHA-256 over the deflated payload, so a changed, added or missing character is
 * refused before anything in the token is believed. A scenario's token starts with `v1.`
 * (src/scenario/replay_token.ts): the prefix tells the two apart.
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";

export const MODEL_TOKEN_PREFIX = "m1.";
const CHECK_BYTES = 4;
/** A counterexample is a path through a model's states; a longer one is not a token of ours. */
const PAYLOAD_BYTES_MAX = 16 * 1024 * 1024;

export interface ModelToken {
  readonly model: string;
  readonly defines: Readonly<Record<string, number | boolean>>;
  readonly decisions: readonly number[];
}

export type ModelTokenResult =
  | { readonly ok: true; readonly token: ModelToken }
  | { readonly ok: false; readonly message: string };

function checkOf(stored: Buffer): Buffer {
  return createHash("sha256").update(stored).digest().subarray(0, CHECK_BYTES);
}

export function encodeModelToken(t: ModelToken): string {
  const payload = JSON.stringify({ model: t.model, define: t.defines, decisions: t.decisions });
  const stored = deflateRawSync(Buffer.from(payload, "utf8"), { level: 9 });
  return `${MODEL_TOKEN_PREFIX}${Buffer.concat([stored, checkOf(stored)]).toString("base64url")}`;
}

/** Whether `text` is meant as a model's token (it may still be a damaged one). */
export function isModelToken(text: string): boolean {
  return text.trim().startsWith(MODEL_TOKEN_PREFIX);
}

function shapeError(data: unknown): string | null {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return "its payload is not an object";
  const d = data as Record<string, unknown>;
  if (typeof d["model"] !== "string") return "its model name is missing";
  const def = d["define"];
  if (def === null || typeof def !== "object" || Array.isArray(def)) return "its parameters are missing";
  for (const [k, v] of Object.entries(def)) {
    if (typeof v !== "boolean" && !Number.isSafeInteger(v)) return `its parameter ${k} is not a number or a switch`;
  }
  const ds = d["decisions"];
  if (!Array.isArray(ds) || !ds.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) {
    return "its decisions are not a list of non-negative integers";
  }
  return null;
}

/** Reads a model token; a token vdrm did not print gets a message saying what is wrong. */
export function decodeModelToken(text: string): ModelTokenResult {
  const fail = (why: string): ModelTokenResult => ({ ok: false, message: `Cannot read model replay token: ${why}` });
  const body = text.trim().slice(MODEL_TOKEN_PREFIX.length);
  if (!isModelToken(text)) return fail(`it must start with "${MODEL_TOKEN_PREFIX}"`);
  const bad = /[^A-Za-z0-9_-]/.exec(body);
  if (bad !== null) {
    const position = MODEL_TOKEN_PREFIX.length + bad.index + 1;
    return fail(`character ${position} ("${bad[0]}") is not one of A-Z a-z 0-9 - _`);
  }
  const bytes = Buffer.from(body, "base64url");
  const corrupt = "it does not match its checksum (a character was changed, added or removed; copy the whole token)";
  if (bytes.length <= CHECK_BYTES || bytes.toString("base64url") !== body) return fail(corrupt);
  const stored = bytes.subarray(0, bytes.length - CHECK_BYTES);
  if (!checkOf(stored).equals(bytes.subarray(bytes.length - CHECK_BYTES))) return fail(corrupt);
  let data: unknown;
  try {
    data = JSON.parse(inflateRawSync(stored, { maxOutputLength: PAYLOAD_BYTES_MAX }).toString("utf8"));
  } catch {
    return fail("its compressed payload is damaged");
  }
  const why = shapeError(data);
  if (why !== null) return fail(why);
  const d = data as { model: string; define: Record<string, number | boolean>; decisions: number[] };
  return { ok: true, token: { model: d.model, defines: d.define, decisions: d.decisions } };
}
