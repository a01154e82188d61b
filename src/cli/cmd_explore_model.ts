/**
 * `vdrm explore MODEL-FILE`: the explicit-state search of a model file (src/explore/
 * model_file.ts, e.g. the Promela twin scenarios/explore/unplug-twin.yaml). Every state is
 * stored whole and counted as SPIN counts it; a violation is printed as a counterexample (one
 * line per transition), shrunk to the shortest run that fails the same oracle (a breadth-first
 * search), and the exit code is its verdict's. The scenario-only options are refused.
 */
import { FINDING_KINDS, jsonText } from "../kernel/mod.js";
import {
  decisionsOf, encodeModelToken, loadModelFile, searchModel, spinTransitions, type ModelFile,
  type ModelSearchResult, type ModelStats, type ModelTransition, type ModelViolationFound,
} from "../explore/mod.js";
import { escapeControls, formatLocated, shellQuote } from "../scenario/mod.js";
import type { ExploreFlags } from "./cmd_explore.js";
import { EXIT, type Verdict } from "./exit.js";
import type { Io } from "./io.js";

/** The flags of `vdrm explore` (a model file is searched with some of them). */
export type ModelFlags = Pick<ExploreFlags, "budget" | "time" | "depthMax" | "preemptionsMax" | "dpor"
  | "seed" | "shrink" | "maxSteps" | "json" | "define"> & { readonly mode: string };

/** The options that only mean something for a scenario, and why. */
function refused(o: ModelFlags): string | null {
  if (o.mode !== "dfs" && o.mode !== "bfs") return `--mode ${o.mode}: a model is searched exhaustively (dfs or bfs)`;
  const bad = [
    o.budget !== undefined ? "--budget" : "", o.preemptionsMax !== undefined ? "--preemptions-max" : "",
    o.dpor ? "" : "--no-dpor", o.seed !== undefined ? "--seed" : "", o.maxSteps !== undefined ? "--max-steps" : "",
  ].filter((s) => s !== "");
  if (bad.length === 0) return null;
  return `${bad.join(", ")}: not for a model file (every state is stored; bound it with --depth-max or --time)`;
}

export function verdictOf(v: Pick<ModelViolationFound, "kind">): Verdict {
  return FINDING_KINDS[v.kind].class;
}

/** The command that reruns a model's counterexample exactly (`vdrm replay`, an m1. token). */
export function modelReplayLine(mf: ModelFile, v: ModelViolationFound): { token: string; replay: string } {
  const token = encodeModelToken({ model: mf.name, defines: mf.defines, decisions: decisionsOf(mf.model, v.trail) });
  return { token, replay: `vdrm replay ${token} ${shellQuote(mf.file)}` };
}

export function modelStatsLine(s: ModelStats): string {
  const secs = s.elapsedMs / 1000;
  const rate = Math.round(s.executed / Math.max(secs, 1e-3));
  return `statistics: states stored ${s.stored}, matched ${s.matched}, transitions ` +
    `${spinTransitions(s)} (stored + matched, as SPIN counts them; ${s.executed} executed), ` +
    `${rate} transitions/s, depth reached ${s.depthMax}, ${secs.toFixed(2)} s`;
}

/** One line per transition of a model's run: its number, its process, its function. */
export function modelStepLines(mf: ModelFile, trail: readonly ModelTransition[]): string[] {
  const names = mf.model.processes.map((p) => p.name);
  const width = Math.max(...names.map((n) => n.length));
  return trail.map((t, i) => `  ${String(i + 1).padStart(5)}  ${names[t.proc]!.padEnd(width)}  ${t.fn}`);
}

interface Outcome {
  readonly search: ModelSearchResult;
  readonly shortest: ModelViolationFound | null;
}

function run(mf: ModelFile, o: ModelFlags): Outcome {
  const mode = o.mode === "bfs" ? "bfs" : "dfs";
  const bounds = {
    ...(o.depthMax !== undefined ? { depthMax: o.depthMax } : {}),
    ...(o.time !== undefined ? { timeS: o.time } : {}),
  };
  const search = searchModel(mf.model, { mode, ...bounds });
  const found = search.violation;
  if (found === null || mode === "bfs" || !o.shrink) return { search, shortest: found };
  // Shrinking: the shortest run to the same oracle (breadth-first, SPIN's -i).
  const again = searchModel(mf.model, { mode: "bfs", kind: found.kind, ...bounds });
  return { search, shortest: again.violation ?? found };
}

export function exploreModelCommand(file: string, o: ModelFlags, io: Io): number {
  const why = refused(o);
  if (why !== null) {
    io.err(`vdrm explore: ${why}; nothing was explored`);
    return EXIT.input;
  }
  const loaded = loadModelFile(file, o.define ?? []);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(formatLocated(e));
    io.err("vdrm explore: the model file is invalid; nothing was explored");
    return EXIT.input;
  }
  const mf = loaded.model;
  const { search, shortest } = run(mf, o);
  const v = shortest;
  const replay = v === null ? null : modelReplayLine(mf, v);
  if (o.json === true) {
    io.out(jsonText({
      model: mf.name, file, defines: mf.defines, mode: o.mode, stoppedBy: search.stoppedBy,
      stats: { ...search.stats, transitions: spinTransitions(search.stats) },
      counterexample: v === null ? null : {
        verdict: verdictOf(v), kind: v.kind, message: v.message, length: v.trail.length,
        found: search.violation?.trail.length,
        steps: v.trail.map((t) => ({ process: mf.model.processes[t.proc]!.name, fn: t.fn })),
        replayToken: replay?.token, replay: replay?.replay,
      },
    }));
  } else {
    const order = o.mode === "bfs" ? "breadth-first" : "depth-first";
    io.out(escapeControls(`explore ${mf.model.name} (${file}): ${order}, every state stored whole ` +
      `(explicit state: the vector of the model's variables)`));
    if (v !== null) {
      const was = search.violation!.trail.length;
      const shrunk = was === v.trail.length ? "" : `; found after ${was}, shrunk by a breadth-first search`;
      io.out(`counterexample: ${verdictOf(v)} (${v.kind}) after ${v.trail.length} transitions${shrunk}`);
      io.out(`  ${v.kind}: ${v.message}`);
      io.out("steps:");
      for (const line of modelStepLines(mf, v.trail)) io.out(line);
      io.out(`replay: ${replay?.replay ?? ""}`);
    }
    io.out(modelStatsLine(search.stats));
    const reach = o.depthMax === undefined ? "every reachable state" : `every state within depth ${o.depthMax}`;
    const end = { complete: `${reach} explored`, time: "the time ran out", violation: "" };
    io.out(v === null ? `result: no violation; ${end[search.stoppedBy]}` : `result: ${verdictOf(v)} (${v.kind})`);
  }
  return v === null ? EXIT.pass : EXIT[verdictOf(v)];
}
