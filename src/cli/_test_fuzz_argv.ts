/**
 * @internal Argument vectors for the CLI fuzz test: the real subcommands and options with good
 * and bad values (unknown and misspelt flags, missing values, bad seeds, kernels, profiles,
 * budgets, replay tokens (good, mangled, or well-formed with an unknown profile or kernel) and
 * --check-footprints), scenario files that are edited built-in scenarios or random
 * documents or not scenarios at all, fixtures, and output paths that are new, empty, a
 * directory, under /proc or /sys, /dev/full, too long or under a file.
 *
 * A case is a plan: files and paths are made in a fresh directory when it runs (see
 * materialize()). Every `run` gets a small `--max-steps` and every `igt` a `--seed`, so each
 * case ends quickly and replays; `demo` always has an option it refuses before running.
 */
import fc from "fast-check";
import { KERNEL_VERSIONS, PROFILE_NAMES } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { rarely } from "../scenario/_test_fuzz_snippet.js";
import { encodeReplayToken, type ReplayToken } from "../scenario/mod.js";
import { SUBTESTS } from "../userspace/mod.js";
import {
  FIXTURE_FILE, LOADABLE_FILE, OUT, REFUSED_OUT, SCENARIO_FILE, type Arg, type FileArg,
  type OutKind,
} from "./_test_fuzz_files.js";

export type { Arg, FileArg, OutKind } from "./_test_fuzz_files.js";

const FLAGS = [
  "--seed", "--profile", "--kernel", "--max-steps", "--json", "--trace", "--html", "--replay",
  "--print-replay", "--debug", "--driver", "--fixture", "--all", "--markdown", "--help",
  "--version", "--check-footprints",
];
const COMMANDS = ["run", "ops", "variants", "demo", "igt", "realkernel", "help"];

/** One edit away from a real flag or subcommand, and never a real one. */
function nearMiss(words: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...words), fc.nat(),
      fc.constantFrom("drop", "double", "upper", "s", "x"))
    .map(([w, n, how]) => {
      const i = n % w.length;
      if (how === "drop") return w.slice(0, i) + w.slice(i + 1);
      if (how === "double") return w.slice(0, i) + w[i]! + w.slice(i);
      if (how === "upper") return w.slice(0, i) + w[i]!.toUpperCase() + w.slice(i + 1);
      return how === "s" ? `${w}s` : `${w}=`;
    })
    .filter((w) => !words.includes(w) && !FLAGS.includes(w) && !COMMANDS.includes(w));
}

const UNKNOWN_FLAG = fc.oneof(
  nearMiss(FLAGS),
  fc.constantFrom("-x", "---seed", "--no-json", "-", "--seed==1", "--\x1b[31m", "--x\ny"),
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 8 }).map((s) => `--${s}`),
);

/** Mostly a good value (3 in 4), else a bad one. */
function goodOrBad(good: readonly string[], bad: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) });
}

const SEED = goodOrBad(["0", "1", "7", "42", "4294967295", "9007199254740991"], ["-1", "1.5",
  "abc", "", "0x10", "1e3", "9007199254740993", " 7", "\u0663", "7\n", "\x1b"]);
const PROFILE = goodOrBad(PROFILE_NAMES, ["Mainline", "uapi", "", "main\x1bline"]);
const KERNEL = goodOrBad(KERNEL_VERSIONS, ["6", "6.10.1", "latest", "", "7.1 ", "v6.12"]);
const BAD_COUNT = fc.constantFrom("0", "-1", "abc", "", "1e3", "1.5", "99999999999999999999",
  "0x10", "\r");
const DRIVER = goodOrBad([...DRIVERS.keys()], ["vdisp_devm", "bochs", "", "VDISP"]);
const SUBTEST = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...SUBTESTS) },
  { weight: 1, arbitrary: nearMiss(SUBTESTS) },
  { weight: 1, arbitrary: fc.constantFrom("", "all", "unplug-rescan\n") });

const GOOD_TOKEN = fc
  .record({
    seed: fc.nat(),
    profile: fc.constantFrom(...PROFILE_NAMES),
    kernel: fc.constantFrom(...KERNEL_VERSIONS),
    decisions: fc.array(fc.nat({ max: 4 }), { maxLength: 60 }),
  })
  .map(encodeReplayToken);

/** A token vdrm could have written but did not: an unknown profile or kernel, huge numbers. */
const CRAFTED_TOKEN = fc
  .record({
    seed: fc.constantFrom(0, 2 ** 32, 2 ** 53 - 1),
    profile: fc.constantFrom(...PROFILE_NAMES, "Mainline", "", "x\u001b"),
    kernel: fc.constantFrom(...KERNEL_VERSIONS, "6.10.1", "", "latest"),
    decisions: fc.array(fc.oneof(fc.nat({ max: 4 }), fc.constantFrom(2 ** 31 - 1, 1000)),
      { maxLength: 20 }),
  })
  // The point is a token with a profile or kernel the type does not allow.
  .map((t) => encodeReplayToken(t as unknown as ReplayToken));

