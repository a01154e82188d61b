/**
 * Exit codes of the vdrm command, read from the verdict table (src/scenario/verdict.ts):
 * 0 pass, 1 expectation, 2 input, 3 memory, 4 hang, 5 leak, 6 warn, 7 blocked, 8 budget,
 * 9 footprint, 70 internal.
 */
import { VERDICTS, verdictsByExitCode, worstVerdict, type Verdict } from "../scenario/mod.js";

export type { Verdict } from "../scenario/mod.js";

export const EXIT = Object.fromEntries(VERDICTS.map((v) => [v.name, v.exit])) as Readonly<
  Record<Verdict, number>
>;

/** When runs fail differently, the exit code names the most serious verdict. */
export function worst(verdicts: Iterable<Verdict>): Verdict {
  return worstVerdict(verdicts);
}

/** The verdicts most serious first, as a sentence (with a line break after the colon). */
export function severityText(lineBreak = " "): string {
  const names = VERDICTS.filter((v) => v.name !== "pass").map((v) => v.name);
  const intro = "With several runs, the exit code is that of the most serious verdict:";
  return `${intro}${lineBreak}${names.join(", ")}.`;
}

/** The exit codes as the help text lists them. */
export function exitCodeHelp(): string {
  const rows = verdictsByExitCode().map((v) =>
    `  ${String(v.exit).padStart(2)}  ${v.name.padEnd(13)}${v.meaning}`);
  return `Exit codes:\n${rows.join("\n")}\n${severityText("\n  ")}`;
}

/** The exit codes as a Markdown table, as README.md and docs/scenarios.md show it. */
export function exitCodeMarkdown(): string {
  const rows = verdictsByExitCode().map((v) => `| ${v.exit} | ${v.name} | ${v.meaning} |`);
  return ["| exit | verdict | meaning |", "|---|---|---|", ...rows, "", severityText()].join("\n");
}
