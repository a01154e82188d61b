/**
 * Bugs of the loader that the fuzz test (load_fuzz.test.ts, src/cli/program_fuzz.test.ts)
 * found, each reproduced as a plain test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorsOf } from "./_testing.js";
import { ERRORS_SHOWN_MAX, FILE_BYTES_MAX } from "./limits.js";
import { loadScenarioFile } from "./load.js";

describe("loader bugs found by fuzzing", () => {
  it("an error after a syntax error is on its own line: a newline in a bad token counts", () => {
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

  it("a file that never ends (/dev/zero) is refused after FILE_BYTES_MAX bytes, not read", () => {
    // readFileSync read /dev/zero until the process ran out of memory and aborted.
    const r = loadScenarioFile("/dev/zero");
    assert.ok(!r.ok);
    assert.deepEqual(r.errors, [{ file: "/dev/zero", line: 0, col: 0,
      message: "larger than 4 MiB, the most a scenario file may be" }]);
  });

  it("a regular file one byte over FILE_BYTES_MAX is refused; one at the bound loads", () => {
    const dir = mkdtempSync(join(tmpdir(), "vdrm-big-"));
    const head = "programs:\n  a: [{sleep: 1}]\n";
    const at = join(dir, "at.yaml");
    writeFileSync(at, head + "#".repeat(FILE_BYTES_MAX - head.length));
    assert.ok(loadScenarioFile(at).ok);
    const over = join(dir, "over.yaml");
    writeFileSync(over, head + "#".repeat(FILE_BYTES_MAX - head.length + 1));
    const r = loadScenarioFile(over);
    assert.ok(!r.ok && r.errors[0]!.message.startsWith("larger than 4 MiB"));
  });
});
