/**
 * `vdrm run FILE...`: checks the output paths and validates every scenario file first
 * (nothing runs if one is bad), then runs each and prints its timeline (or one JSON object per
 * line with --json). The exit code is the most serious verdict over all runs.
 */
import type { Command } from "commander";
import {
  DEFAULT_KERNEL_VERSION, PROFILE_NAMES, type KernelVersion, type ProfileName,
} from "../base/mod.js";
import { formatTrace, jsonText, ReplayMismatchError } from "../kernel/mod.js";
import { renderHtml, worldRunRecord } from "../report/mod.js";
import {
  escapeControls, formatLocated, formatRunText, loadScenarioFile, replayCommand, runJson,
  runScenario, scenarioWithDriver, STEPS_MAX_DEFAULT, verdictWord, type ReplayToken, type RunOverrides,
  type Scenario, type ScenarioRun,
} from "../scenario/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import type { CommandContext } from "./context.js";
import { CliError } from "./errors.js";
import { EXIT, worst } from "./exit.js";
import type { Io } from "./io.js";
import { choice, parseCount, parseKernel, parseSeed } from "./options.js";
import { checkOutputPath, checkOutputsApart, writeOutput } from "./output_path.js";
import { parseReplayToken, replayMismatchMessage, runSettings, type RunSettings } from "./replay_args.js";

export interface RunOptions {
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly maxSteps?: number;
  readonly json?: boolean;
  readonly trace?: string;
  readonly html?: string;
  /** Rerun exactly this schedule (one file only). */
  readonly replay?: ReplayToken;
  /** Print the replay commands for a pass too. */
  readonly printReplay?: boolean;
  /** Run the footprint checker. */
  readonly checkFootprints?: boolean;
  /** Tell each scenario with this driver in place of its first card's. */
  readonly driver?: string;
}

export function addRunCommand(program: Command, ctx: CommandContext): void {
  program
    .command("run")
    .description("run scenario files (YAML or JSON) and print each timeline")
    .argument("<file...>", "scenario files")
    .option("--seed <n>", "simulation seed (default: the file's world.seed, else 1)", parseSeed)
    .option("--profile <p>", `kernel profile: ${PROFILE_NAMES.join(" or ")} (default: the file's)`,
      choice("profile", PROFILE_NAMES))
    .option("--kernel <v>",
      `kernel version to model (default: the file's, else ${DEFAULT_KERNEL_VERSION})`, parseKernel)
    .option("--max-steps <n>",
      `step budget of each run; verdict budget when it runs out (default: ${STEPS_MAX_DEFAULT})`,
      parseCount("--max-steps"))
    .option("--json", "print one JSON object per scenario instead of the timeline")
    .option("--trace <file>",
      "save every step of the simulation (JSON if the name ends in .json, else text)")
    .option("--html <file>", "write the HTML timeline report")
    .option("--replay <token>", "rerun exactly the schedule of a printed replay token (one " +
      "file; the token sets seed, profile and kernel)", parseReplayToken)
    .option("--print-replay", "print the replay commands for a pass too (a failure always does)")
    .option("--driver <name>", "tell the story with this built-in driver in place of the " +
      "driver of the file's first card (its cards, plug-card steps, checks and sysfs paths)",
    choice("driver", [...DRIVERS.keys()]))
    .option("--check-footprints", "check every kernel-object access against the footprint its " +
      "step declared; an undeclared one is a finding (verdict footprint, exit 9; slower)")
    .action((files: string[], o: RunOptions) => {
      ctx.exitCode = runCommand(files, o, ctx.io);
    });
}

function loadAll(files: readonly string[], io: Io, driver?: string): Scenario[] | null {
  const scenarios: Scenario[] = [];
  let bad = 0;
  for (const f of files) {
    const r = loadScenarioFile(f);
    if (r.ok) scenarios.push(driver === undefined ? r.scenario : scenarioWithDriver(r.scenario, driver));
    else {
      bad++;
      for (const e of r.errors) io.err(formatLocated(e));
    }
  }
  if (bad === 0) return scenarios;
  const plural = files.length === 1 ? "" : "s";
  io.err(`vdrm run: ${bad} of ${files.length} scenario file${plural} invalid; nothing was run`);
  return null;
}

