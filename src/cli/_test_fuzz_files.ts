/**
 * @internal The files and output paths of the CLI fuzz cases, as plans made when a case runs
 * (_test_fuzz_case.ts): scenario files (built-in ones edited or recombined, documents of the
 * format's keys, random bytes, devices that never end, a directory, a missing file), fixtures
 * (the Linux recording edited) and output paths (new, nested, relative, empty, a directory,
 * under /proc or /sys, /dev/full, under a file, too long, with control characters).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { RECORDING_PATH } from "../realkernel/mod.js";
import { generatedDocument } from "../scenario/_test_fuzz_document.js";
import { recombinedDocument } from "../scenario/_test_fuzz_recombine.js";
import { rarely } from "../scenario/_test_fuzz_snippet.js";
import { editedText } from "../scenario/_test_fuzz_text.js";
import { BUILTIN_SCENARIOS } from "../scenario/_test_fuzz_vocab.js";

/** An output path, made when the case runs. */
export type OutKind =
  | "new" | "nested" | "relative" | "empty" | "blank" | "dir" | "trailing-slash" | "proc"
  | "proc-deep" | "sys" | "dev-full" | "dev-null" | "under-file" | "long-name" | "control"
  /** The path of the case's first input file (a scenario or a fixture), if it has one. */
  | "input";

/** A file argument (a scenario or a fixture), made when the case runs. */
export type FileArg =
  /** A file of this text; `oddName`: its name holds a line break and an escape sequence. */
  | { readonly kind: "text"; readonly text: { readonly text: string }; readonly oddName?: boolean }
  | { readonly kind: "builtin"; readonly path: string }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "special"; readonly what: "missing" | "dir" | "empty" | "/dev/null"
      | "/dev/zero" | "/dev/urandom" | "/proc/self/status" | "/proc/self/mem" };

export type Arg = string | { readonly file: FileArg } | { readonly out: OutKind;
  readonly ext: string };

/** Output paths that `demo` and every command refuse before running. */
export const REFUSED_OUT: readonly OutKind[] = [
  "empty", "blank", "dir", "trailing-slash", "proc", "proc-deep", "sys", "under-file",
];
const ALL_OUT: readonly OutKind[] = [
  ...REFUSED_OUT, "new", "nested", "relative", "dev-full", "dev-null", "long-name", "control",
  "input",
];

const GOOD_OUT: readonly OutKind[] = ["new", "nested", "relative", "dev-null"];

/** Mostly a path that can be written. */
export const OUT = fc.record({
  out: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...GOOD_OUT) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_OUT) }),
  ext: fc.constantFrom(".json", ".html", ".txt", ""),
});

const SPECIAL = fc.constantFrom("missing", "dir", "empty", "/dev/null", "/dev/zero",
  "/dev/urandom", "/proc/self/status", "/proc/self/mem") as fc.Arbitrary<
  Extract<FileArg, { kind: "special" }>["what"]>;

const OTHER_FILE: fc.Arbitrary<FileArg> = fc.oneof(
  { weight: 2, arbitrary: SPECIAL.map((what) => ({ kind: "special" as const, what })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 })
    .map((bytes) => ({ kind: "bytes" as const, bytes })) },
);

/**
 * A scenario file: a built-in one lightly edited or recombined (often valid, so it runs), or
 * heavily edited, or a document of the format's keys, or not a scenario at all.
 */
export const SCENARIO_FILE: fc.Arbitrary<FileArg> = fc.oneof(
  { weight: 6, arbitrary: editedText(BUILTIN_SCENARIOS, { minEdits: 0, maxEdits: 2, light: true })
    .map((text) => ({ kind: "text" as const, text })) },
  { weight: 6, arbitrary: fc.tuple(recombinedDocument, rarely(fc.constant(true), 8))
    .map(([text, odd]) => ({ kind: "text" as const, text, oddName: odd === true })) },
  { weight: 2, arbitrary: editedText(BUILTIN_SCENARIOS, { minEdits: 1, maxEdits: 4 })
    .map((text) => ({ kind: "text" as const, text })) },
  { weight: 1, arbitrary: generatedDocument.map((text) => ({ kind: "text" as const, text })) },
  { weight: 2, arbitrary: fc.constantFrom(...BUILTIN_SCENARIOS)
    .map((s) => ({ kind: "builtin" as const, path: s.path })) },
  { weight: 1, arbitrary: OTHER_FILE },
);

const RECORDING = {
  name: "linux-6.12-bochs-pciehp.jsonl",
  text: readFileSync(RECORDING_PATH, "utf8"),
};

export const FIXTURE_FILE: fc.Arbitrary<FileArg> = fc.oneof(
  { weight: 4, arbitrary: editedText([RECORDING], { minEdits: 1, maxEdits: 3 })
    .map((text) => ({ kind: "text" as const, text })) },
  { weight: 1, arbitrary: fc.constant({ kind: "builtin" as const, path: RECORDING_PATH }) },
  { weight: 2, arbitrary: OTHER_FILE },
);

/** A scenario file that often loads: a built-in one lightly edited or recombined. */
export const LOADABLE_FILE: fc.Arbitrary<FileArg> = fc.oneof(
  editedText(BUILTIN_SCENARIOS, { minEdits: 0, maxEdits: 2, light: true })
    .map((text) => ({ kind: "text" as const, text })),
  recombinedDocument.map((text) => ({ kind: "text" as const, text })),
);
