/**
 * `vdrm realkernel`: replays the Linux 6.12 bochs recordings (fixtures/realkernel/, inside the
 * package: the unplug one, then the PRIME one, whose group g the replay makes too) against the
 * model and compares every observation, step by step, with a sequence diff; `--fixture` (which
 * may be repeated) compares with other recordings instead. A --fixture that cannot be read or
 * is not a recording, and a --driver not in the replay table, are bad input (exit 2), found
 * before anything runs. A difference is exit 1; a finding of the model's checkers during the
 * replay (a broken driver) exits with its verdict's code; several recordings exit with the
 * most serious.
 */
import type { Command } from "commander";
import { findingClass, findingSummary, jsonText, type Finding } from "../kernel/mod.js";
import { basename } from "node:path";
import {
  compareWithFixture, formatHunks, formatSummary, parseFixture, RECORDED_DRIVER, RECORDINGS,
  REPLAY_DRIVERS, REPLAY_SEED, replayDriver, summarize, type Comparison, type Fixture,
} from "../realkernel/mod.js";
import { formatBytes, readTextBounded, shellQuote } from "../scenario/mod.js";
import type { CommandContext } from "./context.js";
import { CliError, fsErrorText } from "./errors.js";
import { EXIT, worst, type Verdict } from "./exit.js";
import { choice } from "./options.js";

interface RealkernelOptions {
  /** The recordings given with --fixture; none: RECORDINGS. */
  readonly fixture?: readonly string[];
  readonly driver: string;
  readonly all?: boolean;
  readonly json?: boolean;
}

/** One comparison: the recording, where it came from, and how the model did. */
interface Compared {
  readonly path: string;
  readonly fixture: Fixture;
  readonly results: readonly Comparison[];
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
}

function collect(v: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), v];
}

export function addRealkernelCommand(program: Command, ctx: CommandContext): void {
  program
    .command("realkernel")
    .description("replay the Linux 6.12 bochs recordings (unplug, then PRIME) against the " +
      "model and compare every observation, step by step, as a diff")
    .option("--fixture <file>", "a recording (JSON lines) to compare with instead; repeat " +
      "for several (default: the two Linux 6.12 recordings of fixtures/realkernel)", collect)
    .option("--driver <name>", "the model driver the replay binds: " +
      `${[...REPLAY_DRIVERS.keys()].join(", ")} (${RECORDED_DRIVER} is the recording's)`,
    choice("replay driver", [...REPLAY_DRIVERS.keys()]), RECORDED_DRIVER)
    .option("--all", "print every observation, not only the differences and their context")
    .option("--json", "print one JSON object per recording: the summary, the findings and " +
      "the differences")
    .action((o: RealkernelOptions) => {
      // Every recording is read before any replay: a bad one is refused before work is done.
      const paths = o.fixture ?? RECORDINGS;
      const fixtures = paths.map((path) => ({ path, fixture: readFixture(path) }));
      const compared = fixtures.map(({ path, fixture }): Compared => {
        const { results, findings } = compareWithFixture(fixture, o.driver);
        return { path, fixture, results, findings, verdict: verdictOf(results, findings) };
      });
      const json = (): string => compared.map((c) => jsonReport(o, c)).join("\n");
      ctx.io.out(o.json ? json() : textReport(o, compared));
      ctx.exitCode = EXIT[worst(compared.map((c) => c.verdict))];
    });
}

/** expectation for any difference; a finding's own verdict when the model found one. */
function verdictOf(results: readonly Comparison[], findings: readonly Finding[]): Verdict {
  const c = summarize(results);
  const differs = c.mismatch + c.missing + c.extra > 0;
  return worst([...findings.map(findingClass), differs ? "expectation" : "pass"]);
}

/**
 * The driver's notes, then per recording its hunks, findings, replay command (if it failed) and
 * summary, which is the last line; several recordings each start with `== <file> ==`.
 */
function textReport(o: RealkernelOptions, compared: readonly Compared[]): string {
  const lines: string[] = [];
  if (o.driver !== RECORDED_DRIVER) {
    lines.push(`driver ${o.driver} (the recording is of ${RECORDED_DRIVER}): ` +
      replayDriver(o.driver).notes);
  }
  for (const c of compared) {
    if (compared.length > 1) lines.push(`== ${basename(c.path)} ==`);
    lines.push(...formatHunks(c.results, o.all ? { context: Infinity } : {}));
    lines.push(...findingLines(c.findings));
    if (c.verdict !== "pass") lines.push(`replay: ${replayCommand(o, c.path)}`);
    lines.push(formatSummary(c.results));
  }
  return lines.join("\n");
}

/**
 * The command that runs the comparison with `path` again (the replay is seeded and
 * FIFO-scheduled): `--fixture` unless it is a default recording.
 */
function replayCommand(o: RealkernelOptions, path: string): string {
  const fixture = o.fixture === undefined ? "" : ` --fixture ${shellQuote(path)}`;
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

function jsonReport(o: RealkernelOptions, c: Compared): string {
  return jsonText({
    fixture: c.path,
    kernel: c.fixture.kernel,
    driver: o.driver,
    model: replayDriver(o.driver).model,
    verdict: c.verdict,
    summary: summarize(c.results),
    findings: c.findings.map((f) => ({ class: findingClass(f), summary: findingSummary(f) })),
    results: o.all ? c.results : c.results.filter((r) => r.verdict !== "match"),
  });
}

/** Bytes of a recording: reading stops there (the Linux 6.12 ones are 68 and 102 KiB). */
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
