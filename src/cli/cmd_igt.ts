/**
 * `vdrm igt SUBTEST`: one IGT core_hotunplug subtest, written as a program, against the model.
 * Without --seed it draws one (the only entropy the command reads) and prints it first.
 */
import { randomInt } from "node:crypto";
import type { Command } from "commander";
import {
  DEFAULT_KERNEL_VERSION, PROFILE_NAMES, type KernelVersion, type ProfileName,
} from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { findingClass, findingSiteLines, findingSummary, ReplayMismatchError } from "../kernel/mod.js";
import { renderHtml, worldRunRecord } from "../report/mod.js";
import {
  DECISIONS_MAX, encodeReplayToken, escapeControls, RunCrash, tooManyDecisions, worstVerdict,
} from "../scenario/mod.js";
import { LOAD_DRIVERS, SUBTESTS, type SubtestName } from "../userspace/mod.js";
import { runCoreHotunplug, type SubtestRun } from "../world/mod.js";
import type { CommandContext } from "./context.js";
import { CliError } from "./errors.js";
import { EXIT } from "./exit.js";
import type { Io } from "./io.js";
import { choice, parseKernel, parseSeed } from "./options.js";
import { checkOutputPath, writeOutput } from "./output_path.js";
import { parseReplayToken, replayMismatchMessage, runSettings, type ReplayArgs } from "./replay_args.js";

interface IgtOptions extends ReplayArgs {
  readonly driver?: string;
  readonly html?: string;
  readonly printReplay?: boolean;
}

export function addIgtCommand(program: Command, ctx: CommandContext): void {
  program
    .command("igt")
    .description("run one IGT core_hotunplug subtest, written as a program, against the model")
    .argument("<subtest>", `one of ${SUBTESTS.join(", ")}`, choice("subtest", SUBTESTS))
    .option("--driver <name>", "built-in driver (default: vdisp; vtest for the -with-load " +
      "subtests)", choice("driver", [...DRIVERS.keys()]))
    .option("--seed <n>", "simulation seed (default: random, printed)", parseSeed)
    // No commander defaults for profile and kernel: a --replay token must see what was given.
    .option("--profile <p>", "mainline or uapi-doc (default: mainline)",
      choice("profile", PROFILE_NAMES))
    .option("--kernel <v>", `kernel version to model (default: ${DEFAULT_KERNEL_VERSION})`,
      parseKernel)
    .option("--html <file>", "write the timeline report")
    .option("--replay <token>", "rerun exactly the schedule of a printed replay token (it sets " +
      "seed, profile and kernel)", parseReplayToken)
    .option("--print-replay", "print the replay commands for a pass too (a failure always does)")
    .action((subtest: SubtestName, o: IgtOptions) => {
      ctx.exitCode = igtCommand(subtest, o, ctx.io);
    });
}

/** The driver a subtest runs on without --driver: the -with-load ones need GPU work. */
function defaultDriver(subtest: SubtestName): string {
  return subtest.endsWith("-with-load") ? LOAD_DRIVERS[0]! : "vdisp";
}

function verdictOf(run: SubtestRun) {
  // No result: the subtest never ended (a broken driver's hang, which its findings name).
  const verdict = (run.result as SubtestRun["result"] | undefined)?.verdict;
  const failed = verdict === undefined || verdict === "fail" || verdict === "crash" ? ["expectation" as const] : [];
  return worstVerdict([...run.findings.map(findingClass), ...failed]);
}

/** The commands that rerun an igt run: by replay token (the exact schedule), and by seed. */
function igtReplay(
  head: string, run: { seed: number; profile: ProfileName; kernel: KernelVersion },
  decisions: readonly number[],
): { readonly replay: string; readonly seed: string } {
  const seed = `${head} --seed ${run.seed} --profile ${run.profile} --kernel ${run.kernel}`;
  if (decisions.length > DECISIONS_MAX) return { replay: tooManyDecisions(decisions.length), seed };
  return { replay: `${head} --replay ${encodeReplayToken({ ...run, decisions })}`, seed };
}

function igtCommand(subtest: SubtestName, o: IgtOptions, io: Io): number {
  const settings = runSettings(o);
  if (!settings.ok) throw new CliError(settings.message, "igt");
  if (o.html !== undefined) checkOutputPath("--html", o.html);
  const { profile = "mainline", kernel = DEFAULT_KERNEL_VERSION, decisions } = settings.settings;
  const seed = settings.settings.seed ?? randomInt(2 ** 31);
  io.out(`SEED=${seed}`);
  const driver = o.driver ?? defaultDriver(subtest);
  const head = `vdrm igt ${subtest} --driver ${driver}`;
  let run: SubtestRun;
  try {
    run = runCoreHotunplug(subtest, { driver, seed, profile, kernel, ...(decisions ? { decisions } : {}) });
  } catch (e) {
    if (e instanceof ReplayMismatchError) throw new CliError(replayMismatchMessage(e), "igt");
    throw new RunCrash(igtReplay(head, { seed, profile, kernel }, decisions ?? []).seed, e);
  }
  const replay = igtReplay(head, { seed, profile, kernel }, run.world.sim.decisions);
  const verdict = verdictOf(run);
  const result = run.result as SubtestRun["result"] | undefined;
  const message = result === undefined ? " (never ended)" : result.verdict === "pass" ? "" : ` (${result.message})`;
  io.out(`${subtest} on ${driver}: ${result?.verdict ?? "no result"}${message}; verdict ${verdict}`);
  for (const f of run.findings) {
    io.out(`  ${findingClass(f)}: ${findingSummary(f)}`);
    for (const l of findingSiteLines(f)) io.out(`    ${l}`);
  }
  if (verdict !== "pass" || o.printReplay === true) {
    io.out(`replay: ${replay.replay}`);
    io.out(`seed: ${replay.seed}`);
  }
  if (o.html !== undefined) {
    const title = `${subtest} on ${driver}`;
    const record = worldRunRecord(run.world, { title, verdict, replay: replay.replay });
    io.out(`report: ${escapeControls(writeOutput("--html", o.html, renderHtml([record])))}`);
  }
  return EXIT[verdict];
}
