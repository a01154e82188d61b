/**
 * `vdrm explore --merge`: the shards of one split search (shard_file.ts) put back together.
 * The shards must be of one scenario (same SHA-256 of its text), one search (same options and
 * split) and one shard count, each index once and none missing; their units then combine as
 * one process would have run them (combine.ts), and the counterexample is the one of the
 * first failing unit in the canonical order. The wall-clock time is the slowest shard's (the
 * shards ran side by side).
 */
import { isDeepStrictEqual } from "node:util";
import { combine, type Combined } from "./combine.js";
import { ShardFileError, type SearchKey, type ShardCounterexample, type ShardFile } from "./shard_file.js";

export interface Merged {
  readonly scenario: ShardFile["scenario"];
  readonly search: SearchKey;
  readonly shards: number;
  readonly result: Combined;
  readonly counterexample: ShardCounterexample | null;
}

interface Named {
  readonly file: string;
  readonly shard: ShardFile;
}

function differs(a: Named, b: Named, what: string, detail: string): never {
  const why = "shards of different searches cannot be merged";
  throw new ShardFileError(b.file, what, `differs from ${a.file} (${detail}): ${why}`);
}

/** Checks that the shards are one search, whole. @throws ShardFileError */
function checkShards(shards: readonly Named[]): void {
  const first = shards[0]!;
  const n = first.shard.shard.count;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const f = s.shard;
    const [a, b] = [first.shard.scenario, f.scenario];
    if (a.sha256 !== b.sha256 || a.name !== b.name) {
      differs(first, s, "scenario", `${b.name} (${b.file}) against ${a.name} (${a.file}), or its text changed`);
    }
    if (!isDeepStrictEqual(f.search, first.shard.search)) {
      const keys = Object.keys(f.search) as (keyof SearchKey)[];
      const k = keys.find((key) => f.search[key] !== first.shard.search[key]) ?? "mode";
      const [was, is] = [JSON.stringify(first.shard.search[k]), JSON.stringify(f.search[k])];
      differs(first, s, `search.${k}`, `${is} against ${was}`);
    }
    if (f.shard.count !== n) differs(first, s, "shard.count", `${f.shard.count} shards against ${n}`);
    const again = seen.get(f.shard.index);
    if (again !== undefined) {
      throw new ShardFileError(s.file, "shard.index", `shard ${f.shard.index}/${n} is also ${again}`);
    }
    seen.set(f.shard.index, s.file);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    const which = missing.map((i) => `${i}/${n}`).join(", ");
    const msg = `shard${missing.length > 1 ? "s" : ""} ${which} missing: give every shard's result file`;
    throw new ShardFileError(first.file, "", msg);
  }
}

/** Merges the result files of every shard of one search. @throws ShardFileError */
export function mergeShards(shards: readonly Named[]): Merged {
  if (shards.length === 0) throw new ShardFileError("--merge", "", "no result files given");
  checkShards(shards);
  const f0 = shards[0]!.shard;
  const results = shards.flatMap((s) => s.shard.units);
  const expected = Array.from({ length: f0.search.units }, (_, i) => i);
  const elapsed = Math.max(...shards.map((s) => s.shard.elapsedMs));
  const result = combine(results, expected, f0.search.all, elapsed);
  const cxs = shards.map((s) => s.shard.counterexample);
  const cx = cxs.find((c) => c !== null && c.unit === result.foundUnit) ?? null;
  return { scenario: f0.scenario, search: f0.search, shards: f0.shard.count, result, counterexample: cx };
}
