/**
 * The vdrm command line: the subcommands (one module each), the exit code of every way out
 * (see exit.ts and the verdict table), and the two kinds of errors the command reports itself
 * (errors.ts). The only place that reads entropy (cmd_igt.ts, a seed when none is given).
 */
import { Command, CommanderError } from "commander";
import { addDemoCommand } from "./cmd_demo.js";
import { addExploreCommand } from "./cmd_explore.js";
import { addExecCommand } from "./cmd_exec.js";
import { addIgtCommand } from "./cmd_igt.js";
import { addOpsCommand } from "./cmd_ops.js";
import { addRecoverydCommand } from "./cmd_recoveryd.js";
import { addConformanceCommand } from "./cmd_conformance.js";
import { addRealkernelCommand } from "./cmd_realkernel.js";
import { addReplayCommand } from "./cmd_replay.js";
import { addRunCommand } from "./cmd_run.js";
import { addUdevCommand } from "./cmd_udev.js";
import { addVariantsCommand } from "./cmd_variants.js";
import { escapeControls } from "../scenario/mod.js";
import type { CommandContext } from "./context.js";
import { CliError, reportInternalError } from "./errors.js";
import { EXIT, exitCodeHelp } from "./exit.js";
import type { Io } from "./io.js";
import { packageVersion } from "./version.js";

const EXAMPLES = `
Examples:
  $ vdrm demo
  $ vdrm run scenarios/hotunplug-lateclose.yaml --seed 7
  $ vdrm run scenarios/*.yaml --json
  $ vdrm igt hotreplug-lateclose --driver vdisp-devm
  $ vdrm explore scenarios/explore/unplug-ioctl-devm.yaml --preemptions-max 2
  $ vdrm udev test my.rules --event wedged.txt --verbose
  $ vdrm recoveryd --config /etc/vdrm/recoveryd.yaml`;

function buildProgram(ctx: CommandContext): Command {
  const program = new Command("vdrm")
    .description("An executable model of Linux DRM device hot-unplug, managed lifetimes and " +
      "wedging")
    .version(packageVersion(), "-V, --version")
    .option("--debug", "on an internal error, print the stack trace")
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: ctx.io.writeOut,
      writeErr: ctx.io.writeErr,
      outputError: (text, write) => write(commanderErrorText(text)),
    })
    .addHelpText("after", `\n${exitCodeHelp()}\n${EXAMPLES}`);
  addRunCommand(program, ctx);
  addOpsCommand(program, ctx);
  addVariantsCommand(program, ctx);
  addDemoCommand(program, ctx);
  addIgtCommand(program, ctx);
  addRealkernelCommand(program, ctx);
  addConformanceCommand(program, ctx);
  addUdevCommand(program, ctx);
  addRecoverydCommand(program, ctx);
  addExploreCommand(program, ctx);
  addReplayCommand(program, ctx);
  addExecCommand(program, ctx);
  return program;
}

/**
 * A usage error of commander with the control characters of the arguments it quotes escaped;
 * its own line breaks (before "(Did you mean ...?)" and at the end) are kept.
 */
function commanderErrorText(text: string): string {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  // Not .map(escapeControls): map's index would become its xMax argument.
  const lines = body.split(/\n(?=\(Did you mean )/).map((line) => escapeControls(line));
  return `${lines.join("\n")}\n`;
}

/** What commander's own exits (help, version, usage errors) mean as exit codes. */
function commanderExit(e: CommanderError): number {
  const shown = ["commander.helpDisplayed", "commander.help", "commander.version"].includes(e.code);
  return shown && e.exitCode === 0 ? EXIT.pass : EXIT.input;
}

/**
 * Runs the vdrm command on `argv` (without node and the script) and returns its exit code.
 * Never throws: bad input is exit code 2, a bug of vdrm is an internal error (exit 70).
 * A command that goes on after parsing (`vdrm recoveryd`, `vdrm exec`) needs `vdrmAsync()`.
 */
export function vdrm(argv: readonly string[], io: Io): number {
  return vdrmWith({ io, exitCode: EXIT.pass }, argv);
}

/**
 * vdrm(), for the commands that go on after parsing (a daemon's loop, `vdrm exec` waiting for
 * a real process): resolves to the exit code once the command is over. Never rejects: an
 * error after parsing is an internal error.
 */
export async function vdrmAsync(argv: readonly string[], io: Io): Promise<number> {
  const ctx: CommandContext = { io, exitCode: EXIT.pass };
  const code = vdrmWith(ctx, argv);
  if (ctx.pending === undefined) return code;
  try {
    return await ctx.pending;
  } catch (e) {
    return reportInternalError(e, argv, { debug: argv.includes("--debug"), io });
  }
}

function vdrmWith(ctx: CommandContext, argv: readonly string[]): number {
  const io = ctx.io;
  let program: Command | undefined;
  try {
    program = buildProgram(ctx);
    program.parse(argv, { from: "user" });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return commanderExit(e);
    if (e instanceof CliError) {
      io.err(escapeControls(`vdrm${e.command === undefined ? "" : ` ${e.command}`}: ${e.message}`));
      return EXIT.input;
    }
    const debug = program?.opts<{ debug?: boolean }>().debug === true || argv.includes("--debug");
    return reportInternalError(e, argv, { debug, io });
  }
}
