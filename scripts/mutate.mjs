// @ts-check
/**
 * `npm run mutate [-- TARGET...]`: mutation testing of src/kernel, src/drm and src/base with
 * StrykerJS (stryker.config.mjs), a folder at a time, with the score of each (docs/quality.md).
 *
 * A TARGET is a folder (`kernel`, `drm`, `base`; all three when none is given) or one file of a
 * folder (`kernel/sim.ts`), which mutates that file only, against its folder's test files. The
 * script builds dist/ once, runs Stryker on the compiled JavaScript of each target, and for each
 * writes reports/mutation/<target>.json and .html (Stryker's reports), <target>.survivors.txt (the
 * mutants no test killed, at their TypeScript line through dist/'s source maps) and a line in
 * reports/mutation/scores.jsonl; it prints a table of the scores and the time each target took.
 * Not part of CI: a full run takes tens of minutes.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { loadavg } from "node:os";
import { Stryker } from "@stryker-mutator/core";
import config from "../stryker.config.mjs";
import { SUITE_NAMES, SUITES, suiteFiles } from "./test_suites.mjs";

/*
 * A suite (scripts/test_suites.mjs) is every test file of one folder, run in one process:
 * node's start and the model's module loading cost more than most test files, and Stryker runs
 * a process per test file it is given. With per-test coverage a mutant runs only the suites
 * that execute its code, and stops at the first failing test.
 */
const SUITES_DIR = "dist/_mutate";
const REPORTS = "reports/mutation";

/**
 * A folder (`drm`), one file of it (`drm/auth.ts`) or several files of it in one Stryker run
 * (`drm/idr.ts,vma_offset.ts`: one start-up and initial test run for the group).
 * @param {string} arg
 * @returns {{ name: string, folder: keyof typeof SUITES, mutate: string[] }}
 */
function parseTarget(arg) {
  const m = /^(?:src\/)?(kernel|drm|base)(?:\/([\w.,-]+))?$/.exec(arg);
  const files = m?.[2]?.split(",").map((f) => /^([\w-]+?)(?:\.ts|\.js)?$/.exec(f)?.[1]);
  if (m === null || files?.some((f) => f === undefined)) {
    throw new Error(`Cannot mutate "${arg}": name kernel, drm or base, a file such as kernel/sim.ts, ` +
      "or files of one folder such as drm/idr.ts,prime.ts");
  }
  const folder = /** @type {keyof typeof SUITES} */ (m[1]);
  if (files === undefined) {
    return { name: folder, folder, mutate: [`dist/${folder}/*.js`, "!dist/**/*.test.js", "!dist/**/_*.js"] };
  }
  return { name: `${folder}-${files.join("+")}`, folder, mutate: files.map((f) => `dist/${folder}/${f}.js`) };
}

/**
 * Writes dist/_mutate/<suite>.suite.js, which imports every test file of the suite (a name
 * `node --test dist/` does not pick up; the next build removes them).
 */
function writeSuites() {
  mkdirSync(SUITES_DIR, { recursive: true });
  for (const suite of SUITE_NAMES) {
    const lines = suiteFiles(suite).map((f) => `import "../${suite}/${f}";`);
    writeFileSync(`${SUITES_DIR}/${suite}.suite.js`, `// Written by scripts/mutate.mjs.\n${lines.join("\n")}\n`);
  }
}

/** @param {{ status: string }[]} mutants */
function count(mutants) {
  /** @type {Record<string, number>} */
  const by = {};
  for (const m of mutants) by[m.status] = (by[m.status] ?? 0) + 1;
  const killed = by["Killed"] ?? 0;
  const timeout = by["Timeout"] ?? 0;
  const survived = by["Survived"] ?? 0;
  const noCoverage = by["NoCoverage"] ?? 0;
  const errors = (by["RuntimeError"] ?? 0) + (by["CompileError"] ?? 0);
  const ignored = by["Ignored"] ?? 0;
  const valid = killed + timeout + survived + noCoverage;
  const score = valid === 0 ? 100 : (100 * (killed + timeout)) / valid;
  return { total: mutants.length, killed, timeout, survived, noCoverage, errors, ignored, score };
}

/**
 * The TypeScript line of a line of compiled JavaScript, through the source map tsc wrote.
 * @param {string} jsFile
 */