/** The settings of every run: the options, or with --replay the token's (refusing conflicts). */
function overrides(files: readonly string[], o: RunOptions): RunOverrides {
  if (o.replay !== undefined && files.length !== 1) {
    throw new CliError(`--replay reruns one run: give one scenario file, not ${files.length}`, "run");
  }
  const settings = runSettings(o);
  if (!settings.ok) throw new CliError(settings.message, "run");
  const s: RunSettings = settings.settings;
  return {
    ...(s.seed !== undefined ? { seed: s.seed } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    ...(s.kernel ? { kernel: s.kernel } : {}),
    ...(s.decisions !== undefined ? { decisions: s.decisions } : {}),
    ...(o.maxSteps !== undefined ? { stepsMax: o.maxSteps } : {}),
    ...(o.checkFootprints === true ? { footprints: "check" as const } : {}),
  };
}

function traceText(runs: readonly ScenarioRun[], json: boolean): string {
  if (json) {
    return jsonText({
      runs: runs.map((r) => ({
        scenario: r.scenario.name, file: r.scenario.file, seed: r.seed,
        events: r.world.sim.trace.events,
      })),
    });
  }
  const texts = runs.map((r) =>
    `# ${r.scenario.name} seed=${r.seed}\n${formatTrace(r.world.sim.trace.events)}`);
  return texts.join("\n");
}

/**
 * The report's titles: the scenario names, a repeated one numbered ("egpu-pull #2"), since
 * renderHtml() needs each title once (a file given twice, copies of one scenario).
 */
function distinctTitles(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let title = name;
    // At most names.length tries: each taken title is one of the names before.
    for (let k = 2; taken.has(title); k++) title = `${name} #${k}`;
    taken.add(title);
    return title;
  });
}

function writeOutputs(runs: readonly ScenarioRun[], o: RunOptions, io: Io): void {
  if (o.trace !== undefined) {
    const text = traceText(runs, o.trace.endsWith(".json"));
    io.err(`trace: ${escapeControls(writeOutput("--trace", o.trace, text))}`);
  }
  if (o.html !== undefined) {
    const titles = distinctTitles(runs.map((r) => r.scenario.name));
    const records = runs.map((r, i) => worldRunRecord(r.world, {
      title: titles[i]!, verdict: verdictWord(r), replay: replayCommand(r),
    }));
    io.err(`report: ${escapeControls(writeOutput("--html", o.html, renderHtml(records)))}`);
  }
}

export function runCommand(files: readonly string[], o: RunOptions, io: Io): number {
  const settings = overrides(files, o);
  if (o.trace !== undefined) checkOutputPath("--trace", o.trace);
  if (o.html !== undefined) checkOutputPath("--html", o.html);
  const outputs: (readonly [string, string])[] = [];
  if (o.trace !== undefined) outputs.push(["--trace", o.trace]);
  if (o.html !== undefined) outputs.push(["--html", o.html]);
  checkOutputsApart(outputs, files);
  const scenarios = loadAll(files, io, o.driver);
  if (scenarios === null) return EXIT.input;
  const runs: ScenarioRun[] = [];
  for (const [i, sc] of scenarios.entries()) {
    let run: ScenarioRun;
    try {
      run = runScenario(sc, settings);
    } catch (e) {
      if (!(e instanceof ReplayMismatchError)) throw e;
      throw new CliError(`${sc.file}: ${replayMismatchMessage(e)}`, "run");
    }
    runs.push(run);
    const text = formatRunText(run, { replay: o.printReplay === true });
    io.out(o.json ? jsonText(runJson(run)) : `${i > 0 ? "\n" : ""}${text}`);
  }
  writeOutputs(runs, o, io);
  if (runs.length > 1 && !o.json) {
    const failed = runs.filter((r) => r.verdict !== "pass");
    const names = failed.map((r) => `${r.scenario.name} (${r.verdict})`).join(", ");
    const list = failed.length > 0 ? `: ${names}` : "";
    io.out(`\n${runs.length - failed.length} passed, ${failed.length} failed${list}`);
  }
  return EXIT[worst(runs.map((r) => r.verdict))];
}
