/**
 * `vdrm conformance`: runs the cases of conformance/ (docs/conformance.md) across the drivers,
 * profiles and kernel versions each applies to, with N seeds, plus the negative controls and
 * the real-kernel claims; prints the table (or JSON), writes JUnit XML, and exits 0 only if
 * everything holds. `--diff` prints instead where mainline and uapi-doc differ, as a program
 * sees it (`--markdown`: docs/divergences.md).
 */
import { availableParallelism, loadavg } from "node:os";
import type { Command } from "commander";
import { KERNEL_VERSIONS, PROFILE_NAMES, type KernelVersion, type ProfileName } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { jsonText } from "../kernel/mod.js";
import {
  CASE_DIR, divergences, formatDiffMarkdown, formatDiffText, formatSuiteText, loadCases,
  runSuite, selectCases, suiteJson, suiteJunit, type ConformanceCase,
} from "../conformance/mod.js";
import { shownPath } from "./cmd_demo.js";
import type { CommandContext } from "./context.js";
import { CliError } from "./errors.js";
import { EXIT } from "./exit.js";
import { choice, parseCount, parseKernel } from "./options.js";
import { checkOutputPath, writeOutput } from "./output_path.js";

interface ConformanceOptions {
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly driver?: string;
  readonly seeds: number;
  readonly json?: boolean;
  readonly junit?: string;
  readonly only?: string;
  readonly diff?: boolean;
  readonly markdown?: boolean;
  readonly workers: number;
  readonly dir?: string;
}

const DEFAULT_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

export function addConformanceCommand(program: Command, ctx: CommandContext): void {
  program
    .command("conformance")
    .description("run the conformance cases (conformance/, one per requirement of " +
      "docs/requirements.md) across drivers, profiles, kernel versions and seeds")
    .option("--profile <p>", `only this profile: ${PROFILE_NAMES.join(" or ")}`, choice("profile", PROFILE_NAMES))
    .option("--kernel <v>", `only this kernel version (${KERNEL_VERSIONS.join(", ")})`, parseKernel)
    .option("--driver <name>", "only this driver (a broken one: only its negative controls)",
      choice("driver", [...DRIVERS.keys()]))
    .option("--seeds <n>", "seeds per case, driver, profile and version", parseCount("--seeds"), 10)
    .option("--only <ids>", "only these requirements or cases, comma-separated (R38,r35-open-gone-enodev)")
    .option("--json", "print the report as one JSON object")
    .option("--junit <file>", "write the report as JUnit XML")
    .option("--diff", "print, per requirement, what a program observes differently under " +
      "mainline and uapi-doc (seed 1, newest version)")
    .option("--markdown", "with --diff: print docs/divergences.md")
    .option("--workers <n>", `worker threads (default ${DEFAULT_WORKERS})`, parseCount("--workers"), DEFAULT_WORKERS)
    .option("--dir <dir>", "read the cases from this directory instead of the built-in ones")
    .action((o: ConformanceOptions) => {
      // Bad input is found here, before anything runs; the suite itself runs after parsing.
      if (o.markdown === true && o.diff !== true) throw new CliError("--markdown goes with --diff", "conformance");
      if (o.junit !== undefined) checkOutputPath("--junit", o.junit);
      const selected = cases(o, ctx);
      if (o.diff === true) {
        const ds = divergences(selected);
        ctx.io.out(o.markdown === true ? formatDiffMarkdown(ds).trimEnd() : formatDiffText(ds, selected.length));
        return;
      }
      ctx.pending = suiteCommand(selected, o, ctx);
    });
}

function cases(o: ConformanceOptions, ctx: CommandContext): ConformanceCase[] {
  const loaded = loadCases(o.dir ?? shownPath(CASE_DIR));
  if (!loaded.ok) {
    for (const e of loaded.errors) ctx.io.err(e);
    const n = loaded.errors.length;
    const problems = `${n} problem${n === 1 ? "" : "s"}`;
    throw new CliError(`${problems} in the case files; nothing was run`, "conformance");
  }
  const only = o.only?.split(",");
  const picked = selectCases(loaded.cases, only);
  if (picked.unmatched.length > 0) {
    const them = picked.unmatched.length === 1 ? "it" : "them";
    throw new CliError(`--only ${picked.unmatched.join(",")}: no case checks ${them}`, "conformance");
  }
  return picked.cases;
}

function bar(done: number, total: number): string {
  const width = 30;
  const full = Math.round((done / total) * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}] ${done}/${total} jobs`;
}

async function suiteCommand(selected: readonly ConformanceCase[], o: ConformanceOptions, ctx: CommandContext): Promise<number> {
  const tty = process.stderr.isTTY === true && o.json !== true;
  const report = await runSuite(selected, {
    ...(o.profile ? { profile: o.profile } : {}), ...(o.kernel ? { kernel: o.kernel } : {}),
    ...(o.driver ? { driver: o.driver } : {}), seeds: o.seeds, workers: o.workers,
    ...(tty ? { progress: (done: number, total: number) => ctx.io.progress(bar(done, total)) } : {}),
  });
  if (tty) ctx.io.progress("");
  ctx.io.out(o.json === true ? jsonText(suiteJson(report)) : formatSuiteText(report, loadavg()));
  if (o.junit !== undefined) ctx.io.err(`junit: ${writeOutput("--junit", o.junit, suiteJunit(report))}`);
  return EXIT[report.verdict];
}
