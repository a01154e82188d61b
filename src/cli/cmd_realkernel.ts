/**
 * `vdrm realkernel`: replays the Linux 6.12 bochs recording (fixtures/realkernel/, inside the
 * package) against the model and compares every observation. A --fixture that cannot be read
 * or is not a recording is bad input (exit 2), with the file and line.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  compareWithFixture, formatComparison, parseFixture, RECORDING_PATH, summarize, type Fixture,
} from "../realkernel/mod.js";
import type { CommandContext } from "./context.js";
import { CliError, fsErrorText } from "./errors.js";
import { EXIT } from "./exit.js";

export function addRealkernelCommand(program: Command, ctx: CommandContext): void {
  program
    .command("realkernel")
    .description("replay the Linux 6.12 bochs recording against the model and compare every " +
      "observation")
    .option("--fixture <file>", "the recording (JSON lines)", RECORDING_PATH)
    .option("--all", "print matching observations too")
    .action((o: { fixture: string; all?: boolean }) => {
      const results = compareWithFixture(readFixture(o.fixture));
      const matches = o.all ? results.filter((r) => r.verdict === "match") : [];
      for (const r of matches) ctx.io.out(`[${r.scn}] match ${r.real}`);
      ctx.io.out(formatComparison(results));
      const c = summarize(results);
      ctx.exitCode = c.mismatch + c.missing + c.extra === 0 ? EXIT.pass : EXIT.expectation;
    });
}

/** @throws CliError when the file cannot be read or is not a recording. */
function readFixture(path: string): Fixture {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`--fixture ${JSON.stringify(path)}: ${fsErrorText(e)}`);
  }
  try {
    return parseFixture(text, path);
  } catch (e) {
    if (e instanceof SyntaxError) throw new CliError(e.message);
    throw e;
  }
}
