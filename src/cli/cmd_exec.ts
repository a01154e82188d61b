/**
 * `vdrm exec FILE --program NAME -- CMD [ARGS...]`: runs the scenario with its program NAME
 * replaced by the real process CMD, under umockdev against the simulated machine (src/exec).
 * Prints the model's timeline (the real process's calls in NAME's lane) after the process
 * exits. Exit code: the model's verdict when it is not a pass (a finding, an expectation of a
 * model program), else the real process's own status.
 */
import type { Command } from "commander";
import { PROFILE_NAMES, type KernelVersion, type ProfileName } from "../base/mod.js";
import { execScenario, ExecSetupError, laneCallsText } from "../exec/mod.js";
import { renderHtml, worldRunRecord } from "../report/mod.js";
import { formatLocated, formatRunText, loadScenarioFile, replayCommand, verdictWord } from "../scenario/mod.js";
import type { CommandContext } from "./context.js";
import { CliError } from "./errors.js";
import { EXIT } from "./exit.js";
import type { Io } from "./io.js";
import { choice, parseKernel, parseSeed } from "./options.js";
import { checkOutputPath, writeOutput } from "./output_path.js";

export interface ExecOptions {
  readonly program: string;
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly html?: string;
}

export function addExecCommand(program: Command, ctx: CommandContext): void {
  program
    .command("exec")
    .description("run a scenario with one of its programs replaced by a real program " +
      "(libdrm, libudev) under umockdev, against the simulated machine")
    .argument("<file>", "scenario file")
    .argument("<cmd...>", "the real program and its arguments (after --)")
    .requiredOption("--program <name>", "the scenario program the real program replaces")
    .option("--seed <n>", "simulation seed (default: the file's world.seed, else 1)", parseSeed)
    .option("--profile <p>", `kernel profile: ${PROFILE_NAMES.join(" or ")}`, choice("profile", PROFILE_NAMES))
    .option("--kernel <v>", "kernel version to model", parseKernel)
    .option("--html <file>", "write the HTML timeline report")
    .addHelpText("after", "\nExample:\n  $ vdrm exec scenarios/exec-unplug-client.yaml --program client -- ./unplug_client")
    .action((file: string, cmd: string[], o: ExecOptions) => {
      ctx.pending = execCommand(file, cmd, o, ctx.io);
    });
}

export async function execCommand(file: string, cmd: readonly string[], o: ExecOptions, io: Io): Promise<number> {
  if (o.html !== undefined) checkOutputPath("--html", o.html);
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(formatLocated(e));
    return EXIT.input;
  }
  const sc = loaded.scenario;
  if (!sc.programs.some((p) => p.name === o.program)) {
    const names = sc.programs.map((p) => p.name).join(", ");
    io.err(`vdrm exec: ${file} has no program "${o.program}" (its programs: ${names})`);
    return EXIT.input;
  }
  const [cmd0, ...args] = cmd;
  if (cmd0 === undefined) throw new CliError("give the real program after --", "exec");
  let result;
  try {
    result = await execScenario({
      scenario: sc, program: o.program, argv: [cmd0, ...args],
      overrides: {
        ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.profile ? { profile: o.profile } : {}),
        ...(o.kernel ? { kernel: o.kernel } : {}),
      },
    });
  } catch (e) {
    if (!(e instanceof ExecSetupError)) throw e;
    io.err(`vdrm exec: ${e.message}`);
    return EXIT.input;
  }
  const run = result.run;
  io.out(formatRunText(run, { replay: false }));
  io.out(`\n${laneCallsText(run, o.program)}`);
  io.out(`real program ${o.program} (${cmd0}): exit status ${result.status}; ` +
    `${result.ueventsDelivered} uevents delivered to its monitors`);
  if (o.html !== undefined) {
    const record = worldRunRecord(run.world, { title: sc.name, verdict: verdictWord(run), replay: replayCommand(run) });
    io.err(`report: ${writeOutput("--html", o.html, renderHtml([record]))}`);
  }
  return run.verdict !== "pass" ? EXIT[run.verdict] : result.status;
}
