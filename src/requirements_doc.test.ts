/**
 * docs/requirements.md is complete: every requirement R1-R97 and discrepancy D1-D9 has one
 * anchor (`<a id="r38"></a>`), one status from the page's vocabulary, and every test file,
 * scenario or source file it names exists. A status "not yet modelled" names its issue; "out
 * of scope" gives a reason; "covered" names a test or a scenario.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const REQUIREMENTS = 97;
const DISCREPANCIES = 9;
const STATUSES = [
  "covered", "partly covered", "modelled, not tested", "not yet modelled", "out of scope",
];

/** The ids the page must have, in order: r1..r97, d1..d9. */
const EXPECTED_IDS = [
  ...Array.from({ length: REQUIREMENTS }, (_, i) => `r${i + 1}`),
  ...Array.from({ length: DISCREPANCIES }, (_, i) => `d${i + 1}`),
];

/** An entry's status: the bullet's text, with its continuation lines. */
const STATUS_LINE = /^- \*\*Status:\*\* (.+(?:\n {2}.+)*)/m;
/** A file of the repository named in backticks. */
const NAMED_PATH = /`((?:src|scenarios|docs|fixtures|conformance)\/[\w./-]+)`/g;

interface Entry {
  readonly id: string;
  /** The text the entry owns: up to the next anchor (a requirement) or its table row (a D). */
  readonly text: string;
  /** Its status text, from the status word on; null if it has none. */
  readonly status: string | null;
}

/** Splits the page at its anchors and finds each entry's status. */
function entries(md: string): Entry[] {
  const anchor = /<a id="([a-z]+\d+)"><\/a>/g;
  const found = [...md.matchAll(anchor)];
  return found.map((m, i) => {
    const id = m[1]!;
    const end = found[i + 1]?.index ?? md.length;
    const from = m.index;
    if (id.startsWith("d")) {
      const lineEnd = md.indexOf("\n", from);
      const row = md.slice(from, lineEnd === -1 ? md.length : lineEnd);
      const cells = row.split("|").map((c) => c.trim()).filter((c) => c !== "");
      return { id, text: row, status: cells.length >= 7 ? cells.at(-1)! : null };
    }
    const text = md.slice(from, end);
    const status = STATUS_LINE.exec(text)?.[1]?.replace(/\n {2}/g, " ") ?? null;
    return { id, text, status };
  });
}

/** Every problem of the page, one line each, naming the id. */
function requirementProblems(md: string, exists: (path: string) => boolean): string[] {
  const problems: string[] = [];
  const all = entries(md);
  const seen = new Map<string, number>();
  for (const e of all) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  for (const id of EXPECTED_IDS) {
    const n = seen.get(id) ?? 0;
    if (n === 0) problems.push(`${id.toUpperCase()}: missing (no <a id="${id}"></a>)`);
    if (n > 1) problems.push(`${id.toUpperCase()}: ${n} anchors, one expected`);
  }
  for (const id of seen.keys()) {
    if (!EXPECTED_IDS.includes(id)) {
      problems.push(`${id}: an anchor that is no requirement or discrepancy`);
    }
  }
  for (const e of all) problems.push(...entryProblems(e, exists));
  return problems;
}

function entryProblems(e: Entry, exists: (path: string) => boolean): string[] {
  const name = e.id.toUpperCase();
  const out: string[] = [];
  if (e.id.startsWith("r") && !new RegExp(`^### ${name} `, "m").test(e.text)) {
    out.push(`${name}: the anchor is not followed by its heading "### ${name} ..."`);
  }
  const kind = e.status === null ? undefined : STATUSES.find((s) => e.status!.startsWith(s));
  if (e.status === null || kind === undefined) {
    out.push(`${name}: no status (one of: ${STATUSES.join(", ")})`);
    return out;
  }
  const paths = [...e.text.matchAll(NAMED_PATH)].map((m) => m[1]!);
  for (const p of paths) if (!exists(p)) out.push(`${name}: names ${p}, which does not exist`);
  const evidence = paths.filter((p) => p.endsWith(".test.ts") || p.startsWith("scenarios/"));
  if ((kind === "covered" || kind === "partly covered") && evidence.length === 0) {
    out.push(`${name}: "${kind}" names no test file or scenario`);
  }
  if (kind === "not yet modelled" && !/\bissue \d+/.test(e.status)) {
    out.push(`${name}: "not yet modelled" names no issue`);
  }
  if (kind === "out of scope" && e.status.length < "out of scope".length + 12) {
    out.push(`${name}: "out of scope" gives no reason`);
  }
  return out;
}

const onDisk = (p: string): boolean => existsSync(join(ROOT, p));

test("docs/requirements.md has every R1-R97 and D1-D9 once, each with a status whose files exist", () => {
  const md = readFileSync(join(ROOT, "docs/requirements.md"), "utf8");
  assert.deepEqual(requirementProblems(md, onDisk), []);
});

test("the check finds a missing id, a duplicate, no status, a gap without issue or reason, a bad path", () => {
  const covered = "covered by `src/layers.test.ts`";
  const entry = (n: number, status: string): string =>
    `<a id="r${n}"></a>\n### R${n} [IMPL] x\n\n- **Observed:** y\n- **Status:** ${status}\n\n`;
  const row = (n: number): string => `| <a id="d${n}"></a>D${n} | a | b | c | d | e | ${covered} |`;
  const body = Array.from({ length: REQUIREMENTS }, (_, i) => i + 1)
    .filter((n) => n !== 2)
    .map((n) => entry(n, covered))
    .join("");
  const bad = body
    .replace(`- **Status:** ${covered}\n\n<a id="r4">`, '\n<a id="r4">')
    .replace(entry(5, covered), entry(5, "not yet modelled: later"))
    .replace(entry(6, covered), entry(6, "covered by `src/nope.test.ts`"))
    .replace(entry(8, covered), entry(8, "out of scope"))
    + entry(7, "out of scope: nothing in Linux does it")
    + Array.from({ length: DISCREPANCIES }, (_, i) => row(i + 1)).join("\n") + "\n";
  assert.deepEqual(requirementProblems(bad, onDisk), [
    'R2: missing (no <a id="r2"></a>)',
    "R7: 2 anchors, one expected",
    `R3: no status (one of: ${STATUSES.join(", ")})`,
    'R5: "not yet modelled" names no issue',
    "R6: names src/nope.test.ts, which does not exist",
    'R8: "out of scope" gives no reason',
  ]);
});
