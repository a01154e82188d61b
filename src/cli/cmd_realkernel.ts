/**
 * `vdrm realkernel`: replays the Linux 6.12 bochs recording (fixtures/realkernel/, inside the
 * package) against the model and compares every observation, step by step, with a sequence
 * diff. A --fixture that cannot be read or is not a recording, and a --driver not in the replay
 * table, are bad input (exit 2). A difference is exit 1; a finding of the model's checkers
 * during the replay (a broken driver) exits with its verdict's code.
 */
import type { Command } from "commander";
import { findingClass, findingSummary, jsonText, type Finding } from "../kernel/mod.js";
import {
  compareWithFixture, formatHunks, formatSummary, parseFixture, RECORDED_DRIVER, RECORDING_PATH,
  REPLAY_DRIVERS, REPLAY_SEED, replayDriver, summarize, type Comparison, type Fixture,
} from "../realkernel/mod.js";
import { formatBytes, readTextBounded, shellQuote } from "../scenario/mod.js";
import type { CommandContext } from "./context.js";
import { CliError, fsErrorText } from "./errors.js";
import { EXIT, worst, type Verdict } from "./exit.js";
import { choice } from "./options.js";

interface RealkernelOptions {
  readonly fixture: string;
  readonly driver: string;
  readonly all?: boolean;
  readonly json?: boolean;
}

export function addRealkernelCommand(program: Command, ctx: CommandContext): void {
  program
    .command("realkernel")
    .description("replay the Linux 6.12 bochs recording against the model and compare every " +
      "observation, step by step, as a diff")
    .option("--fixture <file>", "the recording (JSON lines)", RECORDING_PATH)
    .option("--driver <name>", "the model driver the replay binds: " +
      `${[...REPLAY_DRIVERS.keys()].join(", ")} (${RECORDED_DRIVER} is the recording's)`,
    choice("replay driver", [...REPLAY_DRIVERS.keys()]), RECORDED_DRIVER)
    .option("--all", "print every observation, not only the differences and their context")
    .option("--json", "print one JSON object: the summary, the findings and the differences")
    .action((o: RealkernelOptions) => {
      const fixture = readFixture(o.fixture);
      const { results, findings } = compareWithFixture(fixture, o.driver);
      const verdict = verdictOf(results, findings);
      ctx.io.out(o.json ? jsonReport(o, fixture, results, findings, verdict)
        : textReport(o, results, findings, verdict));
      ctx.exitCode = EXIT[verdict];
    });
}

/** expectation for any difference; a finding's own verdict when the model found one. */
function verdictOf(results: readonly Comparison[], findings: readonly Finding[]): Verdict {
  const c = summarize(results);
  const differs = c.mismatch + c.missing + c.extra > 0;
  return worst([...findings.map(findingClass), differs ? "expectation" : "pass"]);
}

function textReport(o: RealkernelOptions, results: readonly Comparison[],
  findings: readonly Finding[], verdict: Verdict): string {
  const lines: string[] = [];
  if (o.driver !== RECORDED_DRIVER) {
    lines.push(`driver ${o.driver} (the recording is of ${RECORDED_DRIVER}): ` +
      replayDriver(o.driver).notes);
  }
  lines.push(...formatHunks(results, o.all ? { context: Infinity } : {}));
  lines.push(...findingLines(findings));
  if (verdict !== "pass") lines.push(`replay: ${replayCommand(o)}`);
  lines.push(formatSummary(results));
  return lines.join("\n");
}

/** The command that runs this comparison again (the replay is seeded and FIFO-scheduled). */
function replayCommand(o: RealkernelOptions): string {
  const fixture = o.fixture === RECORDING_PATH ? "" : ` --fixture ${shellQuote(o.fixture)}`;
  const driver = o.driver === RECORDED_DRIVER ? "" : ` --driver ${o.driver}`;
  return `vdrm realkernel${driver}${fixture} (seed ${REPLAY_SEED}, FIFO schedule)`;
}

/** One line per distinct finding, with how many times it was found. */
function findingLines(findings: readonly Finding[]): string[] {
  const counts = new Map<string, number>();
  for (const f of findings) {
    const line = `finding ${findingClass(f)}: ${findingSummary(f)}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (${n} times)` : line));
}

function jsonReport(o: RealkernelOptions, fixture: Fixture, results: readonly Comparison[],
  findings: readonly Finding[], verdict: Verdict): string {
  return jsonText({
    fixture: o.fixture,
    kernel: fixture.kernel,
    driver: o.driver,
    model: replayDriver(o.driver).model,
    verdict,
    summary: summarize(results),
    findings: findings.map((f) => ({ class: findingClass(f), summary: findingSummary(f) })),
    results: o.all ? results : results.filter((r) => r.verdict !== "match"),
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
