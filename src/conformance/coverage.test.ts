/**
 * Every requirement of docs/requirements.md is checked by a conformance case or says why not:
 * its `**Conformance:**` bullet names the cases of conformance/ that check it (and exactly
 * those: a case names its requirements in its `conformance:` key), or is `out of scope: ...`
 * with a reason.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadCases } from "./plan.js";
import { CASE_DIR } from "./suite.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REQUIREMENTS = 97;
const BULLET = /^- \*\*Conformance:\*\* (.+(?:\n {2}.+)*)/m;
const CASE_NAMED = /`conformance\/([\w-]+)\.yaml`/g;

/** Each requirement's conformance text, by id (R1..R97); null when it has no bullet. */
function bullets(md: string): Map<string, string | null> {
  const found = [...md.matchAll(/<a id="r(\d+)"><\/a>/g)];
  return new Map(found.map((m, i) => {
    const text = md.slice(m.index, found[i + 1]?.index ?? md.indexOf("## Discrepancies"));
    return [`R${m[1]}`, BULLET.exec(text)?.[1]?.replace(/\n {2}/g, " ") ?? null];
  }));
}

/** Every disagreement between the page and the cases, one line each. */
export function coverageProblems(md: string, checks: ReadonlyMap<string, readonly string[]>): string[] {
  const problems: string[] = [];
  const page = bullets(md);
  for (let n = 1; n <= REQUIREMENTS; n++) {
    const id = `R${n}`;
    const text = page.get(id);
    const cases = [...(checks.get(id) ?? [])].sort();
    if (text === undefined || text === null) {
      problems.push(`${id}: no **Conformance:** bullet (name its cases, or say out of scope: and why)`);
      continue;
    }
    const named = [...text.matchAll(CASE_NAMED)].map((m) => m[1]!).sort();
    if (named.length > 0 || cases.length > 0) {
      if (named.join() !== cases.join()) {
        problems.push(`${id}: the page names ${named.join(", ") || "no case"}, but the cases that check it are ${cases.join(", ") || "none"}`);
      }
    } else if (!/^out of scope[^:]*: .{10,}/.test(text)) {
      problems.push(`${id}: no case checks it, and it is not marked "out of scope: <reason>" (${text})`);
    }
  }
  for (const id of checks.keys()) {
    if (!page.has(id)) problems.push(`${id}: a case checks it, but docs/requirements.md has no such requirement`);
  }
  return problems;
}

function caseChecks(): Map<string, string[]> {
  const loaded = loadCases(CASE_DIR);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.errors.join("\n"));
  const checks = new Map<string, string[]>();
  for (const c of loaded.cases) for (const r of c.requirements) checks.set(r, [...(checks.get(r) ?? []), c.id]);
  return checks;
}

test("every requirement is checked by the conformance cases docs/requirements.md names, or is out of scope with a reason", () => {
  const md = readFileSync(join(ROOT, "docs/requirements.md"), "utf8");
  assert.deepEqual(coverageProblems(md, caseChecks()), []);
});

test("the check fails for a missing bullet, a case the page does not name, and a bare out of scope", () => {
  const md = [
    '<a id="r1"></a>\n- **Status:** covered.\n',
    '<a id="r2"></a>\n- **Conformance:** `conformance/r2-a.yaml`.\n',
    '<a id="r3"></a>\n- **Conformance:** out of scope.\n',
  ].join("\n");
  const problems = coverageProblems(md, new Map([["R2", ["r2-a", "r2-b"]]]));
  assert.deepEqual(problems.slice(0, 3), [
    "R1: no **Conformance:** bullet (name its cases, or say out of scope: and why)",
    "R2: the page names r2-a, but the cases that check it are r2-a, r2-b",
    'R3: no case checks it, and it is not marked "out of scope: <reason>" (out of scope.)',
  ]);
});