const TOKEN = fc.oneof(
  { weight: 2, arbitrary: GOOD_TOKEN },
  { weight: 1, arbitrary: CRAFTED_TOKEN },
  { weight: 1, arbitrary: fc.tuple(GOOD_TOKEN, fc.nat(), fc.string({ unit: "binary-ascii",
    maxLength: 2 })).map(([t, n, s]) =>
    t.slice(0, n % (t.length + 1)) + s + t.slice((n % (t.length + 1)) + 1)) },
  { weight: 1, arbitrary: fc.constantFrom("", "v1.", "v2.AAAA", "v1.!!!!", "garbage",
    `v1.${"A".repeat(5000)}`, "v1.\n") },
);

type Group = readonly Arg[];

/** `--flag value` or `--flag=value`. */
const pair = (flag: string, v: fc.Arbitrary<string>): fc.Arbitrary<Group> =>
  fc.oneof({ weight: 4, arbitrary: v.map((x) => [flag, x]) },
    { weight: 1, arbitrary: v.map((x) => [`${flag}=${x}`]) });

const outPath = (flag: string): fc.Arbitrary<Group> => OUT.map((o) => [flag, o]);

const COMMON_BAD: fc.Arbitrary<Group> = fc.oneof(
  UNKNOWN_FLAG.map((f) => [f]),
  fc.constantFrom(["--debug"], ["--"], ["--help"], ["extra"]),
);

const RUN_OPTION: fc.Arbitrary<Group> = fc.oneof(
  { weight: 2, arbitrary: pair("--seed", SEED) },
  { weight: 1, arbitrary: pair("--profile", PROFILE) },
  { weight: 1, arbitrary: pair("--kernel", KERNEL) },
  { weight: 1, arbitrary: pair("--max-steps", BAD_COUNT) },
  { weight: 4, arbitrary: fc.constantFrom(["--json"], ["--print-replay"],
    ["--check-footprints"]) },
  { weight: 3, arbitrary: outPath("--trace") },
  { weight: 3, arbitrary: outPath("--html") },
  { weight: 1, arbitrary: pair("--replay", TOKEN) },
  { weight: 1, arbitrary: COMMON_BAD },
);

/** Mostly one file (each may be invalid, and one invalid file stops all), or two or three. */
const FILES = fc.oneof(
  { weight: 6, arbitrary: SCENARIO_FILE.map((f) => [f]) },
  { weight: 3, arbitrary: fc.array(SCENARIO_FILE, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant([]) },
);

/** A flag whose value is missing: only ever last, so that it never takes a file as its value. */
const MISSING_VALUE = rarely(fc.constantFrom(["--seed"], ["--trace"], ["--html"],
  ["--replay"], ["--max-steps"], ["--kernel"], ["--driver"], ["--fixture"]), 8);

/** `head`, the groups in any order, then `tail`. */
function ordered(groups: readonly Group[], tail: Group | null,
  head: string[]): fc.Arbitrary<Arg[]> {
  return fc.shuffledSubarray([...groups], { minLength: groups.length })
    .map((gs) => [...head, ...gs.flat(), ...(tail ?? [])]);
}

const RUN_ARGS: fc.Arbitrary<Arg[]> = fc
  .tuple(FILES, fc.array(RUN_OPTION, { maxLength: 4 }),
    fc.integer({ min: 1, max: 1500 }), MISSING_VALUE)
  .chain(([files, options, budget, tail]) => ordered(
    [...files.map((f): Group => [{ file: f }]), ...options, ["--max-steps", String(budget)]],
    tail, ["run"]));

const GOOD_RUN_OPTION: fc.Arbitrary<Group> = fc.oneof(
  fc.constantFrom(...PROFILE_NAMES).map((p) => ["--profile", p]),
  fc.constantFrom(...KERNEL_VERSIONS).map((k) => ["--kernel", k]),
  fc.constantFrom(["--json"], ["--print-replay"], ["--check-footprints"]),
  fc.constantFrom<OutKind[]>("new", "dev-null").chain((out) =>
    fc.constantFrom("--trace", "--html").map((flag): Group => [flag, { out, ext: ".json" }])),
);

/** `run` of one file with good options only: when the file loads, the model runs it. */
export const RUN_CASE: fc.Arbitrary<CliCase> = fc
  .tuple(LOADABLE_FILE, fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 3000 }),
    fc.array(GOOD_RUN_OPTION, { maxLength: 3 }))
  .map(([file, seed, budget, options]) => new CliCase(["run", { file }, "--seed", String(seed),
    "--max-steps", String(budget), ...options.flat()]));

