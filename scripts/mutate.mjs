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
 *
 * `--survivors` re-runs only the mutants a target's last report left alive (Survived or No
 * coverage), after new tests: see recheckTarget().
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
 * One Stryker run over `mutate` (globs or ranges) with the target's folder suites, its JSON
 * report written to `jsonFile` (and HTML next to it unless `html` is false).
 * @param {ReturnType<typeof parseTarget>} target
 * @param {string[]} mutate
 * @param {{ concurrency: number | undefined }} run
 * @param {{ jsonFile: string, html: boolean }} out
 */
async function runStryker(target, mutate, run, out) {
  const reporters = config.reporters?.filter((r) => out.html || r !== "html");
  await new Stryker({
    ...config,
    ...(run.concurrency === undefined ? {} : { concurrency: run.concurrency }),
    ...(reporters === undefined ? {} : { reporters }),
    mutate,
    tap: { ...config.tap, testFiles: SUITES[target.folder].map((s) => `${SUITES_DIR}/${s}.suite.js`) },
    jsonReporter: { fileName: out.jsonFile },
    htmlReporter: { fileName: out.jsonFile.replace(/\.json$/, ".html") },
  }).runMutationTest();
  return JSON.parse(readFileSync(out.jsonFile, "utf8"));
}

/**
 * @param {ReturnType<typeof parseTarget>} target
 * @param {{ commit: string, concurrency: number | undefined }} run
 */
async function mutateTarget(target, run) {
  const startedMs = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const report = await runStryker(target, target.mutate, run, { jsonFile: `${REPORTS}/${target.name}.json`, html: true });
  return recordRun(target, report, { ...run, startedMs, loadBefore, extra: {} });
}

/**
 * Writes the survivors of `report` and its lines in scores.jsonl: one for the target, and one per
 * file when the run mutated several (scripts/mutation_scores.mjs sums those).
 * @param {ReturnType<typeof parseTarget>} target
 * @param {any} report
 * @param {{ commit: string, startedMs: number, loadBefore: number, extra: Record<string, string> }} run
 */
function recordRun(target, report, run) {
  const seconds = Math.round((performance.now() - run.startedMs) / 1000);
  const mutants = Object.values(report.files).flatMap((f) => f.mutants);
  writeFileSync(`${REPORTS}/${target.name}.survivors.txt`, survivors(report));
  const load = Math.round(((run.loadBefore + (loadavg()[0] ?? 0)) / 2) * 10) / 10;
  const date = new Date().toISOString();
  const row = { target: target.name, date, commit: run.commit, load, seconds, ...run.extra, ...count(mutants) };
  /** @type {Record<string, unknown>[]} */
  const lines = [row];
  const files = Object.entries(report.files);
  if (files.length > 1) {
    for (const [jsFile, file] of files) {
      const name = jsFile.replace(/^dist\/(\w+)\/(.*)\.js$/, "$1-$2");
      lines.push({ target: name, date, commit: run.commit, load, seconds: 0, via: target.name, ...run.extra, ...count(file.mutants) });
    }
  }
  appendFileSync(`${REPORTS}/scores.jsonl`, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  return row;
}

/**
 * The commit of the target's last line in scores.jsonl: the run whose survivors a re-run takes.
 * @param {string} name
 */
function lastCommit(name) {
  const file = `${REPORTS}/scores.jsonl`;
  const rows = existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [];
  return rows.filter((r) => r.target === name).at(-1)?.commit ?? "unknown";
}

/** @param {{ status: string }} m */
const alive = (m) => m.status === "Survived" || m.status === "NoCoverage";

/** @param {{ mutatorName: string, replacement: string, location: any }} m */
const mutantKey = (m) => JSON.stringify([m.mutatorName, m.replacement, m.location]);

/**
 * `--survivors`: re-runs only the mutants the target's last report (reports/mutation/<target>.json)
 * left alive, against today's tests, and writes that report back with their new status. A
 * mutant killed before stays killed when tests are only added, so the merged report is what a
 * full run would find; the code under test must be the same, so a file whose compiled source
 * differs from the report's is refused (run it whole). Stryker gets one line range per survivor;
 * mutants of those lines that were killed before run again and are ignored.
 * @param {ReturnType<typeof parseTarget>} target
 * @param {{ commit: string, concurrency: number | undefined }} run
 */
async function recheckTarget(target, run) {
  const startedMs = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const reportFile = `${REPORTS}/${target.name}.json`;
  if (!existsSync(reportFile)) {
    throw new Error(`--survivors needs ${reportFile}, the report of a full run of ${target.name}; run it without --survivors first`);
  }
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const ranges = [];
  for (const [jsFile, file] of Object.entries(report.files)) {
    if (readFileSync(jsFile, "utf8") !== file.source) {
      throw new Error(`${jsFile} is not the code ${reportFile} mutated (its source changed): run ${target.name} without --survivors`);
    }
    for (const m of file.mutants.filter(alive)) ranges.push(`${jsFile}:${m.location.start.line}-${m.location.end.line}`);
  }
  const before = Object.values(report.files).flatMap((f) => f.mutants);
  if (ranges.length > 0) {
    const jsonFile = `${REPORTS}/${target.name}.recheck.json`;
    const again = await runStryker(target, [...new Set(ranges)], run, { jsonFile, html: false });
    const status = new Map(Object.values(again.files).flatMap((f) => f.mutants).map((m) => [mutantKey(m), m]));
    for (const m of before.filter(alive)) {
      const now = status.get(mutantKey(m));
      if (now === undefined) throw new Error(`the re-run lost a mutant of ${target.name}: ${mutantKey(m)}; run it without --survivors`);
      Object.assign(m, { status: now.status, killedBy: now.killedBy, coveredBy: now.coveredBy, statusReason: now.statusReason });
    }
    writeFileSync(reportFile, JSON.stringify(report));
    rmSync(jsonFile, { force: true });
  }
  return recordRun(target, report, { ...run, startedMs, loadBefore, extra: { survivorsOf: lastCommit(target.name) } });
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
 * `--concurrency N` (Stryker's test processes at once; the config's when absent), `--survivors`
 * (re-run only the mutants the targets' last reports left alive) and the targets.
 * @param {string[]} args
 */
function parseArgs(args) {
  let concurrency;
  let survivorsOnly = false;
  const names = [];
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === "--survivors") {
      survivorsOnly = true;
      continue;
    }
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
  if (survivorsOnly && names.length === 0) throw new Error("--survivors re-runs named targets only, such as drm/kms_state.ts,kms_vblank.ts");
  return { concurrency, survivorsOnly, targets: (names.length === 0 ? ["kernel", "drm", "base"] : names).map(parseTarget) };
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`mutate: ${/** @type {Error} */ (err).message}`);
    return 2;
  }
  const { targets, concurrency, survivorsOnly } = parsed;
  execFileSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });
  writeSuites();
  mkdirSync(REPORTS, { recursive: true });
  const run = { commit: commitBuilt(), concurrency };
  const rows = [];
  try {
    for (const target of targets) rows.push(await (survivorsOnly ? recheckTarget : mutateTarget)(target, run));
  } catch (err) {
    if (rows.length > 0) printTable(rows);
    console.error(`mutate: ${/** @type {Error} */ (err).message}`);
    return 2;
  }
  printTable(rows);
  return 0;
}

process.exitCode = await main();
