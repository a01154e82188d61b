// @ts-check
/**
 * `npm run mutate:scores [-- FOLDER...] [--markdown]`: the mutation score of a folder (kernel,
 * drm, base; drm when none is given) as the sum of its files' latest scores (docs/quality.md).
 *
 * `npm run mutate` appends a line per target, and per file when a run mutated several, to
 * reports/mutation/scores.jsonl. This script takes, for each source file of the folder (not the
 * tests, not the `_*.ts` helpers), the latest line of that file, adds up the mutants of every
 * kind, and prints a row per file and the folder row: (killed + timeout) / (killed + timeout +
 * survived + no coverage) over the sums. Files with no line are named; the folder score then
 * covers only the files measured. Each row names the commit its run built and the load then.
 */
import { readdirSync, readFileSync } from "node:fs";

const SCORES = "reports/mutation/scores.jsonl";
const KINDS = /** @type {const} */ (["killed", "timeout", "survived", "noCoverage", "errors", "ignored", "total"]);

/**
 * @typedef {{ target: string, date: string, commit?: string, load?: number, via?: string }
 *   & Record<typeof KINDS[number], number>} Row
 */

/** @returns {Row[]} every line of scores.jsonl, in the order written */
function readRows() {
  let text;
  try {
    text = readFileSync(SCORES, "utf8");
  } catch {
    throw new Error(`no scores yet: ${SCORES} is missing (run npm run mutate first)`);
  }
  return text.split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    try {
      return [/** @type {Row} */ (JSON.parse(line))];
    } catch {
      throw new Error(`${SCORES}:${i + 1}: not a JSON line`);
    }
  });
}

/** @param {Pick<Row, "killed" | "timeout" | "survived" | "noCoverage">} r */
function score(r) {
  const valid = r.killed + r.timeout + r.survived + r.noCoverage;
  return valid === 0 ? 100 : (100 * (r.killed + r.timeout)) / valid;
}

/**
 * The latest row of each source file of the folder, and the files with none.
 * @param {string} folder
 * @param {Row[]} rows
 */
export function folderRows(folder, rows) {
  const files = readdirSync(`src/${folder}`)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.startsWith("_"))
    .map((f) => f.slice(0, -3))
    .sort();
  /** @type {Map<string, Row>} */
  const latest = new Map();
  for (const r of rows) latest.set(r.target, r);
  const measured = files.flatMap((f) => {
    const r = latest.get(`${folder}-${f}`);
    return r === undefined ? [] : [{ file: f, row: r }];
  });
  const missing = files.filter((f) => !latest.has(`${folder}-${f}`));
  /** @type {Record<typeof KINDS[number], number>} */
  const sum = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0, total: 0 };
  for (const { row } of measured) for (const k of KINDS) sum[k] += row[k] ?? 0;
  return { measured, missing, sum };
}

/**
 * @param {string} folder
 * @param {ReturnType<typeof folderRows>} result
 * @param {boolean} markdown
 */
function print(folder, { measured, missing, sum }, markdown) {
  const commits = [...new Set(measured.map((m) => m.row.commit ?? "?"))].join(", ");
  /** @param {string} name @param {Record<typeof KINDS[number], number>} r @param {string} extra */
  const line = (name, r, extra) => {
    const pct = `${score(r).toFixed(1)} %`;
    const counts = KINDS.map((k) => r[k] ?? 0);
    return markdown
      ? `| ${name} | ${pct} | ${counts.join(" | ")} | ${extra} |`
      : `${name.padEnd(24)} ${pct.padStart(8)} ${counts.map((n) => String(n).padStart(6)).join(" ")}  ${extra}`;
  };
  const head = ["file", "score", "killed", "timeout", "survived", "no cov", "errors", "ignored", "total", "run"];
  if (markdown) {
    console.log(`| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|`);
  } else {
    console.log(`${head[0]?.padEnd(24)} ${head.slice(1, -1).map((h) => h.padStart(h === "score" ? 8 : 6)).join(" ")}  run`);
  }
  for (const { file, row } of measured) {
    const run = `${row.commit ?? "?"}, ${row.date.slice(0, 16).replace("T", " ")}, load ${row.load ?? "?"}`;
    console.log(line(`${markdown ? "`" : ""}${folder}/${file}.ts${markdown ? "`" : ""}`, row, run));
  }
  const total = `${folder} (${measured.length} files)`;
  console.log(line(markdown ? `**${total}**` : total, sum, `commits ${commits}`));
  if (missing.length > 0) console.log(`\nnot measured: ${missing.map((f) => `${folder}/${f}.ts`).join(", ")}`);
}

function main() {
  const args = process.argv.slice(2);
  const markdown = args.includes("--markdown");
  const folders = args.filter((a) => a !== "--markdown");
  const bad = folders.find((f) => !/^(kernel|drm|base)$/.test(f));
  if (bad !== undefined) {
    console.error(`mutate:scores: "${bad}" is not a folder scored here: name kernel, drm or base`);
    return 2;
  }
  let rows;
  try {
    rows = readRows();
  } catch (err) {
    console.error(`mutate:scores: ${/** @type {Error} */ (err).message}`);
    return 2;
  }
  for (const folder of folders.length === 0 ? ["drm"] : folders) {
    print(folder, folderRows(folder, rows), markdown);
  }
  return 0;
}

process.exitCode = main();
