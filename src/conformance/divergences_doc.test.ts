/**
 * docs/divergences.md is what `vdrm conformance --diff --markdown` prints for the built-in
 * cases: a change of the model or of a case that changes what a program sees under one
 * profile shows here, and the page is regenerated with the command.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { divergences, formatDiffMarkdown } from "./diff.js";
import { loadCases } from "./plan.js";
import { CASE_DIR } from "./suite.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("docs/divergences.md is up to date", () => {
  const loaded = loadCases(CASE_DIR);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.errors.join("\n"));
  const want = formatDiffMarkdown(divergences(loaded.cases));
  const have = readFileSync(join(ROOT, "docs/divergences.md"), "utf8");
  assert.ok(have === want, "docs/divergences.md is stale; regenerate it with\n" +
    "  npm run build && node dist/cli/main.js conformance --diff --markdown > docs/divergences.md");
});

test("the diff shows what a program sees under each profile: open() of a gone device (D1)", () => {
  const loaded = loadCases(CASE_DIR);
  assert.ok(loaded.ok);
  const r35 = loaded.cases.filter((c) => c.id === "r35-open-gone-enodev");
  const [d] = divergences(r35);
  assert.deepEqual(d?.steps, [["app#7 open /dev/stale-card", "-1 ENODEV", "-1 ENXIO"]]);
  assert.deepEqual(d?.verdicts, ["pass", "expectation"]);
});
