/**
 * `vdrm recoveryd`: the recovery daemon (docs/recoveryd.md). Reads its YAML configuration
 * (errors with file, line and column: exit 2), checks that a root daemon may trust it and its
 * journal, then acts on WEDGED uevents from `udevadm monitor` (or a recording, `--events`):
 * dry-run unless `--apply`. Standard output: the writes made, or to be made; standard error:
 * the structured log (JSON lines). Exit 0 when the source ended or the daemon was stopped, 1
 * when the event source failed (udevadm missing or dying), 2 for bad input.
 *
 * `vdrm recoveryd status`: each device's state from the journal. `vdrm recoveryd check FILE`:
 * validates a configuration.
 */
import { createReadStream, readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import {
  configSchema, formatConfigError, formatStatus, daemonStatus, JournalFile, ListenError, parseConfig, readJournal, runService, trustProblems,
  type Config, type LogRecord,
} from "../recoveryd/mod.js";
import { RecordingUeventSource, RescanningSource, runSync } from "../udev/mod.js";
import { escapeControls } from "../scenario/mod.js";
import type { CommandContext } from "./context.js";
import { CliError, fsErrorText } from "./errors.js";
import { EXIT } from "./exit.js";

export const DEFAULT_CONFIG = "/etc/vdrm/recoveryd.yaml";
const COMMAND = "recoveryd";

interface RunOptions {
  readonly config?: string;
  readonly apply?: boolean;
  readonly sysfs?: string;
  readonly procfs?: string;
  readonly dev?: string;
  readonly journal?: string;
  readonly listen?: string;
  readonly events?: string;
}

function euid(): number {
  return process.geteuid?.() ?? -1;
}

/** The configuration of `--config` (default: /etc/vdrm/recoveryd.yaml, or the defaults if it is absent). */
export function loadConfig(ctx: CommandContext, path: string | undefined, overrides: Partial<Config> = {}): Config {
  const file = path ?? DEFAULT_CONFIG;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (path !== undefined || (e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new CliError(`cannot read the configuration ${file}: ${fsErrorText(e)}`, COMMAND);
    text = "";
  }
  const r = parseConfig(text, file);
  if (!r.ok) {
    for (const e of r.errors) ctx.io.err(escapeControls(formatConfigError(e)));
    throw new CliError(`${r.errors.length} error${r.errors.length === 1 ? "" : "s"} in the configuration; nothing was started`, COMMAND);
  }
  const merged = configSchema.safeParse({ ...r.config, ...overrides });
  if (!merged.success) {
    const i = merged.error.issues[0]!;
    throw new CliError(`--${String(i.path[0])}: ${i.message}`, COMMAND);
  }
  const config = merged.data;
  const problems = [...trustProblems(file, "the configuration", euid(), path !== undefined), ...trustProblems(config.journal, "the journal", euid(), false)];
  if (problems.length > 0) throw new CliError(`refusing to run as root: ${problems.join("; ")}`, COMMAND);
  return config;
}

function overridesOf(o: RunOptions): Partial<Config> {
  const entries = (["sysfs", "procfs", "dev", "journal", "listen"] as const).flatMap((k) => (o[k] === undefined ? [] : [[k, o[k]]]));
  for (const [k, v] of entries) if (k !== "listen" && !v!.startsWith("/")) throw new CliError(`--${k} takes an absolute path, not ${JSON.stringify(v)}`, COMMAND);
  return Object.fromEntries(entries) as Partial<Config>;
}

function logLine(record: LogRecord): string {
  return JSON.stringify({ time: new Date().toISOString(), ...record });
}

async function serve(ctx: CommandContext, o: RunOptions, config: Config): Promise<void> {
  const mode = o.apply === true ? "apply" : "dry-run";
  const source = o.events === undefined ? undefined : new RescanningSource(new RecordingUeventSource(
    o.events === "-" ? process.stdin : createReadStream(o.events), o.events === "-" ? "standard input" : o.events));
  if (mode === "dry-run") ctx.io.err(`vdrm ${COMMAND}: dry run: nothing is written (give --apply to act)`);
  try {
    const exit = await runService({ config, mode, ...(source === undefined ? {} : { source }), out: { print: (l) => ctx.io.out(l), log: (r) => ctx.io.err(logLine(r)) } });
    ctx.exitCode = exit.reason === "source-failed" ? EXIT.expectation : EXIT.pass;
  } catch (e) {
    if (!(e instanceof ListenError) && (e as NodeJS.ErrnoException).code === undefined) throw e;
    ctx.io.err(`vdrm ${COMMAND}: ${e instanceof ListenError ? e.message : fsErrorText(e)}`);
    ctx.exitCode = EXIT.input;
  }
}

function start(ctx: CommandContext, o: RunOptions): void {
  const config = loadConfig(ctx, o.config, overridesOf(o));
  for (const [what, dir] of [["sysfs", config.sysfs], ["procfs", config.procfs]] as const) {
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (e) {
      throw new CliError(`the ${what} root ${dir} cannot be read: ${fsErrorText(e)}`, COMMAND);
    }
    if (!isDir) throw new CliError(`the ${what} root ${dir} is not a directory`, COMMAND);
  }
  ctx.pending = serve(ctx, o, config).then(() => ctx.exitCode);
}

function status(ctx: CommandContext, o: { config?: string; journal?: string; json?: boolean }): void {
  const config = loadConfig(ctx, o.config, o.journal === undefined ? {} : { journal: o.journal });
  const records = runSync(readJournal(new JournalFile(config.journal))).records;
  const s = daemonStatus(records, config, Date.now());
  if (o.json === true) ctx.io.out(JSON.stringify(s, null, 2));
  else for (const l of formatStatus(s)) ctx.io.out(l);
}

export function addRecoverydCommand(program: Command, ctx: CommandContext): void {
  const cmd = program.command(COMMAND).description("the recovery daemon: acts on WEDGED uevents (docs/recoveryd.md)");
  cmd.command("run", { isDefault: true })
    .description("run the daemon (dry run unless --apply)")
    .option("--config <file>", `the YAML configuration (default ${DEFAULT_CONFIG}, or the defaults if it is absent)`)
    .option("--apply", "act: write to sysfs and run handlers (default: print what would be done)")
    .option("--sysfs <dir>", "the sysfs root (overrides the configuration)")
    .option("--procfs <dir>", "the procfs root")
    .option("--dev <dir>", "the /dev root")
    .option("--journal <file>", "the journal file")
    .option("--listen <address>", 'the metrics and status listener: "host:port", "unix:/path" or "off"')
    .option("--events <file>", "read events from a udevadm monitor recording (- for stdin) instead of udevadm")
    .action((o: RunOptions) => start(ctx, o));
  cmd.command("status")
    .description("each device's state, from the journal")
    .option("--config <file>", "the YAML configuration")
    .option("--journal <file>", "the journal file (overrides the configuration)")
    .option("--json", "print JSON")
    .action((o: { config?: string; journal?: string; json?: boolean }) => status(ctx, o));
  cmd.command("check")
    .description("validate a configuration file")
    .argument("<file>", "the YAML configuration")
    .action((file: string) => {
      loadConfig(ctx, file);
      ctx.io.out(`${file}: valid`);
    });
}