const IGT_OPTION: fc.Arbitrary<Group> = fc.oneof(
  { weight: 3, arbitrary: pair("--driver", DRIVER) },
  { weight: 2, arbitrary: pair("--seed", SEED) },
  { weight: 2, arbitrary: pair("--profile", PROFILE) },
  { weight: 2, arbitrary: pair("--kernel", KERNEL) },
  { weight: 2, arbitrary: outPath("--html") },
  { weight: 1, arbitrary: pair("--replay", TOKEN) },
  { weight: 2, arbitrary: fc.constant(["--print-replay"]) },
  { weight: 1, arbitrary: COMMON_BAD },
);

const IGT_ARGS: fc.Arbitrary<Arg[]> = fc
  .tuple(SUBTEST, fc.array(IGT_OPTION, { maxLength: 4 }), fc.nat({ max: 1000 }), MISSING_VALUE)
  .chain(([subtest, options, seed, tail]) => {
    // A seed of its own unless a token gives one: a case without it would draw one at random.
    const replays = options.some((g) => typeof g[0] === "string" && g[0].startsWith("--replay"));
    const seeded: Group[] = replays ? [] : [["--seed", String(seed)]];
    return ordered([[subtest], ...options, ...seeded], tail, ["igt"]);
  });

const REALKERNEL_ARGS: fc.Arbitrary<Arg[]> = fc
  .tuple(fc.array(fc.oneof(
    { weight: 3, arbitrary: FIXTURE_FILE.map((f): Group => ["--fixture", { file: f }]) },
    { weight: 1, arbitrary: fc.constantFrom(["--all"]) },
    { weight: 1, arbitrary: COMMON_BAD },
  ), { maxLength: 3 }), MISSING_VALUE)
  .chain(([options, tail]) => ordered(options, tail, ["realkernel"]));

/** `demo` with an option it refuses before running (it has no step budget). */
const DEMO_ARGS: fc.Arbitrary<Arg[]> = fc
  .tuple(fc.oneof(
    fc.constantFrom(...REFUSED_OUT).map((out): Group => ["--html", { out, ext: ".html" }]),
    UNKNOWN_FLAG.map((f): Group => [f]),
    fc.constant(["extra"] as Group),
  ), fc.boolean())
  .map(([bad, missing]) => ["demo", ...bad, ...(missing ? ["--html"] : [])]);

const OTHER_ARGS: fc.Arbitrary<Arg[]> = fc.oneof(
  fc.constantFrom<string[][]>([], ["--help"], ["-h"], ["--version"], ["-V"], ["help"], ["--debug"],
    ["ops"], ["variants"], ["variants", "--markdown"], ["ops", "extra"], ["variants", "--json"]),
  fc.constantFrom(...COMMANDS).map((c) => [c, "--help"]),
  fc.constantFrom(...COMMANDS).map((c) => ["help", c]),
  nearMiss(COMMANDS).map((c) => [c]),
  UNKNOWN_FLAG.map((f) => [f]),
  fc.tuple(fc.oneof(UNKNOWN_FLAG, fc.constantFrom("--markdown", "extra", "--")), fc.boolean())
    .map(([x, md]) => ["variants", ...(md ? ["--markdown"] : []), x]),
);

/** A command line for `vdrm`, as a plan. */
export class CliCase {
  constructor(readonly args: readonly Arg[]) {}

  [fc.toStringMethod](): string {
    return `[${this.args.map(shownArg).join(", ")}]`;
  }
}

function shownArg(a: Arg): string {
  if (typeof a === "string") return JSON.stringify(a);
  if ("out" in a) return `<out ${a.out}${a.ext}>`;
  const f = a.file;
  if (f.kind === "text") return `<file${f.oddName ? " (odd name)" : ""} ${fc.stringify(f.text)}>`;
  if (f.kind === "builtin") return `<file ${f.path}>`;
  if (f.kind === "bytes") return `<file of ${f.bytes.length} random bytes>`;
  return `<file ${f.what}>`;
}

export const CLI_CASE: fc.Arbitrary<CliCase> = fc
  .oneof(
    { weight: 12, arbitrary: RUN_ARGS },
    { weight: 3, arbitrary: IGT_ARGS },
    { weight: 2, arbitrary: REALKERNEL_ARGS },
    { weight: 1, arbitrary: DEMO_ARGS },
    { weight: 2, arbitrary: OTHER_ARGS },
  )
  .map((args) => new CliCase(args));

