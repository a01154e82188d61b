#!/usr/bin/env node
/**
 * The vdrm command. The only place that reads entropy (a seed when none is given), writes
 * files and sets the exit code.
 *
 * Exit codes: 0 pass, 1 expectation not met, 2 bad input, 3 memory finding (use-after-free,
 * double free, kref), 4 hang, 5 leak, 6 WARN.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomInt } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import { isKernelVersion, KERNEL_VERSIONS, PROFILE_NAMES, type KernelVersion, type ProfileName } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { findingClass, findingSummary, formatSite, type Finding } from "../kernel/mod.js";
import { compareObservations, formatComparison, summarize } from "../realkernel/compare.js";
import { loadFixture } from "../realkernel/fixture.js";
import { replayRecording } from "../realkernel/replay.js";
import { renderHtml, type RunRecord } from "../report/mod.js";
import { SUBTESTS, type SubtestName } from "../userspace/mod.js";
import { runCoreHotunplug, worldRunRecord, type SubtestRun } from "../world/mod.js";

export const EXIT = { pass: 0, expectation: 1, input: 2, memory: 3, hang: 4, leak: 5, warn: 6 } as const;
type Verdict = keyof typeof EXIT;

const FIXTURE = fileURLToPath(new URL("../../../shared/realkernel/linux-6.12-bochs-pciehp.jsonl", import.meta.url));

function verdictOf(run: SubtestRun): Verdict {
  const classes = new Set(run.findings.map(findingClass));
  for (const c of ["memory", "hang", "leak", "warn"] as const) if (classes.has(c)) return c;
  return run.result.verdict === "fail" ? "expectation" : "pass";
}

function replayCommand(run: SubtestRun, profile: ProfileName, kernel: KernelVersion): string {
  return `vdrm igt ${run.subtest} --driver ${run.driver} --seed ${run.seed} --profile ${profile} --kernel ${kernel}`;
}

function printFinding(f: Finding, out: (s: string) => void): void {
  out(`  ${findingClass(f)}: ${findingSummary(f)}`);
  if (f.kind === "use-after-free") {
    out(`    access: ${formatSite(f.access)}`);
    out(`    freed:  ${formatSite(f.free)}`);
    out(`    alloc:  ${formatSite(f.alloc)}`);
  } else if (f.kind === "leak") out(`    alloc:  ${formatSite(f.alloc)}`);
  else if (f.kind === "warn") out(`    at:     ${formatSite(f.site)}`);
}

function writeReport(path: string, records: readonly RunRecord[]): string {
  const full = resolve(path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, renderHtml(records));
  return full;
}

function parseSeed(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`seed must be a non-negative integer, got "${v}"`);
  return Number(v);
}

function choice<T extends string>(what: string, allowed: readonly T[]) {
  return (v: string): T => {
    if ((allowed as readonly string[]).includes(v)) return v as T;
    throw new InvalidArgumentError(`unknown ${what} "${v}"; expected one of ${allowed.join(", ")}`);
  };
}

function parseKernel(v: string): KernelVersion {
  if (isKernelVersion(v)) return v;
  throw new InvalidArgumentError(`unknown kernel version "${v}"; expected one of ${KERNEL_VERSIONS.join(", ")}`);
}

export function main(argv: readonly string[]): number {
  let exitCode: number = EXIT.pass;
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  const program = new Command("vdrm")
    .description("An executable model of Linux DRM device hot-unplug and managed lifetimes")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("demo")
    .description("run the built-in suite: IGT core_hotunplug on the correct and the broken driver, and the Linux 6.12 comparison; write the HTML report")
    .option("--html <file>", "where to write the report", "out/vdrm-report.html")
    .action((o: { html: string }) => {
      exitCode = demo(o.html, out);
    });

  program
    .command("igt")
    .description("run one IGT core_hotunplug subtest against the model")
    .argument("<subtest>", `one of ${SUBTESTS.join(", ")}`, choice("subtest", SUBTESTS))
    .option("--driver <name>", "built-in driver", choice("driver", [...DRIVERS.keys()]), "vdisp")
    .option("--seed <n>", "simulation seed (default: random, printed)", parseSeed)
    .option("--profile <p>", "mainline or uapi-doc", choice("profile", PROFILE_NAMES), "mainline")
    .option("--kernel <v>", "kernel version to model", parseKernel, "7.1")
    .option("--html <file>", "write the timeline report")
    .action((subtest: SubtestName, o: { driver: string; seed?: number; profile: ProfileName; kernel: KernelVersion; html?: string }) => {
      const seed = o.seed ?? randomInt(2 ** 31);
      out(`SEED=${seed}`);
      const run = runCoreHotunplug(subtest, { driver: o.driver, seed, profile: o.profile, kernel: o.kernel });
      const verdict = verdictOf(run);
      out(`${subtest} on ${o.driver}: ${run.result.verdict}${run.result.verdict === "pass" ? "" : ` (${run.result.message})`}; verdict ${verdict}`);
      for (const f of run.findings) printFinding(f, out);
      if (verdict !== "pass") out(`replay: ${replayCommand(run, o.profile, o.kernel)}`);
      if (o.html) out(`report: ${writeReport(o.html, [worldRunRecord(run.world, { title: `${subtest} on ${o.driver}`, verdict, replay: replayCommand(run, o.profile, o.kernel) })])}`);
      exitCode = EXIT[verdict];
    });

  program
    .command("realkernel")
    .description("replay the Linux 6.12 bochs recording against the model and compare every observation")
    .option("--fixture <file>", "the recording (JSON lines)", FIXTURE)
    .option("--all", "print matching observations too")
    .action((o: { fixture: string; all?: boolean }) => {
      const fixture = loadFixture(o.fixture);
      const results = compareObservations(fixture.observations, replayRecording().observations);
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

function demo(htmlPath: string, out: (s: string) => void): number {
  const rows: string[][] = [];
  const records: RunRecord[] = [];
  const drivers = ["vdisp", "vdisp-devm"];
  let worst: number = EXIT.pass;
  let done = 0;
  const total = drivers.length * SUBTESTS.length;
  for (const driver of drivers) {
    for (const subtest of SUBTESTS) {
      const run = runCoreHotunplug(subtest, { driver, seed: 1 });
      const verdict = verdictOf(run);
      const expected = DRIVERS.get(driver)?.correct === true ? verdict === "pass" : verdict !== "pass";
      if (!expected) worst = Math.max(worst, EXIT[verdict] || EXIT.expectation);
      const kinds = [...new Set(run.findings.map((f) => f.kind))].join(", ") || "-";
      rows.push([subtest, driver, run.result.verdict, verdict, kinds, expected ? "as expected" : "UNEXPECTED"]);
      const replay = replayCommand(run, "mainline", "7.1");
      records.push(worldRunRecord(run.world, { title: `${subtest} on ${driver}`, verdict, replay }));
      done++;
      process.stderr.write(`\r[${done}/${total}] ${subtest} on ${driver}        `);
    }
  }
  process.stderr.write("\n");
  const fixture = loadFixture(FIXTURE);
  const results = compareObservations(fixture.observations, replayRecording().observations);
  const c = summarize(results);
  const header = ["subtest", "driver", "igt", "verdict", "findings", "check"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  out(line(header));
  out(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) out(line(r));
  out("");
  out(`Linux 6.12 bochs recording: ${c.match} match, ${c.mismatch} mismatch, ${c.missing} missing, ${c.extra} extra, ${c["not-modelled"]} not modelled`);
  if (c.mismatch + c.missing + c.extra > 0) worst = Math.max(worst, EXIT.expectation);
  out(`report: ${writeReport(htmlPath, records)}`);
  return worst;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) process.exitCode = main(process.argv.slice(2));
