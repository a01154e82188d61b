/**
 * `vdrm realkernel`: replays the Linux 6.12 bochs recording (fixtures/realkernel/, inside the
 * package) against the model and compares every observation. A --fixture that cannot be read
 * or is not a recording is bad input (exit 2), with the file and line.
 */
import type { Command } from "commander";
import {
  compareWithFixture, formatComparison, formatMatch, parseFixture, RECORDING_PATH, summarize, type Fixture,
} from "../realkernel/mod.js";
import { formatBytes, readTextBounded } from "../scenario/mod.js";
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
      for (const r of matches) ctx.io.out(formatMatch(r));
      ctx.io.out(formatComparison(results));
      const c = summarize(results);
      ctx.exitCode = c.mismatch + c.missing + c.extra === 0 ? EXIT.pass : EXIT.expectation;
    });
}

/** Bytes of a recording: reading stops there (the Linux 6.12 one is 68 KiB). */
const FIXTURE_BYTES_MAX = 16 * 1024 * 1024;

/** @throws CliError when the file cannot be read, is too large or is not a recording. */
function readFixture(path: string): Fixture {
  const fail = (why: string): never => {
    throw new CliError(`--fixture ${JSON.stringify(path)}: ${why}`);
  };
  let text: string | null = null;
  try {
    text = readTextBounded(path, FIXTURE_BYTES_MAX);
  } catch (e) {
    fail(fsErrorText(e));
  }
  if (text === null) {
    return fail(`larger than ${formatBytes(FIXTURE_BYTES_MAX)}, the most a recording may be`);
  }
  try {
    return parseFixture(text, path);
  } catch (e) {
    if (e instanceof SyntaxError) throw new CliError(e.message);
    throw e;
  }
}
