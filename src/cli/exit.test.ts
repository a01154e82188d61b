/**
 * The verdict table is the one source of the exit codes: what it says, and that the help
 * text, README.md and docs/scenarios.md say the same.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FINDING_CLASSES } from "../kernel/mod.js";
import { VERDICTS, worstVerdict } from "../scenario/mod.js";
import { ROOT } from "./_test_cli.js";
import { EXIT, exitCodeHelp, exitCodeMarkdown, worst } from "./exit.js";

describe("the verdict table", () => {
  it("gives each verdict the exit code the project decided, each code once", () => {
    assert.deepEqual(EXIT, {
      internal: 70, input: 2, memory: 3, hang: 4, blocked: 7, budget: 8, leak: 5, warn: 6,
      footprint: 9, expectation: 1, pass: 0,
    });
    assert.equal(new Set(VERDICTS.map((v) => v.exit)).size, VERDICTS.length);
  });

  it("has a verdict for every finding class", () => {
    for (const c of FINDING_CLASSES) assert.ok(VERDICTS.some((v) => v.name === c), c);
  });

  it("worst() picks the most serious verdict, and pass for none", () => {
    assert.equal(worst([]), "pass");
    assert.equal(worst(["expectation", "warn", "pass"]), "warn");
    assert.equal(worst(["leak", "budget", "expectation"]), "budget");
    assert.equal(worst(["hang", "memory"]), "memory");
    assert.equal(worst(["memory", "input"]), "input");
    assert.equal(worstVerdict(["footprint", "warn"]), "warn");
  });
});

describe("the exit codes as documented", () => {
  it("README.md and docs/scenarios.md hold the table generated from the verdict table", () => {
    const table = exitCodeMarkdown();
    for (const doc of ["README.md", "docs/scenarios.md"]) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      assert.ok(text.includes(table), `${doc} must contain:\n${table}`);
    }
  });

  it("the help text lists every row", () => {
    const help = exitCodeHelp();
    for (const v of VERDICTS) {
      const meaning = v.meaning.replace(/[()]/g, "\\$&");
      assert.match(help, new RegExp(`\\n +${v.exit}  ${v.name} +${meaning}\\n`));
    }
  });
});
