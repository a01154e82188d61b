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
import { findingClass, findingSiteLines, findingSummary } from "../kernel/mod.js";
import { renderHtml, worldRunRecord } from "../report/mod.js";
import { RunCrash, worstVerdict } from "../scenario/mod.js";
import { SUBTESTS, type SubtestName } from "../userspace/mod.js";
import { runCoreHotunplug, type SubtestRun } from "../world/mod.js";
import type { CommandContext } from "./context.js";
import { EXIT } from "./exit.js";
import type { Io } from "./io.js";
import { choice, parseKernel, parseSeed } from "./options.js";
import { checkOutputPath, writeOutput } from "./output_path.js";

interface IgtOptions {
  readonly driver: string;
  readonly seed?: number;
  readonly profile: ProfileName;
  readonly kernel: KernelVersion;
  readonly html?: string;
}

export function addIgtCommand(program: Command, ctx: CommandContext): void {
  program
    .command("igt")
    .description("run one IGT core_hotunplug subtest, written as a program, against the model")
    .argument("<subtest>", `one of ${SUBTESTS.join(", ")}`, choice("subtest", SUBTESTS))
    .option("--driver <name>", "built-in driver", choice("driver", [...DRIVERS.keys()]), "vdisp")
    .option("--seed <n>", "simulation seed (default: random, printed)", parseSeed)
    .option("--profile <p>", "mainline or uapi-doc", choice("profile", PROFILE_NAMES), "mainline")
    .option("--kernel <v>", "kernel version to model", parseKernel, DEFAULT_KERNEL_VERSION)
    .option("--html <file>", "write the timeline report")
    .action((subtest: SubtestName, o: IgtOptions) => {
      ctx.exitCode = igtCommand(subtest, o, ctx.io);
    });
}

function verdictOf(run: SubtestRun) {
  const failed = run.result.verdict === "fail" ? ["expectation" as const] : [];
  return worstVerdict([...run.findings.map(findingClass), ...failed]);
}

function igtCommand(subtest: SubtestName, o: IgtOptions, io: Io): number {
  if (o.html !== undefined) checkOutputPath("--html", o.html);
  const seed = o.seed ?? randomInt(2 ** 31);
  io.out(`SEED=${seed}`);
  const replay = `vdrm igt ${subtest} --driver ${o.driver} --seed ${seed} --profile ${o.profile} ` +
    `--kernel ${o.kernel}`;
  let run: SubtestRun;
  try {
    const { driver, profile, kernel } = o;
    run = runCoreHotunplug(subtest, { driver, seed, profile, kernel });
  } catch (e) {
    throw new RunCrash(replay, e);
  }
  const verdict = verdictOf(run);
  const message = run.result.verdict === "pass" ? "" : ` (${run.result.message})`;
  io.out(`${subtest} on ${o.driver}: ${run.result.verdict}${message}; verdict ${verdict}`);
  for (const f of run.findings) {
    io.out(`  ${findingClass(f)}: ${findingSummary(f)}`);
    for (const l of findingSiteLines(f)) io.out(`    ${l}`);
  }
  if (verdict !== "pass") io.out(`replay: ${replay}`);
  if (o.html !== undefined) {
    const title = `${subtest} on ${o.driver}`;
    const record = worldRunRecord(run.world, { title, verdict, replay });
    io.out(`report: ${writeOutput("--html", o.html, renderHtml([record]))}`);
  }
  return EXIT[verdict];
}
