/**
 * `vdrm explore FILE`: searches the choice points of one scenario (which task runs at each
 * step, when a due timer fires) for a run that fails an oracle: an unexpected kernel finding,
 * an expectation or check of the scenario, a program left blocked. A failing run is shrunk and
 * printed as a counterexample with its replay token; the exit code is its verdict's. Without
 * one, exit 0, and the statistics say whether the search covered its whole bounded space.
 */
import { InvalidArgumentError, type Command } from "commander";
import { jsonText } from "../kernel/mod.js";
import {
  explore, formatCounterexample, isModelText, readModelText, MODES, replayLine, SAMPLES_DEFAULT, type ExploreOptions,
  type ExploreResult, type Mode, type Stats,
} from "../explore/mod.js";
import { escapeControls, type Scenario } from "../scenario/mod.js";
import type { CommandContext } from "./context.js";
import { EXIT } from "./exit.js";
import type { Io } from "./io.js";
import { loadOneScenario } from "./load_one.js";
import { choice, parseCount, parseSeed } from "./options.js";
import { addSplitOptions, exploreAction, type Shard } from "./cmd_explore_split.js";
import { exploreModelCommand } from "./cmd_explore_model.js";

export interface ExploreFlags {
  readonly mode: Mode;
  readonly budget?: number;
  readonly time?: number;
  readonly depthMax?: number;
  readonly preemptionsMax?: number;
  readonly states?: boolean;
  readonly dpor: boolean;
  readonly seed?: number;
  readonly shrink: boolean;
  readonly maxSteps?: number;
  readonly json?: boolean;
  readonly all?: boolean;
  readonly workers?: number;
  readonly shard?: Shard;
  readonly splitDepth?: number;
  readonly out?: string;
  readonly merge?: boolean;
  readonly define?: readonly string[];
}

/** A non-negative integer option (--preemptions-max 0 is meaningful). */
function parseBound(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (/^\d+$/.test(v) && Number.isSafeInteger(n)) return n;
    throw new InvalidArgumentError(`${flag} must be a non-negative integer, got "${v}"`);
  };
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (/^\d+(\.\d+)?$/.test(v) && n > 0) return n;
  throw new InvalidArgumentError(`--time must be a positive number of seconds, got "${v}"`);
}

export function addExploreCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command("explore")
    .description("search the interleavings of a scenario for a failing run (docs/explore.md)")
    .argument("<file...>", "scenario file (with --merge: the result files of the shards)")
    .option("--mode <m>", `search: ${MODES.join(", ")}`, choice("mode", MODES), "dfs")
    .option("--budget <n>", `the most executions (random and pct: ${SAMPLES_DEFAULT} by default)`,
      parseCount("--budget"))
    .option("--time <s>", "the most wall-clock seconds to search", parseSeconds)
    .option("--depth-max <n>", "only the first N choice points of a run branch",
      parseBound("--depth-max"))
    .option("--preemptions-max <k>", "the most preemptions a run may make",
      parseBound("--preemptions-max"))
    .option("--states", "hash each state and branch from each only once (dfs, bfs; dfs then " +
      "runs without partial-order reduction)")
    .option("--no-dpor", "dfs: try every option of every choice point")
    .option("--seed <n>", "random, pct: the seed of the choices (default 1)", parseSeed)
    .option("--no-shrink", "print the failing run as found")
    .option("--max-steps <n>", "step budget of each run", parseCount("--max-steps"))
    .option("--json", "print one JSON object")
    .option("-D, --define <name[=value]>", "a model file's parameter, as spin -D (repeatable)",
      (v: string, all: string[]) => [...all, v], [] as string[]);
  addSplitOptions(cmd).action((files: string[], o: ExploreFlags) => exploreAction(files, o, ctx, cmd));
}

export function optionsOf(o: ExploreFlags, io: Io): ExploreOptions & { shrink: boolean } {
  const tty = process.stderr.isTTY === true && o.json !== true;
  return {
    mode: o.mode, dpor: o.dpor, shrink: o.shrink,
    ...(o.budget !== undefined ? { budget: o.budget } : {}),
    ...(o.time !== undefined ? { timeS: o.time } : {}),
    ...(o.depthMax !== undefined ? { depthMax: o.depthMax } : {}),
    ...(o.preemptionsMax !== undefined ? { preemptionsMax: o.preemptionsMax } : {}),
    ...(o.states === true ? { states: true } : {}),
    ...(o.all === true ? { all: true } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.maxSteps !== undefined ? { stepsMax: o.maxSteps } : {}),
    ...(tty ? { progress: (s: Stats) => io.progress(progressLine(s, o)) } : {}),
  };
}

