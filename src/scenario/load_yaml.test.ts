import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { ALIAS_VALUES_MAX, NESTING_MAX } from "./limits.js";

/** A program `a` whose steps are `uses` aliases of a snippet of `size` sleep steps. */
function snippetUsedTimes(uses: number, size = 5): string {
  const snippet = Array.from({ length: size }, (_, i) => `    - sleep: ${i + 1}\n`).join("");
  return `snippets:\n  s: &s\n${snippet}programs:\n  a:\n${"    - *s\n".repeat(uses)}`;
}

/** Ten levels of ten aliases each: 10^10 values if expanded without a bound. */
const LAUGHS = `snippets:
  a: &a [{sleep: 1}, {sleep: 1}, {sleep: 1}, {sleep: 1}, {sleep: 1}, {sleep: 1}, {sleep: 1}, {sleep: 1}, {sleep: 1}, {sleep: 1}]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
programs:
  a: [*f]
`;

describe("scenario loading: YAML aliases and nesting", () => {
  it("a snippet may be used hundreds of times (the yaml library alone stops at 100)", () => {
    const sc = scenarioFrom(snippetUsedTimes(600));
    assert.equal(sc.programs[0]!.steps.length, 3000);
    assert.deepEqual(sc.programs[0]!.steps.slice(0, 6).map((s) => (s.args as { sleep: number }).sleep), [1, 2, 3, 4, 5, 1]);
    assert.deepEqual(sc.programs[0]!.steps[5]!.copies, [{ kind: "alias", name: "s", line: 11 }]);
  });

  it("aliases that copy more than ALIAS_VALUES_MAX values are refused at the alias that passes the bound", () => {
    assert.deepEqual(errorsOf(LAUGHS), [`test.yaml:6:14: aliases copy more than ${ALIAS_VALUES_MAX} values in all; use fewer or smaller snippets`]);
  });

  it("an alias with no anchor before it is an error at the alias", () => {
    assert.deepEqual(errorsOf("programs:\n  a:\n    - *nothing\n"), ["test.yaml:3:7: *nothing: no anchor &nothing before this alias (an anchor comes before its aliases)"]);
    assert.deepEqual(errorsOf("programs:\n  a:\n    - *s\nsnippets:\n  s: &s [{sleep: 1}]\n"), ["test.yaml:3:7: *s: no anchor &s before this alias (an anchor comes before its aliases)"]);
  });

  it("an alias inside its own anchor is an error, not a stack overflow", () => {
    assert.deepEqual(errorsOf("snippets:\n  s: &s\n    - sleep: 1\n    - *s\nprograms:\n  a: [*s]\n"), ["test.yaml:4:7: *s is inside its own anchor &s: a value cannot contain itself"]);
    assert.deepEqual(errorsOf("programs:\n  a:\n    - &m { sleep: 1, note: *m }\n"), ["test.yaml:3:28: *m is inside its own anchor &m: a value cannot contain itself"]);
  });

  it("an error inside a snippet points into the snippet and is said once for all its uses", () => {
    assert.deepEqual(errorsOf("snippets:\n  s: &s\n    - sleep: 1\n      bogus: 2\nprograms:\n  a: [*s, *s, *s]\n"), [
      'test.yaml:4:7: unknown key "bogus"; expected sleep (the same in 2 more copies of this step)',
    ]);
    assert.deepEqual(errorsOf("snippets:\n  d: &drv vdsp\nprograms:\n  a:\n    - plug-card: \"0000:02:00.0\"\n      driver: *drv\n"), [
      'test.yaml:6:15: program a, step 1 driver: unknown driver "vdsp" (did you mean "vdisp"?); built-in drivers: vdisp, vdisp-devm, vdisp-dma, vdisp-noenter, vdisp-waitclose, bochs-drm, vtest, vtest-nosignal, vtest-drain, xe, xe-early-wedge, i915, amdgpu, amdgpu-tdr-noenter, virtio-gpu',
    ]);
  });

  it(`values nested deeper than ${NESTING_MAX} levels are refused before the YAML composer, however often`, () => {
    // The composer recurses once a level; a stack overflow in it could abort the process on a later parse.
    const texts = [
      `programs:\n  a:\n    - sleep: ${"[".repeat(2000)}${"]".repeat(2000)}\n`,
      `programs:\n  a:\n    - sleep: ${"{a: ".repeat(2000)}1${"}".repeat(2000)}\n`,
      `${"- ".repeat(2000)}x\n`,
    ];
    for (const text of texts) {
      for (let i = 0; i < 3; i++) {
        const errors = errorsOf(text);
        assert.equal(errors.length, 1, errors.join("\n"));
        assert.match(errors[0]!, new RegExp(`^test\\.yaml:\\d+:\\d+: values nest deeper than ${NESTING_MAX} levels$`));
      }
    }
  });

  it("a line such as `note: the card: it goes` says to quote the value", () => {
    assert.deepEqual(errorsOf("programs:\n  a:\n    - sleep: 1\n      note: the card: it goes away\n"), ['test.yaml:4:13: a value holding ": " must be quoted: write note: "the card: it goes away"']);
    assert.equal(scenarioFrom('programs:\n  a:\n    - sleep: 1\n      note: "the card: it goes away"\n').programs[0]!.steps[0]!.note, "the card: it goes away");
  });

  it("refuses a second document, an empty file, a key that is a list; a __proto__ key is only a key", () => {
    assert.deepEqual(errorsOf("programs: {a: [{sleep: 1}]}\n---\nprograms: {}\n"), ["test.yaml:2:1: a scenario file holds one YAML document; this is a second one (after ---)"]);
    assert.deepEqual(errorsOf(""), ["test.yaml:1:1: a scenario is a mapping with programs (and optionally name, description, world, checks)"]);
    assert.deepEqual(errorsOf("programs:\n  a:\n    - { [x]: 1 }\n"), ["test.yaml:3:9: a key is a name or a number, not a list or a mapping"]);
    assert.deepEqual(errorsOf("programs:\n  a:\n    - sleep: 1\n      __proto__: { x: 1 }\n"), ['test.yaml:4:7: unknown key "__proto__"; expected sleep']);
  });
});
