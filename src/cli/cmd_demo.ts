/**
 * `vdrm demo` (also `npm start`): the main job on built-in defaults. Runs every built-in
 * scenario in scenarios/ (the IGT core_hotunplug subtests and the unplug stories, on the
 * correct driver and on the broken devm one, where the bug must be caught), then reruns each
 * from its decision list (the replay token's content) and with the footprint checker on,
 * compares the model with the two Linux 6.12 recordings (unplug, PRIME), prints a summary table
 * and writes the HTML report.
 *
 * The scenarios and the recording are found relative to this module (inside the installed
 * package); the report is written relative to the caller's working directory.
 */
import { readdirSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import {
  compareWithRecording, formatSummary, PRIME_RECORDING_PATH, RECORDING_PATH, summarize,
} from "../realkernel/mod.js";
import { formatTextTable, renderHtml, worldRunRecord, type RunRecord } from "../report/mod.js";
import { findingSummary, jsonText } from "../kernel/mod.js";
import {
  escapeControls, formatLocated, loadScenarioFile, replayCommand, runScenario, verdictWord,
  type Scenario,
  type ScenarioRun,
} from "../scenario/mod.js";
import { demoConformance } from "./demo_conformance.js";
import { demoExplore } from "./demo_explore.js";
import type { CommandContext } from "./context.js";
import { EXIT, worst, type Verdict } from "./exit.js";
import type { Io } from "./io.js";
import { checkOutputPath, writeOutput } from "./output_path.js";

export const SCENARIO_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** How a path is shown in replay commands: relative to the caller when inside it, else absolute. */
export function shownPath(full: string): string {
  const rel = relative(process.cwd(), full);
  return rel.startsWith("..") || isAbsolute(rel) ? full : rel;
}

/** The built-in scenario files, as shownPath() gives them (for replay commands). */
export function builtinScenarioFiles(): string[] {
  const names = readdirSync(SCENARIO_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
  return names.map((f) => shownPath(join(SCENARIO_DIR, f)));
}

function findingsCell(run: ScenarioRun): string {
  const counts = new Map<string, number>();
  for (const f of run.findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(", ") || "-";
}

/** What the demo checks again of one run: its replay, and its footprints. */
interface Recheck {
  readonly name: string;
  /** Whether rerunning the run's decision list gave the same trace, event for event. */
  readonly replayed: boolean;
  /** Undeclared accesses the footprint checker found in the same run. */
  readonly undeclared: readonly string[];
}

/**
 * Reruns `run` twice: from its decision list (what its replay token holds), which must give
 * the same trace, and with the footprint checker on, which must find every access declared.
 */
function recheck(sc: Scenario, run: ScenarioRun): Recheck {
  const same = { seed: run.seed, profile: run.profile, kernel: run.kernel };
  const again = runScenario(sc, { ...same, decisions: run.world.sim.decisions });
  const replayed = jsonText(again.world.sim.trace.events) === jsonText(run.world.sim.trace.events);
  const checked = runScenario(sc, { ...same, footprints: "check" });
  const undeclared = checked.findings.flatMap((f) => (f.kind === "undeclared-access" ? [findingSummary(f)] : []));
  return { name: run.scenario.name, replayed, undeclared };
}

function recheckSummary(checks: readonly Recheck[], io: Io): Verdict[] {
  const replayed = checks.filter((c) => c.replayed).length;
  const undeclared = checks.flatMap((c) => c.undeclared.map((u) => `${c.name}: ${u}`));
  io.out(`replay: ${replayed} of ${checks.length} runs rerun from their decision lists ` +
    "(their replay tokens) gave the same trace, step for step");
  io.out(`footprints: ${checks.length} runs rerun with every kernel-object access checked ` +
    `against its step's declared footprint: ${undeclared.length} undeclared`);
  for (const u of undeclared) io.out(`  ${u}`);
  return [
    ...(replayed === checks.length ? [] : ["expectation" as const]),
    ...(undeclared.length === 0 ? [] : ["footprint" as const]),
  ];
}

export function addDemoCommand(program: Command, ctx: CommandContext): void {
  program
    .command("demo")
    .description("run the built-in scenarios on the correct and the broken driver and the " +
      "Linux 6.12 comparison; print a table and write the HTML report")
    .option("--html <file>", "where to write the report", "out/vdrm-report.html")
    .action((o: { html: string }) => {
      ctx.exitCode = demoCommand(o.html, ctx.io);
    });
}

export function demoCommand(htmlPath: string, io: Io): number {
  checkOutputPath("--html", htmlPath);
  const files = builtinScenarioFiles();
  const rows: string[][] = [];
  const records: RunRecord[] = [];
  const verdicts: Verdict[] = [];
  const checks: Recheck[] = [];
  for (const [i, file] of files.entries()) {
    io.progress(`[${i + 1}/${files.length}] ${file}`);
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.err(formatLocated(e));
      verdicts.push("input");
      continue;
    }
    const run = runScenario(loaded.scenario);
    verdicts.push(run.verdict);
    checks.push(recheck(loaded.scenario, run));
    const drivers = [...new Set(run.scenario.world.devices.map((d) => d.driver))].join(",");
    const word = verdictWord(run);
    const replay = replayCommand(run);
    // A caught bug is worth a look too: its replay reruns exactly the interleaving that hit it.
    const shownReplay = word === "pass" ? "" : replay;
    rows.push([run.scenario.name, drivers, word, findingsCell(run), shownReplay]);
    const title = `${run.scenario.name} on ${drivers}`;
    records.push(worldRunRecord(run.world, { title, verdict: word, replay }));
  }
  io.progress("");
  const header = ["scenario", "driver", "verdict", "findings", "replay"];
  for (const l of formatTextTable(header, rows)) io.out(l);
  const caught = records.filter((r) => r.verdict === "caught").length;
  const failed = verdicts.filter((v) => v !== "pass").length;
  io.out("");
  const passed = files.length - failed - caught;
  io.out(`${files.length} scenarios: ${passed} pass, ` +
    `${caught} caught a declared bug (a broken driver or program), ${failed} failed`);
  verdicts.push(...recheckSummary(checks, io));
  for (const [what, path] of [["bochs", RECORDING_PATH], ["bochs PRIME", PRIME_RECORDING_PATH]]) {
    const comparison = compareWithRecording(path);
    io.out(`Linux 6.12 ${what} recording: ${formatSummary(comparison)}`);
    const c = summarize(comparison);
    if (c.mismatch + c.missing + c.extra > 0) verdicts.push("expectation");
  }
  verdicts.push(...demoExplore(io));
  verdicts.push(...demoConformance(io));
  io.out(`report: ${escapeControls(writeOutput("--html", htmlPath, renderHtml(records)))}`);
  return EXIT[worst(verdicts)];
}