/** A bar when the budget is known, else a running count. */
export function progressLine(s: Stats, o: { budget?: number; mode: Mode }): string {
  const rate = Math.round(s.transitions / Math.max(s.elapsedMs / 1000, 1e-3));
  const counts = `${s.executions} executions, ${s.transitions} transitions, ${rate}/s`;
  const budget = o.budget ?? (o.mode === "random" || o.mode === "pct" ? SAMPLES_DEFAULT : undefined);
  if (budget === undefined) return `exploring: ${counts}`;
  const done = Math.min(1, s.executions / budget);
  const bar = "#".repeat(Math.round(done * 30)).padEnd(30, ".");
  return `[${bar}] ${Math.floor(done * 100)}% ${counts}`;
}

export function statsLine(s: Stats): string {
  const secs = s.elapsedMs / 1000;
  const rate = Math.round(s.transitions / Math.max(secs, 1e-3));
  const states = s.states > 0 ? `${s.states}` : "not hashed (--states)";
  return `statistics: ${s.executions} executions, ${s.transitions} transitions, ` +
    `distinct states ${states}, ${rate} transitions/s, max depth ${s.maxDepth} choice points, ` +
    `fault points reached ${s.faultPoints}, redundant runs cut ${s.redundant}, ${secs.toFixed(2)} s`;
}

export function settingsLine(sc: Scenario, o: ExploreFlags): string {
  const parts = [`mode ${o.mode}`];
  if (o.mode === "dfs") parts.push(o.dpor && o.states !== true ? "DPOR (source sets, sleep sets)" : "no reduction");
  if (o.states === true) parts.push("state hashing");
  if (o.depthMax !== undefined) parts.push(`depth <= ${o.depthMax}`);
  if (o.preemptionsMax !== undefined) parts.push(`preemptions <= ${o.preemptionsMax}`);
  if (o.budget !== undefined) parts.push(`budget ${o.budget} executions`);
  if (o.time !== undefined) parts.push(`time ${o.time} s`);
  if (o.mode === "random" || o.mode === "pct") parts.push(`seed ${o.seed ?? 1}`);
  return escapeControls(`explore ${sc.name} (${sc.file}): ${parts.join(", ")}`);
}

function resultLine(r: ExploreResult): string {
  const cx = r.counterexample;
  if (cx !== null) {
    const sh = r.shrinking;
    const shrunk = sh === null ? "" : `; shrunk from ${sh.before} given choices to ${sh.after} in ${sh.runs} reruns`;
    return `result: ${cx.failure.verdict} (${cx.failure.kinds.join(", ")}) found at execution ${r.search.found?.execution ?? "?"}${shrunk}`;
  }
  if (r.search.found !== null) return "result: the failing run did not fail again when rerun (nondeterminism: a bug of vdrm)";
  const why = { complete: "the whole bounded space explored", budget: "the execution budget ran out", time: "the time ran out", failure: "" }[r.search.stoppedBy];
  return `result: no failure; ${why}`;
}

function exploreJson(sc: Scenario, o: ExploreFlags, r: ExploreResult): Record<string, unknown> {
  const cx = r.counterexample;
  return {
    scenario: sc.name, file: sc.file, mode: o.mode, stoppedBy: r.search.stoppedBy, stats: r.search.stats,
    counterexample: cx === null ? null : {
      verdict: cx.failure.verdict, kinds: cx.failure.kinds, decisions: cx.decisions.length,
      shrinking: r.shrinking, replayToken: cx.token, replay: replayLine(cx),
    },
  };
}

export function exploreCommand(file: string, o: ExploreFlags, io: Io): number {
  const text = readModelText(file);
  if (text !== null && isModelText(text)) return exploreModelCommand(file, o, io);
  const sc = loadOneScenario(file, "explore", "nothing was explored", io);
  if (sc === null) return EXIT.input;
  const r = explore(sc, optionsOf(o, io));
  io.progress("");
  const cx = r.counterexample;
  if (o.json === true) io.out(jsonText(exploreJson(sc, o, r)));
  else {
    io.out(settingsLine(sc, o));
    if (cx !== null) for (const line of formatCounterexample(cx)) io.out(line);
    io.out(statsLine(r.search.stats));
    io.out(resultLine(r));
  }
  if (cx !== null) return EXIT[cx.failure.verdict];
  return r.search.found !== null ? EXIT.internal : EXIT.pass;
}
