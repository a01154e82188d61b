/**
 * `vdrm realkernel --fixture`: a recording that is missing or not a recording is bad input
 * (exit 2) with the file (and line) named, never a stack trace.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { scratchDir, scratchFile, vdrm } from "./_test_cli.js";

const tmp = scratchDir();

function bad(fixture: string, first: string | RegExp): void {
  const r = vdrm(["realkernel", "--fixture", fixture]);
  assert.equal(r.code, 2, r.stderr);
  if (typeof first === "string") assert.equal(r.err1, first);
  else assert.match(r.err1, first);
  assert.equal(r.stdout, "");
  assert.doesNotMatch(r.stderr, /^\s+at /m);
}

describe("vdrm realkernel --fixture", () => {
  it("a missing file or a directory", () => {
    const missing = join(tmp, "missing.jsonl");
    bad(missing, `vdrm: --fixture ${JSON.stringify(missing)}: no such file or directory (ENOENT)`);
    bad(tmp, `vdrm: --fixture ${JSON.stringify(tmp)}: illegal operation on a directory (EISDIR)`);
  });

  it("a line that is not JSON, or not a JSON object, is named by file and line", () => {
    const text = scratchFile(tmp, "text.jsonl", '{"type":"start","kernel":"6.12"}\nnot json\n');
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    bad(text, new RegExp(`^vdrm: Cannot read ${escaped}:2: \\S`));
    const nul = scratchFile(tmp, "null.jsonl", "null\n");
    bad(nul, `vdrm: Cannot read ${nul}:1: ` +
      `expected a JSON object with a "type", as the recorder writes`);
  });

  it("a line without a field the recorder writes, or with another type, is named by file and " +
    "line (it printed \"undefined\" or ended in a TypeError)", () => {
    // Found by `VDRM_FUZZ_SEED=20240611 npm run fuzz`: a call line whose "what" key was edited.
    const start = '{"type":"start","kernel":"6.12"}\n';
    const cases: [string, string][] = [
      ['{"type":"call","op":"mknod","ret":0}', 'a "call" line needs "what" as text'],
      ['{"type":"call","op":"open","what":"card0","ret":"0"}', 'a "call" line needs "ret" as a number'],
      ['{"type":"kmsg","scn":7,"msg":"x"}', 'a "kmsg" line needs "scn" as text'],
      ['{"type":"minors","why":"x","sysfs":5}',
        'a "minors" line needs "sysfs" as a list of objects with "name", "dev", "device"'],
      ['{"type":"ls","path":"/dev/dri","entries":[null]}',
        'a "ls" line needs "entries" as a list of objects with "name", "dev"'],
      ['{"type":"mem","what":"map","op":"poke","result":"ok"}', 'a "mem" line needs "op" as read or write'],
    ];
    for (const [n, [line, why]] of cases.entries()) {
      const f = scratchFile(tmp, `field${n}.jsonl`, `${start}${line}\n`);
      bad(f, `vdrm: Cannot read ${f}:2: ${why}, as the recorder writes`);
    }
  });

  it("JSON lines without a start line are not a recording", () => {
    const f = scratchFile(tmp, "other.jsonl", '{"type":"call","op":"open"}\n');
    bad(f, `vdrm: Cannot read ${f}: no "start" line; not a real-kernel recording`);
  });
});
