/**
 * The result file of one shard of a split search (`vdrm explore --shard I/N --out FILE`),
 * which `vdrm explore --merge` reads back: what was searched (the scenario, by name, file and
 * SHA-256 of its text; the options that shape the search; the split), which shard this is,
 * and the result of every unit it ran (split.ts, unit.ts), with the counterexample of its
 * first failure printed. A file is checked whole before anything is merged; every problem
 * names the file and the place in it.
 */
import { z } from "zod";
import type { UnitResult } from "./unit.js";

export const SHARD_FORMAT = "vdrm-explore-shard";
export const SHARD_VERSION = 1;

const count = z.number().int().nonnegative();
const failure = z.object({
  verdict: z.enum(["expectation", "memory", "hang", "leak", "warn", "blocked", "budget", "footprint"]),
  kinds: z.array(z.string()).min(1),
}).strict();

const unitResult = z.object({
  index: count,
  executions: count,
  transitions: count,
  maxDepth: count,
  redundant: count,
  elapsedMs: z.number().nonnegative(),
  states: z.array(z.string()),
  faultPoints: z.array(z.string()),
  failures: z.array(z.object({ decisions: z.array(count), failure, execution: count }).strict()),
  stoppedBy: z.enum(["failure", "complete", "budget", "time"]),
}).strict();

/** The options that make two shards parts of one search (they must be equal to merge). */
const searchSchema = z.object({
  mode: z.enum(["random", "pct", "dfs"]),
  dpor: z.boolean(),
  states: z.boolean(),
  all: z.boolean(),
  depthMax: count.nullable(),
  preemptionsMax: count.nullable(),
  budget: count.nullable(),
  seed: count,
  stepsMax: count.nullable(),
  splitDepth: count,
  units: count,
}).strict();

const counterexampleSchema = z.object({
  unit: count,
  verdict: failure.shape.verdict,
  kinds: z.array(z.string()),
  lines: z.array(z.string()),
  replayToken: z.string().nullable(),
  replay: z.string(),
}).strict();

export const shardSchema = z.object({
  format: z.literal(SHARD_FORMAT),
  version: z.literal(SHARD_VERSION),
  scenario: z.object({ name: z.string(), file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  search: searchSchema,
  shard: z.object({ index: count, count: z.number().int().positive() }).strict(),
  elapsedMs: z.number().nonnegative(),
  units: z.array(unitResult),
  counterexample: counterexampleSchema.nullable(),
}).strict();

export type ShardFile = Omit<z.infer<typeof shardSchema>, "units"> & { readonly units: readonly UnitResult[] };
export type SearchKey = z.infer<typeof searchSchema>;
export type ShardCounterexample = z.infer<typeof counterexampleSchema>;

/** A problem with one result file, located in it (a JSON path, or a line and column). */
export class ShardFileError extends Error {
  constructor(readonly file: string, readonly where: string, message: string) {
    super(`${file}${where === "" ? "" : `: ${where}`}: ${message}`);
  }
}

/** A JSON path as people write it: units[3].executions. */
function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out === "" ? "" : "."}${String(p)}`;
  return out;
}

/** Where JSON.parse stopped, as line:column (Node 20 says "at position N"). */
function jsonWhere(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (m === null) return "";
  const before = text.slice(0, Number(m[1]));
  const line = before.split("\n").length;
  return `${line}:${before.length - before.lastIndexOf("\n")}`;
}

/** Parses and checks one result file's text. @throws ShardFileError */
export function parseShardFile(text: string, file: string): ShardFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    throw new ShardFileError(file, jsonWhere(text, msg), `not a JSON result file of vdrm explore --shard (${msg})`);
  }
  const format = (data as { format?: unknown } | null)?.format;
  if (format !== SHARD_FORMAT) {
    const got = JSON.stringify(format) ?? "nothing";
    const msg = `expected "${SHARD_FORMAT}" (the file of vdrm explore --shard --out), got ${got}`;
    throw new ShardFileError(file, "format", msg);
  }
  const r = shardSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ShardFileError(file, pathText(issue.path), issue.message);
  }
  const f: ShardFile = r.data;
  const { index, count: n } = f.shard;
  if (index >= n) throw new ShardFileError(file, "shard.index", `${index} is not below the shard count ${n}`);
  for (const [i, u] of f.units.entries()) {
    if (u.index >= f.search.units || u.index % n !== index) {
      const msg = `unit ${u.index} is not one of shard ${index}/${n}'s (of ${f.search.units} units)`;
      throw new ShardFileError(file, `units[${i}].index`, msg);
    }
  }
  return f;
}

