/**
 * The vdrm command under fuzzing (issue 8), in-process through vdrm(argv, io): argument vectors
 * built from the real subcommands and options with good and bad values, malformed scenario
 * files, fixtures and output paths; and runs of built-in scenarios lightly edited or
 * recombined, which the model runs when they load (with a small --max-steps), each twice to
 * check that it gives the same bytes. For every case: an exit code of the verdict table and
 * never 70, a message for bad input, output without raw control characters or stack traces,
 * nothing run when a scenario file is invalid, and an end within the liveness bound. `npm test` runs its share of 1 000 cases; `npm run fuzz` many
 * more (docs/fuzzing.md).
 */
import { describe, it } from "node:test";
import { runFuzzProperty, skipped, type FuzzProperty } from "../scenario/_test_fuzz.js";
import { CLI_CASE, RUN_CASE, type CliCase } from "./_test_fuzz_argv.js";
import { checkCliCase } from "./_test_fuzz_case.js";

const commandLines: FuzzProperty<CliCase> = {
  id: "cli-argv",
  share: 0.25,
  arbitrary: CLI_CASE,
  check: checkCliCase,
};

const runs: FuzzProperty<CliCase> = {
  id: "cli-runs",
  share: 0.15,
  arbitrary: RUN_CASE,
  check: (c) => checkCliCase(c, { twice: true }),
};

describe("vdrm(argv, io) under fuzzing", () => {
  it("command lines: a documented exit code, clean messages, nothing run for a bad file",
    { skip: skipped(commandLines.id) },
    (t) => runFuzzProperty(commandLines, (l) => t.diagnostic(l)));
  it("runs of edited and recombined scenarios: a verdict, never an internal error, the same " +
    "bytes twice",
    { skip: skipped(runs.id) }, (t) => runFuzzProperty(runs, (l) => t.diagnostic(l)));
});
