/**
 * `vdrm explore --merge FILE...`: the result files of every shard of one split search
 * (`vdrm explore --shard I/N --out FILE`) merged into one report: the first counterexample in
 * the canonical order, the distinct findings, the statistics summed (distinct states and
 * fault points as unions), and the exit code of the most serious finding. A file that cannot
 * be read, is not a result file, or belongs to another search is bad input (exit 2), located.
 */
import { readFileSync } from "node:fs";
import { jsonText } from "../kernel/mod.js";
import { mergeShards, parseShardFile, ShardFileError, type Merged, type ShardFile } from "../explore/mod.js";
import { escapeControls } from "../scenario/mod.js";
import { findingLines, findingsExit, findingsJson, splitResultLine } from "./cmd_explore_split.js";
import type { ExploreFlags } from "./cmd_explore.js";
import { statsLine } from "./cmd_explore.js";
import { CliError, fsErrorText } from "./errors.js";
import type { Io } from "./io.js";

function readShard(file: string): { file: string; shard: ShardFile } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`--merge ${JSON.stringify(file)}: cannot read: ${fsErrorText(e)}`, "explore");
  }
  return { file, shard: parseShardFile(text, file) };
}

function mergeLine(m: Merged): string {
  const s = m.search;
  const parts = [`mode ${s.mode}`];
  if (s.mode === "dfs") parts.push(s.dpor ? "DPOR (source sets, sleep sets)" : "no reduction");
  if (s.states) parts.push("state hashing");
  if (s.depthMax !== null) parts.push(`depth <= ${s.depthMax}`);
  if (s.preemptionsMax !== null) parts.push(`preemptions <= ${s.preemptionsMax}`);
  if (s.budget !== null) parts.push(`budget ${s.budget} executions`);
  if (s.mode !== "dfs") parts.push(`seed ${s.seed}`);
  const split = s.mode === "dfs" ? `split at ${s.splitDepth} choice points` : `units of ${s.splitDepth} executions`;
  const what = `${m.scenario.name} (${m.scenario.file})`;
  return `merge of ${m.shards} shards: ${what}: ${parts.join(", ")}; ${split}, ${s.units} units`;
}

export function exploreMerge(files: readonly string[], o: ExploreFlags, io: Io): number {
  let m: Merged;
  try {
    m = mergeShards(files.map(readShard));
  } catch (e) {
    if (e instanceof ShardFileError) throw new CliError(`--merge: ${e.message}`, "explore");
    throw e;
  }
  const r = m.result;
  if (o.json === true) {
    io.out(jsonText({
      scenario: m.scenario, search: m.search, shards: m.shards, stoppedBy: r.stoppedBy, stats: r.stats,
      units: { run: r.unitsRun, total: r.unitsTotal },
      findings: findingsJson(r),
      counterexample: m.counterexample,
    }));
  } else {
    io.out(escapeControls(mergeLine(m)));
    for (const line of m.counterexample?.lines ?? []) io.out(line);
    io.out(statsLine(r.stats));
    for (const line of findingLines(r)) io.out(escapeControls(line));
    io.out(splitResultLine(r, null));
  }
  return findingsExit(r.failures.map((f) => f.failure.verdict));
}
