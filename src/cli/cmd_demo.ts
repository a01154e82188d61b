/**
 * `vdrm demo` (also `npm start`): the main job on built-in defaults. Runs every built-in
 * scenario in scenarios/ (the IGT core_hotunplug subtests and the unplug stories, on the
 * correct driver and on the broken devm one, where the bug must be caught), compares the model
 * with the Linux 6.12 recording, prints a summary table and writes the HTML report.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compareWithRecording, summarize } from "../realkernel/mod.js";
import { formatTextTable, renderHtml, worldRunRecord, type RunRecord } from "../report/mod.js";
import { formatLocated, loadScenarioFile, replayCommand, runScenario, type ScenarioRun } from "../scenario/mod.js";
import { EXIT, worst, type Verdict } from "./exit.js";
import { writeOutput } from "./write_file.js";

export const SCENARIO_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** The built-in scenario files, as paths relative to the working directory (for replay commands). */
export function builtinScenarioFiles(): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => relative(process.cwd(), join(SCENARIO_DIR, f)));
}

/** What the table says of a run: pass, caught (the expected findings occurred), or the failure class. */
function outcomeOf(run: ScenarioRun): string {
  if (run.verdict !== "pass") return `FAIL (${run.verdict})`;
  return run.scenario.checks.findings.length > 0 ? "caught" : "pass";
}

function findingsCell(run: ScenarioRun): string {
  const counts = new Map<string, number>();
  for (const f of run.findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(", ") || "-";
}

export function demoCommand(htmlPath: string, out: (s: string) => void, progress: (s: string) => void): number {
  const files = builtinScenarioFiles();
  const rows: string[][] = [];
  const records: RunRecord[] = [];
  const verdicts: Verdict[] = [];
  for (const [i, file] of files.entries()) {
    progress(`[${i + 1}/${files.length}] ${file}`);
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) {
      for (const e of loaded.errors) out(formatLocated(e));
      verdicts.push("input");
      continue;
    }
    const run = runScenario(loaded.scenario);
    verdicts.push(run.verdict);
    const drivers = [...new Set(run.scenario.world.devices.map((d) => d.driver))].join(",");
    rows.push([run.scenario.name, drivers, outcomeOf(run), findingsCell(run), run.verdict === "pass" ? "" : replayCommand(run)]);
    records.push(worldRunRecord(run.world, { title: `${run.scenario.name} on ${drivers}`, verdict: outcomeOf(run), replay: replayCommand(run) }));
  }
  progress("");
  for (const l of formatTextTable(["scenario", "driver", "verdict", "findings", "replay"], rows)) out(l);
  const caught = records.filter((r) => r.verdict === "caught").length;
  const failed = verdicts.filter((v) => v !== "pass").length;
  out("");
  out(`${files.length} scenarios: ${files.length - failed - caught} pass, ${caught} caught a broken driver as expected, ${failed} failed`);
  const c = summarize(compareWithRecording());
  out(`Linux 6.12 bochs recording: ${c.match} match, ${c.mismatch} mismatch, ${c.missing} missing, ${c.extra} extra, ${c["not-modelled"]} not modelled`);
  if (c.mismatch + c.missing + c.extra > 0) verdicts.push("expectation");
  out(`report: ${writeOutput(htmlPath, renderHtml(records))}`);
  return EXIT[worst(verdicts)];
}
