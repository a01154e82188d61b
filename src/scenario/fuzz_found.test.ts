/**
 * Bugs of the loader that the fuzz test (load_fuzz.test.ts, src/cli/program_fuzz.test.ts)
 * found, each reproduced as a plain test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf } from "./_testing.js";
import { ERRORS_SHOWN_MAX } from "./limits.js";

describe("loader bugs found by fuzzing", () => {
  it("an error after a syntax error is on its own line: a newline inside a bad token counts", () => {
    // The yaml parser's line counter missed the newline swallowed by the bad block scalar,
    // so `d` was reported at 3:5, past the end of line 3.
    const errors = errorsOf(" a: 1\nb: >\n  c\nd: 2\n");
    assert.ok(errors.includes('test.yaml:4:1: Unexpected scalar token in YAML stream: "d"'),
      errors.join("\n"));
  });

  it("syntax errors are listed up to ERRORS_SHOWN_MAX too, the rest counted", () => {
    const errors = errorsOf(` a: 1\n${"b: c\n".repeat(200)}`);
    assert.equal(errors.length, ERRORS_SHOWN_MAX + 1);
    assert.match(errors[ERRORS_SHOWN_MAX]!, /^test\.yaml: \d+ more errors not shown$/);
  });
});
