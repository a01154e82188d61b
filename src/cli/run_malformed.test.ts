import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scratchDir, scratchFile, vdrm } from "./_test_cli.js";

/** Inputs that crashed `vdrm run` with a stack trace or a model assertion (issue 8), and the located error each gets now. */
const CASES: readonly (readonly [name: string, text: string, error: string])[] = [
  ["alias-no-anchor", "programs:\n  a:\n    - *nothing\n", "3:7: *nothing: no anchor &nothing before this alias (an anchor comes before its aliases)"],
  ["alias-self", "snippets:\n  s: &s\n    - sleep: 1\n    - *s\nprograms:\n  a: [*s]\n", "4:7: *s is inside its own anchor &s: a value cannot contain itself"],
  ["root-port", 'world:\n  devices:\n    - { bdf: "0000:01:00.0", driver: vdisp }\n    - { bdf: "0000:00:01.0", driver: vdisp }\nprograms:\n  a: [{ sleep: 1 }]\n', "4:14: world.devices[2].bdf: 0000:00:01.0 is on root port 0000:00:01.0"],
  ["two-cards", 'world:\n  devices:\n    - { bdf: "0000:01:00.0", driver: vdisp }\n    - { bdf: "0000:01:00.0", driver: vdisp }\nprograms:\n  a: [{ sleep: 1 }]\n', "4:14: world.devices[2].bdf: 0000:01:00.0 is taken by world.devices[1]"],
  ["two-slots", "world:\n  slots: [3, 3]\nprograms:\n  a: [{ sleep: 1 }]\n", "2:14: world.slots[2]: slot 3 is already listed (world.slots[1])"],
  ["negative-length", "programs:\n  a:\n    - mem-read: 4096\n      length: -5\n", "4:15: program a, step 1 length: must be at least 1"],
  ["daemon-not-service", "programs:\n  d:\n    - sleep: 1\n    - recoveryd: { apply: true }\n", "4:7: program d, step 2: recoveryd runs until it is stopped, and nothing stops it: make its program a service (programs.d: {service: true, steps: [...]}), which the run stops once the other programs have ended, or kill it from another program"],
  ["huge-length", "programs:\n  a:\n    - mem-write: 4096\n      fill: 1\n      length: 4294967295\n", "5:15: program a, step 1 length: must be at most 64 MiB (67108864 bytes)"],
];

describe("vdrm run on inputs that used to crash", () => {
  it("exits 2 with a located error for each and runs nothing", () => {
    const dir = scratchDir();
    const files = CASES.map(([name, text]) => scratchFile(dir, `${name}.yaml`, text));
    const many = scratchFile(dir, "alias-many.yaml", `snippets:\n  s: &s\n    - sleep: 1\nprograms:\n  a:\n${"    - *s\n".repeat(150)}    - bogus: 1\n`);
    const r = vdrm(["run", ...files, many]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "", "nothing ran");
    for (const [i, [, , error]] of CASES.entries()) assert.ok(r.stderr.includes(`${files[i]}:${error}`), `${files[i]}:${error}\nnot in:\n${r.stderr}`);
    assert.ok(r.stderr.includes(`${many}:156:7: program a, step 151: step has no operation`), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.match(r.stderr, /9 of 9 scenario files invalid; nothing was run/);
  });
});
