/**
 * `vdrm udev test RULES... --event FILE`: which rules match an event and what they would run,
 * like `udevadm test`, with vdrm's rules engine (docs/udev.md). The event file is a recorded
 * `udevadm monitor --property` text, fixture lines, or one binary datagram; RULES are rules
 * files or rules.d directories in precedence order (default: udev's own directories). With
 * --run the RUN programs run for real (no shell, the event's properties as environment, killed
 * after --timeout). Bad rules or a bad event file: exit code 2 with file, line and column.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  applyRules, chooseRulesFiles, directoryDeviceTree, eventTitle, formatDiagnostic, formatRulesResult, formatRunOutcome,
  loadRulesFiles, parseEventFile, RUN_TIMEOUT_MS_DEFAULT, runSync, SpawnSyncExecutor, UDEV_RULES_DIRS,
  UeventFormatError, type ReceivedUevent, type RuleSet,
} from "../udev/mod.js";
import type { CommandContext } from "./context.js";
import { CliError, fsErrorText } from "./errors.js";
import { EXIT } from "./exit.js";

interface UdevTestOptions {
  readonly event: string;
  readonly sysfs: string;
  readonly run?: boolean;
  readonly timeout: string;
  readonly verbose?: boolean;
}

const COMMAND = "udev test";

function readEvents(path: string): ReceivedUevent[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path === "-" ? 0 : path);
  } catch (e) {
    throw new CliError(`cannot read the event file ${path}: ${fsErrorText(e)}`, COMMAND);
  }
  try {
    return parseEventFile(bytes, path === "-" ? "standard input" : path);
  } catch (e) {
    if (e instanceof UeventFormatError) throw new CliError(e.message, COMMAND);
    throw e;
  }
}

function loadRules(ctx: CommandContext, paths: readonly string[]): RuleSet | null {
  let files: readonly string[];
  let rules: RuleSet;
  try {
    const choice = chooseRulesFiles(paths);
    files = choice.files;
    for (const h of choice.hidden) ctx.io.err(`Skipping ${h.path}: hidden by ${h.by}`);
    rules = loadRulesFiles(files);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), COMMAND);
  }
  for (const f of files) ctx.io.err(`Reading rules file: ${f}`);
  for (const d of rules.diagnostics) ctx.io.err(formatDiagnostic(d));
  const errors = rules.diagnostics.filter((d) => d.severity === "error").length;
  if (errors === 0) return rules;
  ctx.io.err(`vdrm ${COMMAND}: ${errors} error${errors === 1 ? "" : "s"} in the rules; nothing was applied`);
  return null;
}

function timeoutMs(text: string): number {
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0) throw new CliError(`--timeout takes a number of seconds > 0, not ${JSON.stringify(text)}`, COMMAND);
  return Math.round(s * 1000);
}

function udevTest(ctx: CommandContext, paths: readonly string[], o: UdevTestOptions): void {
  const runTimeoutMs = timeoutMs(o.timeout);
  const events = readEvents(o.event);
  const rules = loadRules(ctx, paths.length === 0 ? UDEV_RULES_DIRS : paths);
  if (rules === null) {
    ctx.exitCode = EXIT.input;
    return;
  }
  const tree = directoryDeviceTree(o.sysfs);
  const executor = new SpawnSyncExecutor(runTimeoutMs);
  if (o.run !== true) ctx.io.err("RUN programs are printed, not run (give --run to run them).");
  events.forEach(({ event, where }, i) => {
    ctx.io.out(eventTitle(event, i + 1, events.length, o.event, where));
    const result = runSync(applyRules(rules, event, tree));
    for (const l of formatRulesResult(result, o.verbose === true)) ctx.io.out(l);
    if (o.run !== true) return;
    for (const c of result.run.filter((r) => !r.builtin)) {
      ctx.io.out(`running: '${c.command}'`);
      for (const l of formatRunOutcome(runSync(executor.run(c.command, result.properties)))) ctx.io.out(l);
    }
  });
}

export function addUdevCommand(program: Command, ctx: CommandContext): void {
  const udev = program.command("udev").description("udev rules and uevents: test rules against a recorded event");
  udev
    .command("test")
    .description("print which rules match an event and what RUN would start, like udevadm test")
    .argument("[rules...]", `rules files or rules.d directories, in precedence order (default: ${UDEV_RULES_DIRS.join(" ")})`)
    .requiredOption("--event <file>", "the event: udevadm monitor --property text, fixture lines, or one datagram (- for stdin)")
    .option("--sysfs <dir>", "the sysfs tree ATTR{} and the parent keys read", "/sys")
    .option("--run", "run the RUN programs (no shell; the event's properties as environment)")
    .option("--timeout <seconds>", "kill a RUN program with SIGKILL after this long", String(RUN_TIMEOUT_MS_DEFAULT / 1000))
    .option("--verbose", "also print why each other rule did not match")
    .action((paths: string[], o: UdevTestOptions) => udevTest(ctx, paths, o));
}
