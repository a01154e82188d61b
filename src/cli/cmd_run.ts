/**
 * `vdrm run FILE...`: validates every scenario file first (nothing runs if one is bad), then
 * runs each and prints its timeline (or one JSON object per line with --json). The exit code
 * is the most serious failure class over all runs.
 */
import { formatTrace, jsonText } from "../kernel/mod.js";
import type { KernelVersion, ProfileName } from "../base/mod.js";
import { renderHtml, worldRunRecord } from "../report/mod.js";
import { formatLocated, formatRunText, loadScenarioFile, replayCommand, runJson, runScenario, type Scenario, type ScenarioRun } from "../scenario/mod.js";
import { EXIT, worst, type Verdict } from "./exit.js";
import { writeOutput } from "./write_file.js";

export interface RunOptions {
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly json?: boolean;
  readonly trace?: string;
  readonly html?: string;
}

export function runCommand(files: readonly string[], o: RunOptions, out: (s: string) => void, err: (s: string) => void): number {
  const scenarios: Scenario[] = [];
  let bad = 0;
  for (const f of files) {
    const r = loadScenarioFile(f);
    if (r.ok) scenarios.push(r.scenario);
    else {
      bad++;
      for (const e of r.errors) err(formatLocated(e));
    }
  }
  if (bad > 0) {
    err(`vdrm run: ${bad} of ${files.length} scenario file${files.length === 1 ? "" : "s"} invalid; nothing was run`);
    return EXIT.input;
  }
  const runs: ScenarioRun[] = [];
  for (const [i, sc] of scenarios.entries()) {
    const run = runScenario(sc, { ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.profile ? { profile: o.profile } : {}), ...(o.kernel ? { kernel: o.kernel } : {}) });
    runs.push(run);
    if (o.json) out(jsonText(runJson(run)));
    else out(`${i > 0 ? "\n" : ""}${formatRunText(run)}`);
  }
  if (o.trace !== undefined) {
    const text = o.trace.endsWith(".json")
      ? jsonText({ runs: runs.map((r) => ({ scenario: r.scenario.name, file: r.scenario.file, seed: r.seed, events: r.world.sim.trace.events })) })
      : runs.map((r) => `# ${r.scenario.name} seed=${r.seed}\n${formatTrace(r.world.sim.trace.events)}`).join("\n");
    err(`trace: ${writeOutput(o.trace, text)}`);
  }
  if (o.html !== undefined) {
    const records = runs.map((r) => worldRunRecord(r.world, { title: r.scenario.name, verdict: r.verdict, replay: replayCommand(r) }));
    err(`report: ${writeOutput(o.html, renderHtml(records))}`);
  }
  const verdict: Verdict = worst(runs.map((r) => r.verdict));
  if (runs.length > 1 && !o.json) {
    const failed = runs.filter((r) => r.verdict !== "pass");
    out(`\n${runs.length - failed.length} passed, ${failed.length} failed${failed.length ? `: ${failed.map((r) => `${r.scenario.name} (${r.verdict})`).join(", ")}` : ""}`);
  }
  return EXIT[verdict];
}