function sourceMapper(jsFile) {
  const map = new SourceMap(JSON.parse(readFileSync(`${jsFile}.map`, "utf8")));
  const tsFile = jsFile.replace(/^dist\//, "src/").replace(/\.js$/, ".ts");
  /** @param {{ line: number, column: number }} at 1-based line and column */
  return (at) => {
    const entry = /** @type {{ originalLine?: number }} */ (map.findEntry(at.line - 1, at.column - 1));
    return entry.originalLine === undefined ? `${jsFile}:${at.line}` : `${tsFile}:${entry.originalLine + 1}`;
  };
}

/**
 * The mutants no test killed, one paragraph each: the TypeScript line, the status, the mutator,
 * the JavaScript line and what replaced what.
 * @param {any} report Stryker's mutation-testing-report-schema JSON
 */
function survivors(report) {
  const out = [];
  for (const [jsFile, file] of Object.entries(report.files)) {
    const at = sourceMapper(jsFile);
    const lines = /** @type {string} */ (file.source).split("\n");
    for (const m of file.mutants) {
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const { start, end } = m.location;
      const span = lines.slice(start.line - 1, end.line);
      span[span.length - 1] = span.at(-1)?.slice(0, end.column - 1) ?? "";
      span[0] = span[0]?.slice(start.column - 1) ?? "";
      out.push(`${at(start)} ${m.status} ${m.mutatorName} (${jsFile}:${start.line}:${start.column})\n` +
        `  in: ${lines[start.line - 1]?.trim()}\n  - ${oneLine(span.join("\n"))}\n  + ${oneLine(m.replacement)}\n`);
    }
  }
  return out.join("\n");
}

/** @param {string} text */
function oneLine(text) {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

/** The commit dist/ was built from, with `+` when the work tree had changes. */
function commitBuilt() {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" });
    return dirty.trim() === "" ? head : `${head}+`;
  } catch {
    return "unknown";
  }
}

/**
 * @param {ReturnType<typeof parseTarget>} target
 * @param {{ commit: string, concurrency: number | undefined }} run
 */
async function mutateTarget(target, run) {
  const startedMs = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  await new Stryker({
    ...config,
    ...(run.concurrency === undefined ? {} : { concurrency: run.concurrency }),
    mutate: target.mutate,
    tap: { ...config.tap, testFiles: SUITES[target.folder].map((s) => `${SUITES_DIR}/${s}.suite.js`) },
    jsonReporter: { fileName: `${REPORTS}/${target.name}.json` },
    htmlReporter: { fileName: `${REPORTS}/${target.name}.html` },
  }).runMutationTest();
  const seconds = Math.round((performance.now() - startedMs) / 1000);
  const report = JSON.parse(readFileSync(`${REPORTS}/${target.name}.json`, "utf8"));
  const mutants = Object.values(report.files).flatMap((f) => f.mutants);
  writeFileSync(`${REPORTS}/${target.name}.survivors.txt`, survivors(report));
  const load = Math.round(((loadBefore + (loadavg()[0] ?? 0)) / 2) * 10) / 10;
  const date = new Date().toISOString();
  const row = { target: target.name, date, commit: run.commit, load, seconds, ...count(mutants) };
  const lines = [row];
  // A line per file too when the run mutated several, which scripts/mutation_scores.mjs sums.
  const files = Object.entries(report.files);
  if (files.length > 1) {
    for (const [jsFile, file] of files) {
      const name = jsFile.replace(/^dist\/(\w+)\/(.*)\.js$/, "$1-$2");
      lines.push({ target: name, date, commit: run.commit, load, seconds: 0, via: target.name, ...count(file.mutants) });
    }
  }
  appendFileSync(`${REPORTS}/scores.jsonl`, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  return row;
}

/** @param {Awaited<ReturnType<typeof mutateTarget>>[]} rows */
function printTable(rows) {
  const head = "target           score  killed timeout survived no-cov errors ignored  total  time";
  console.log(`\n${head}`);
  for (const r of rows) {
    const cols = [r.killed, r.timeout, r.survived, r.noCoverage, r.errors, r.ignored, r.total].map((n) => String(n).padStart(6));
    const time = `${Math.floor(r.seconds / 60)}m${String(r.seconds % 60).padStart(2, "0")}s`;
    console.log(`${r.target.padEnd(15)} ${r.score.toFixed(1).padStart(6)}% ${cols.join(" ")}  ${time}`);
  }
  console.log(`\nsurvivors: ${REPORTS}/<target>.survivors.txt; scores: ${REPORTS}/scores.jsonl`);
}

/**
 * `--concurrency N` (Stryker's test processes at once; the config's when absent) and the targets.
 * @param {string[]} args
 */
function parseArgs(args) {
  let concurrency;
  const names = [];
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    const m = /^--concurrency(?:=(.*))?$/.exec(arg);
    if (m === null) {
      names.push(arg);
      continue;
    }
    const value = m[1] ?? args[++i];
    concurrency = Number(value);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`--concurrency takes a whole number of processes of at least 1, not "${value ?? ""}"`);
    }
  }
  return { concurrency, targets: (names.length === 0 ? ["kernel", "drm", "base"] : names).map(parseTarget) };
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`mutate: ${/** @type {Error} */ (err).message}`);
    return 2;
  }
  const { targets, concurrency } = parsed;
  execFileSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });
  writeSuites();
  mkdirSync(REPORTS, { recursive: true });
  const run = { commit: commitBuilt(), concurrency };
  const rows = [];
  for (const target of targets) rows.push(await mutateTarget(target, run));
  printTable(rows);
  return 0;
}

process.exitCode = await main();
