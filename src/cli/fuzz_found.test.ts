/**
 * Bugs of the vdrm command that the fuzz test (program_fuzz.test.ts) found, each reproduced
 * as a plain test, in-process through vdrm(argv, io).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { vdrmInProcess } from "./_test_io.js";

describe("command bugs found by fuzzing", () => {
  it("realkernel --fixture /dev/zero is refused after a bound, not read until memory runs out", () => {
    const r = vdrmInProcess(["realkernel", "--fixture", "/dev/zero"]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr,
      'vdrm: --fixture "/dev/zero": larger than 16 MiB, the most a recording may be\n');
    assert.equal(r.stdout, "");
  });

  it("run /dev/zero is an invalid scenario file: exit 2, nothing run", () => {
    const r = vdrmInProcess(["run", "/dev/zero"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^\/dev\/zero: larger than 4 MiB, the most a scenario file may be\n/);
    assert.equal(r.stdout, "");
  });
});
