/**
 * shellQuote(): the file name in a printed replay command reads back as it is, in bash, from
 * one line.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { shellQuote } from "./shell_quote.js";

test("shellQuote() leaves safe words alone and quotes the others on one line", () => {
  assert.equal(shellQuote("scenarios/egpu-pull.yaml"), "scenarios/egpu-pull.yaml");
  assert.equal(shellQuote("my file's.yaml"), `'my file'\\''s.yaml'`);
  assert.equal(shellQuote("a\nb'\\\x1b\u2028.yaml"), `$'a\\nb\\'\\\\\\x1b\\u2028.yaml'`);
  assert.equal(shellQuote("nel\u0085.yaml"), `$'nel\\u0085.yaml'`);
});

test("bash reads every quoted word back unchanged", () => {
  const words = [
    "plain.yaml", "with space.yaml", "it's.yaml", "back\\slash", "$HOME", "`cmd`", "a\"b", "",
    "line\nbreak", "cr\rlf", "tab\there", "\x1b[31mred", "del\x7f", "sep\u2028\u2029",
    "quote'and\ncontrol\\", "é ü", "!bang", "*glob?", "c1\u0085\u009f\u0080", "\\x85\u0085",
  ];
  for (const w of words) {
    const q = shellQuote(w);
    assert.ok(!q.includes("\n") && !q.includes("\r"), `${JSON.stringify(q)} is on one line`);
    const back = execFileSync("bash", ["-c", `printf '%s' ${q}`], {
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C.UTF-8" },
    });
    assert.equal(back, w, `bash read ${q} as ${JSON.stringify(back)}`);
  }
});
