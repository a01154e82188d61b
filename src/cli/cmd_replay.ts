/**
 * `vdrm replay TOKEN FILE`: reruns exactly the run a replay token records (printed by
 * `vdrm explore`, `vdrm run` or `vdrm igt`) on the scenario file it came from, and prints it
 * as the explorer prints a counterexample: what failed, one line per step with the choice
 * points marked, the verdict. `--html` writes the timeline. The exit code is the verdict's; a
 * token that does not fit the file is bad input (exit 2). A model file's counterexample token
 * (m1.) is rerun by cmd_replay_model.ts.
 */
import type { Command } from "commander";
import { ReplayMismatchError } from "../kernel/mod.js";
import { failureLines, stepLines } from "../explore/mod.js";
import { replayRun } from "../explore/replay.js";
import { renderHtml, worldRunRecord } from "../report/mod.js";
import {
  escapeControls, replayCommand, verdictWord, type ReplayToken,
} from "../scenario/mod.js";
import type { CommandContext } from "./context.js";
import { CliError } from "./errors.js";
import { EXIT } from "./exit.js";
import type { Io } from "./io.js";
import { loadOneScenario } from "./load_one.js";
import { parseCount } from "./options.js";
import { checkOutputPath, checkOutputsApart, writeOutput } from "./output_path.js";
import { replayMismatchMessage } from "./replay_args.js";
import { isModelFile, parseAnyReplayToken, replayModelCommand, type AnyReplayToken } from "./cmd_replay_model.js";

interface ReplayFlags {
  readonly html?: string;
  readonly maxSteps?: number;
}

export function addReplayCommand(program: Command, ctx: CommandContext): void {
  program
    .command("replay")
    .description("rerun exactly the run of a replay token on its scenario (or model) file")
    .argument("<token>", "a replay token printed by vdrm explore, run or igt (v1.…), or by vdrm " +
      "explore on a model file (m1.…)", parseAnyReplayToken)
    .argument("<file>", "the scenario or model file the token was printed for")
    .option("--html <file>", "write the HTML timeline report")
    .option("--max-steps <n>", "step budget (the one the token was printed with)", parseCount("--max-steps"))
    .action((t: AnyReplayToken, file: string, o: ReplayFlags) => {
      ctx.exitCode = t.kind === "model" ? replayModelCommand(t.token, file, o, ctx.io)
        : replayCommandRun(t.token, file, o, ctx.io);
    });
}

function replayCommandRun(token: ReplayToken, file: string, o: ReplayFlags, io: Io): number {
  if (o.html !== undefined) {
    checkOutputPath("--html", o.html);
    checkOutputsApart([["--html", o.html]], [file]);
  }
  if (isModelFile(file)) {
    throw new CliError(`${file}: a model file; this token (v1.) is a scenario run's (a model's ` +
      "counterexample prints an m1. token)", "replay");
  }
  const sc = loadOneScenario(file, "replay", "nothing was run", io);
  if (sc === null) return EXIT.input;
  let r;
  try {
    r = replayRun(sc, token, o.maxSteps);
  } catch (e) {
    if (!(e instanceof ReplayMismatchError)) throw e;
    throw new CliError(`${sc.file}: ${replayMismatchMessage(e)}`, "replay");
  }
  const run = r.run;
  io.out(escapeControls(`replay ${sc.name} (${sc.file}): seed ${run.seed}, ${run.profile} ${run.kernel}, ` +
    `${token.decisions.length} decisions`));
  if (r.failure !== null) {
    io.out(`failure: ${r.failure.verdict} (${r.failure.kinds.join(", ")})`);
    for (const line of failureLines(run)) io.out(line);
  }
  io.out("steps:");
  for (const line of stepLines(r.recorder)) io.out(line);
  io.out(`verdict: ${verdictWord(run)}`);
  if (o.html !== undefined) {
    const record = worldRunRecord(run.world, { title: sc.name, verdict: verdictWord(run), replay: replayCommand(run) });
    io.err(`report: ${escapeControls(writeOutput("--html", o.html, renderHtml([record])))}`);
  }
  return EXIT[run.verdict];
}
