#!/usr/bin/env node
/**
 * The vdrm command. The only place that reads entropy (a seed when none is given), writes
 * files and sets the exit code (see exit.ts).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomInt } from "node:crypto";
import { Command } from "commander";
import { DEFAULT_KERNEL_VERSION, formatByVersion, PROFILE_NAMES, VARIANT_NAMES, VARIANTS, variantsMarkdown, type KernelVersion, type ProfileName } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { findingClass, findingSiteLines, findingSummary, ReplayMismatchError } from "../kernel/mod.js";
import { compareWithRecording, formatComparison, RECORDING_PATH, summarize } from "../realkernel/mod.js";
import { formatTextTable, renderHtml, worldRunRecord } from "../report/mod.js";
import { encodeReplayToken, OPS, worstFindingClass } from "../scenario/mod.js";
import { SUBTESTS, type SubtestName } from "../userspace/mod.js";
import { runCoreHotunplug, type SubtestRun } from "../world/mod.js";
import { demoCommand } from "./cmd_demo.js";
import { runCommand, type RunOptions } from "./cmd_run.js";
import { EXIT, type Verdict } from "./exit.js";
import { choice, parseKernel, parseSeed } from "./options.js";
import { parseReplayToken, replayMismatchMessage, runSettings, type ReplayArgs } from "./replay_args.js";
import { writeOutput } from "./write_file.js";

export { EXIT } from "./exit.js";

function verdictOf(run: SubtestRun): Verdict {
  return worstFindingClass(run.findings) ?? (run.result.verdict === "fail" ? "expectation" : "pass");
}

/** The commands that rerun an igt run: by replay token (the exact schedule), and by seed. */
function igtReplay(run: SubtestRun, profile: ProfileName, kernel: KernelVersion): { replay: string; seed: string } {
  const token = encodeReplayToken({ seed: run.seed, profile, kernel, decisions: run.world.sim.decisions });
  const head = `vdrm igt ${run.subtest} --driver ${run.driver}`;
  return { replay: `${head} --replay ${token}`, seed: `${head} --seed ${run.seed} --profile ${profile} --kernel ${kernel}` };
}

