/**
 * `vdrm explore FILE --workers N`, `--shard I/N` and `--split-depth K`: the search split into
 * units (src/explore/split.ts) run on worker threads, or the share of one shard of N run here
 * and written as a result file (`--out FILE`, or `--json` on standard output) for
 * `vdrm explore --merge` (cmd_explore_merge.ts). The result is the same for any N.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { jsonText } from "../kernel/mod.js";
import {
  formatCounterexample, isModelText, readModelText, replayLine, shardUnits, shrunkCounterexample,
  split, splittable,
  SHARD_FORMAT, SHARD_VERSION, UnitRunner, runUnits, type Combined, type ExploreOptions,
  type ShardFile, type Split,
} from "../explore/mod.js";
import { escapeControls, type Scenario } from "../scenario/mod.js";
import type { ExploreFlags } from "./cmd_explore.js";
import { exploreCommand, optionsOf, settingsLine, statsLine } from "./cmd_explore.js";
import { exploreMerge } from "./cmd_explore_merge.js";
import type { CommandContext } from "./context.js";
import { CliError } from "./errors.js";
import { loadOneScenario } from "./load_one.js";
import { parseCount } from "./options.js";
import { EXIT, worst, type Verdict } from "./exit.js";
import type { Io } from "./io.js";
import { checkOutputPath, checkOutputsApart, writeOutput } from "./output_path.js";

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `--shard I/N`: shard I (from 0) of N. */
export function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (m === null) throw new InvalidArgumentError(`--shard must be I/N (shard I of N, I from 0), got "${v}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count === 0) throw new InvalidArgumentError(`--shard ${v}: the shard count N must be at least 1`);
  if (index >= count) throw new InvalidArgumentError(`--shard ${v}: the index I must be below N (0 to ${count - 1})`);
  return { index, count };
}

function parseDepth(v: string): number {
  if (/^\d+$/.test(v) && Number(v) <= 64) return Number(v);
  throw new InvalidArgumentError(`--split-depth must be an integer from 0 to 64, got "${v}"`);
}

export function addSplitOptions(cmd: Command): Command {
  return cmd
    .option("--all", "go on after a failure, collecting every distinct one")
    .option("--workers <n>", "run the search on N worker threads (the same result for any N)",
      parseCount("--workers"))
    .option("--shard <i/n>", "run shard I (from 0) of N of the search, for N machines", parseShard)
    .option("--split-depth <k>", "dfs: split at the first K choice points (default: the first of " +
      "1, 2, 4, 8, 16 with 16 units)", parseDepth)
    .option("--out <file>", "write the result file of a split search (for --merge)")
    .option("--merge", "merge the result files of a search's shards (given instead of FILE)");
}

/** Flags that make no sense with --merge (the search is in the result files). */
const NOT_WITH_MERGE = ["mode", "budget", "time", "depthMax", "preemptionsMax", "states", "dpor", "seed",
  "shrink", "maxSteps", "all", "workers", "shard", "splitDepth", "out"];

/** What `vdrm explore` does with its arguments: one search, a split one, or a merge. */
export function exploreAction(files: readonly string[], o: ExploreFlags, ctx: CommandContext, cmd: Command): void {
  const io = ctx.io;
  if (o.merge === true) {
    const given = NOT_WITH_MERGE.find((k) => cmd.getOptionValueSource(k) === "cli");
    if (given !== undefined) {
      const flag = cmd.options.find((x) => x.attributeName() === given)?.long ?? given;
      throw new CliError(`${flag} does not go with --merge: the search is the one in the result files`, "explore");
    }
    ctx.exitCode = exploreMerge(files, o, io);
    return;
  }
  if (files.length !== 1) {
    throw new CliError(`explore takes one scenario file, got ${files.length} (--merge takes result files)`, "explore");
  }
  if (o.out !== undefined && !isSplit(o)) {
    throw new CliError("--out writes the result file of a split search: give --shard, --workers or --split-depth", "explore");
  }
  if (!isSplit(o)) {
    ctx.exitCode = exploreCommand(files[0]!, o, io);
    return;
  }
  const text = readModelText(files[0]!);
  if (text !== null && isModelText(text)) {
    throw new CliError("--workers, --shard, --split-depth and --out split a scenario's search; " +
      "a model file is searched whole, in one thread", "explore");
  }
  const sc = loadOneScenario(files[0]!, "explore", "nothing was explored", io);
  if (sc === null) {
    ctx.exitCode = EXIT.input;
    return;
  }
  ctx.pending = exploreSplit(sc, o, optionsOf(o, io), io).catch((e: unknown) => {
    if (!(e instanceof CliError)) throw e;
    io.err(escapeControls(`vdrm explore: ${e.message}`));
    return EXIT.input;
  });
}

/** Whether the flags ask for a split search. */
export function isSplit(o: ExploreFlags): boolean {
  return o.workers !== undefined || o.shard !== undefined || o.splitDepth !== undefined;
}

/** What the shards of one search must agree on (shard_file.ts). */
function searchKey(o: ExploreOptions, s: Split): ShardFile["search"] {
  return {
    mode: o.mode as "random" | "pct" | "dfs", dpor: o.dpor !== false && o.states !== true,
    states: o.states === true, all: o.all === true, depthMax: o.depthMax ?? null,
    preemptionsMax: o.preemptionsMax ?? null, budget: o.budget ?? null, seed: o.seed ?? 1,
    stepsMax: o.stepsMax ?? null, splitDepth: s.depth, units: s.units.length,
  };
}

function unitsProgress(c: Combined, done: number, total: number): string {
  const s = c.stats;
  const rate = Math.round(s.transitions / Math.max(s.elapsedMs / 1000, 1e-3));
  const frac = total === 0 ? 1 : done / total;
  const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, ".");
  return `[${bar}] ${done}/${total} units, ${s.executions} executions, ${s.transitions} transitions, ${rate}/s`;
}

function splitLine(s: Split, o: ExploreFlags, ran: number): string {
  const how = s.mode === "dfs" ? `split at ${s.depth} choice points into ${s.units.length} units`
    : `split into ${s.units.length} units of ${s.depth} executions`;
  const where = o.shard !== undefined ? `, shard ${o.shard.index}/${o.shard.count} (${ran} units)`
    : `, ${o.workers ?? 1} worker${(o.workers ?? 1) > 1 ? "s" : ""}`;
  return `${how} (${s.discovery} runs to list them)${where}`;
}

/** The exit code of a split search's findings: the most serious verdict (0 without one). */
export function findingsExit(verdicts: readonly Verdict[]): number {
  return verdicts.length === 0 ? EXIT.pass : EXIT[worst(verdicts)];
}

export function findingLines(c: Combined): string[] {
  return c.failures.map((f) => `finding: ${f.failure.verdict} (${f.failure.kinds.join(", ")}) at execution ${f.execution}`);
}

/** Runs a split search (workers, or one shard); resolves to the exit code. */
export async function exploreSplit(
  sc: Scenario, o: ExploreFlags, opts: ExploreOptions & { shrink: boolean }, io: Io,
): Promise<number> {
  if (!splittable(opts.mode)) {
    throw new CliError(`--workers, --shard and --split-depth split dfs, random and pct searches, not ${opts.mode} ` +
      "(its level order does not split into subtrees)", "explore");
  }
  const out = o.out === undefined ? null : checkOutputPath("--out", o.out);
  if (o.out !== undefined) checkOutputsApart([["--out", o.out]], [sc.file]);
  const runner = new UnitRunner(o.workers ?? 1, sc.file);
  try {
    const s = split(sc, opts, o.splitDepth);
    const mine = o.shard === undefined ? s.units : shardUnits(s, o.shard.index, o.shard.count);
    const tty = process.stderr.isTTY === true && o.json !== true;
    const progress = (c: Combined, done: number): void => io.progress(unitsProgress(c, done, mine.length));
    const { results, combined } = await runUnits(sc, opts, mine, runner, tty ? { progress } : {});
    io.progress("");
    const { counterexample: cx, shrinking } = shrunkCounterexample(sc, combined.found, opts);
    const doc: ShardFile | null = o.shard === undefined && out === null ? null : {
      format: SHARD_FORMAT, version: SHARD_VERSION,
      scenario: { name: sc.name, file: sc.file, sha256: sha256Of(sc.file) },
      search: searchKey(opts, s), shard: o.shard ?? { index: 0, count: 1 },
      elapsedMs: combined.stats.elapsedMs,
      units: results,
      counterexample: cx === null || combined.foundUnit === null ? null : {
        unit: combined.foundUnit, verdict: cx.failure.verdict, kinds: [...cx.failure.kinds],
        lines: formatCounterexample(cx), replayToken: cx.token, replay: replayLine(cx),
      },
    };
    if (out !== null && doc !== null) writeOutput("--out", out, jsonText(doc));
    const cxLines = cx === null ? null : formatCounterexample(cx);
    if (o.json === true) io.out(jsonText(doc ?? splitJson(sc, combined, cxLines)));
    else {
      io.out(`${settingsLine(sc, o)}; ${splitLine(s, o, mine.length)}`);
      if (cx !== null) for (const line of formatCounterexample(cx)) io.out(line);
      io.out(statsLine(combined.stats));
      for (const line of findingLines(combined)) io.out(escapeControls(line));
      io.out(splitResultLine(combined, shrinking));
    }
    if (out !== null) io.err(`result file: ${out}`);
    if (combined.found !== null && cx === null) return EXIT.internal;
    return findingsExit(combined.failures.map((f) => f.failure.verdict));
  } finally {
    await runner.close();
  }
}

function splitJson(sc: Scenario, c: Combined, cx: string[] | null): Record<string, unknown> {
  return {
    scenario: sc.name, file: sc.file, stoppedBy: c.stoppedBy, stats: c.stats,
    units: { run: c.unitsRun, total: c.unitsTotal },
    findings: findingsJson(c),
    counterexample: cx,
  };
}

export function findingsJson(c: Combined): Record<string, unknown>[] {
  return c.failures.map((f) => ({ verdict: f.failure.verdict, kinds: f.failure.kinds, execution: f.execution }));
}

function sha256Of(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

const WHY = {
  complete: "the whole bounded space explored", budget: "the execution budget ran out",
  time: "the time ran out", failure: "",
} as const;

type Shrinking = { before: number; after: number; runs: number } | null;

export function splitResultLine(c: Combined, sh: Shrinking): string {
  const f = c.found;
  if (f !== null) {
    const shrunk = sh === null ? "" : `; shrunk from ${sh.before} given choices to ${sh.after} in ${sh.runs} reruns`;
    const what = `${f.failure.verdict} (${f.failure.kinds.join(", ")})`;
    return `result: ${what} found at execution ${f.execution} (unit ${c.foundUnit ?? "?"})${shrunk}`;
  }
  const why = WHY[c.stoppedBy];
  return `result: no failure; ${why} (${c.unitsRun} of ${c.unitsTotal} units)`;
}
