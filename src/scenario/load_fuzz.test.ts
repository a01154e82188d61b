/**
 * The loader under fuzzing (issue 8): edits of the built-in scenarios, random documents built
 * from the format's key names, and built-in scenarios recombined, fed to parseScenario(). For
 * every case: a scenario, or errors each located inside the text with a one-line message;
 * never an exception; within the liveness bound. `npm test` runs its share of 1 000 cases;
 * `npm run fuzz` many more (docs/fuzzing.md says how to replay a failure).
 */
import { describe, it } from "node:test";
import { assertLoadResult, runFuzzProperty, skipped, type FuzzProperty } from "./_test_fuzz.js";
import fc from "fast-check";
import { generatedDocument } from "./_test_fuzz_document.js";
import { recombinedDocument } from "./_test_fuzz_recombine.js";
import { editedText, type EditedText } from "./_test_fuzz_text.js";
import { BUILTIN_SCENARIOS } from "./_test_fuzz_vocab.js";
import { parseScenario } from "./load.js";

const FILE = "fuzz.yaml";

function loads(v: { readonly text: string }): string {
  return assertLoadResult(v.text, FILE, parseScenario(v.text, FILE));
}

const edits: FuzzProperty<EditedText> = {
  id: "loader-edits",
  share: 0.35,
  arbitrary: editedText(BUILTIN_SCENARIOS, { minEdits: 1, maxEdits: 5 }),
  check: loads,
};

const documents: FuzzProperty<{ readonly text: string }> = {
  id: "loader-documents",
  share: 0.25,
  arbitrary: fc.oneof(generatedDocument, recombinedDocument),
  check: loads,
};

describe("parseScenario() under fuzzing", () => {
  it("edited built-in scenarios: a scenario or located errors, in bounded time",
    { skip: skipped(edits.id) }, (t) => runFuzzProperty(edits, (l) => t.diagnostic(l)));
  it("documents of the format's keys, and built-in ones recombined: a scenario or located " +
    "errors, in bounded time",
    { skip: skipped(documents.id) }, (t) => runFuzzProperty(documents, (l) => t.diagnostic(l)));
});