export function main(argv: readonly string[]): number {
  let exitCode: number = EXIT.pass;
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  const err = (s: string): void => void process.stderr.write(`${s}\n`);
  const program = new Command("vdrm")
    .description("An executable model of Linux DRM device hot-unplug, managed lifetimes and wedging")
    .version(process.env["npm_package_version"] ?? "0.1.0", "-V, --version")
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText("after", `
Exit codes: 0 pass, 1 expectation not met, 2 bad input, 3 memory finding, 4 hang, 5 leak, 6 WARN.

Examples:
  $ vdrm demo
  $ vdrm run scenarios/hotunplug-lateclose.yaml --seed 7
  $ vdrm run scenarios/*.yaml --json
  $ vdrm igt hotreplug-lateclose --driver vdisp-devm`);

  program
    .command("run")
    .description("run scenario files (YAML or JSON) and print each timeline")
    .argument("<file...>", "scenario files")
    .option("--seed <n>", "simulation seed (default: the file's world.seed, else 1)", parseSeed)
    .option("--profile <p>", `kernel profile: ${PROFILE_NAMES.join(" or ")} (default: the file's)`, choice("profile", PROFILE_NAMES))
    .option("--kernel <v>", `kernel version to model (default: the file's, else ${DEFAULT_KERNEL_VERSION})`, parseKernel)
    .option("--json", "print one JSON object per scenario instead of the timeline")
    .option("--trace <file>", "save every step of the simulation (JSON if the name ends in .json, else text)")
    .option("--html <file>", "write the HTML timeline report")
    .option("--replay <token>", "rerun exactly the schedule of a printed replay token (one file; the token sets seed, profile and kernel)", parseReplayToken)
    .option("--print-replay", "print the replay commands for a pass too (a failure always prints them)")
    .action((files: string[], o: RunOptions) => {
      exitCode = runCommand(files, o, out, err);
    });

  program
    .command("ops")
    .description("list the step kinds a scenario may use")
    .action(() => {
      const width = Math.max(...[...OPS.keys()].map((k) => k.length));
      for (const op of OPS.values()) out(`${op.name.padEnd(width)}  ${op.summary}`);
    });

  program
    .command("variants")
    .description("list the kernel variants: every behaviour --profile and --kernel switch, with its spec ids")
    .option("--markdown", "print the Markdown table (as in docs/ARCHITECTURE.md)")
    .action((o: { markdown?: boolean }) => {
      if (o.markdown) {
        out(variantsMarkdown());
        return;
      }
      const rows = VARIANT_NAMES.map((n) => {
        const v = VARIANTS[n];
        return [n, v.ids.join(","), ...PROFILE_NAMES.map((p) => formatByVersion(v.values[p])), v.summary];
      });
      for (const l of formatTextTable(["switch", "spec", ...PROFILE_NAMES, "what it decides"], rows)) out(l);
    });

  program
    .command("demo")
    .description("run the built-in scenarios on the correct and the broken driver and the Linux 6.12 comparison; print a table and write the HTML report")
    .option("--html <file>", "where to write the report", "out/vdrm-report.html")
    .action((o: { html: string }) => {
      const tty = process.stderr.isTTY === true;
      exitCode = demoCommand(o.html, out, (s) => void process.stderr.write(tty ? `\r\x1b[K${s}` : s === "" ? "" : `${s}\n`));
    });

  program
    .command("igt")
    .description("run one IGT core_hotunplug subtest, written as a program, against the model")
    .argument("<subtest>", `one of ${SUBTESTS.join(", ")}`, choice("subtest", SUBTESTS))
    .option("--driver <name>", "built-in driver", choice("driver", [...DRIVERS.keys()]), "vdisp")
    .option("--seed <n>", "simulation seed (default: random, printed)", parseSeed)
    .option("--profile <p>", "mainline or uapi-doc (default: mainline)", choice("profile", PROFILE_NAMES))
    .option("--kernel <v>", `kernel version to model (default: ${DEFAULT_KERNEL_VERSION})`, parseKernel)
    .option("--html <file>", "write the timeline report")
    .option("--replay <token>", "rerun exactly the schedule of a printed replay token (it sets seed, profile and kernel)", parseReplayToken)
    .option("--print-replay", "print the replay commands for a pass too (a failure always prints them)")
    .action((subtest: SubtestName, o: ReplayArgs & { driver: string; html?: string; printReplay?: boolean }) => {
      const settings = runSettings(o);
      if (!settings.ok) {
        err(`vdrm igt: ${settings.message}`);
        exitCode = EXIT.input;
        return;
      }
      const { seed = randomInt(2 ** 31), profile = "mainline", kernel = DEFAULT_KERNEL_VERSION, decisions } = settings.settings;
      out(`SEED=${seed}`);
      let run: SubtestRun;
      try {
        run = runCoreHotunplug(subtest, { driver: o.driver, seed, profile, kernel, ...(decisions ? { decisions } : {}) });
      } catch (e) {
        if (!(e instanceof ReplayMismatchError)) throw e;
        err(`vdrm igt: ${replayMismatchMessage(e)}`);
        exitCode = EXIT.input;
        return;
      }
      const verdict = verdictOf(run);
      out(`${subtest} on ${o.driver}: ${run.result.verdict}${run.result.verdict === "pass" ? "" : ` (${run.result.message})`}; verdict ${verdict}`);
      for (const f of run.findings) {
        out(`  ${findingClass(f)}: ${findingSummary(f)}`);
        for (const l of findingSiteLines(f)) out(`    ${l}`);
      }
      const replay = igtReplay(run, profile, kernel);
      if (verdict !== "pass" || o.printReplay === true) out(`replay: ${replay.replay}\nseed: ${replay.seed}`);
      if (o.html) out(`report: ${writeOutput(o.html, renderHtml([worldRunRecord(run.world, { title: `${subtest} on ${o.driver}`, verdict, replay: replay.replay })]))}`);
      exitCode = EXIT[verdict];
    });

  program
    .command("realkernel")
    .description("replay the Linux 6.12 bochs recording against the model and compare every observation")
    .option("--fixture <file>", "the recording (JSON lines)", RECORDING_PATH)
    .option("--all", "print matching observations too")
    .action((o: { fixture: string; all?: boolean }) => {
      const results = compareWithRecording(o.fixture);
      if (o.all) for (const r of results) if (r.verdict === "match") out(`[${r.scn}] match ${r.real}`);
      out(formatComparison(results));
      const c = summarize(results);
      exitCode = c.mismatch + c.missing + c.extra === 0 ? EXIT.pass : EXIT.expectation;
    });

  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version" || code === "commander.help") return EXIT.pass;
    if (typeof code === "string" && code.startsWith("commander.")) return EXIT.input;
    throw e;
  }
  return exitCode;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) process.exitCode = main(process.argv.slice(2));
