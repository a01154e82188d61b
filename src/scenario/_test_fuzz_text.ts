/**
 * @internal Malformed scenario text for the fuzz tests, made as issue 8's campaign of 26 000
 * files made it: a built-in scenario with a few edits (lines deleted, duplicated or swapped, a
 * character changed, YAML syntax inserted, a value or a key replaced, the indentation moved, the
 * text cut, other line ends). Each edit holds plain numbers that are taken modulo the size of the
 * text when it is applied, so that fast-check shrinks a case to fewer and smaller edits.
 */
import fc from "fast-check";
import {
  CHAR_TEXT, count, KEYS_OR_NEAR_MISS, NUMBER_TEXT, scalarText, SNIPPET, VALUE_TEXT,
} from "./_test_fuzz_snippet.js";
import { valuesOf } from "./_test_fuzz_vocab.js";

export type Edit =
  | { readonly kind: "delete"; readonly line: number; readonly count: number }
  | { readonly kind: "duplicate"; readonly line: number; readonly count: number;
      readonly times: number }
  | { readonly kind: "swap"; readonly line: number; readonly other: number }
  /** Replaces the character at `at` with `text` (empty: deletes it). */
  | { readonly kind: "char"; readonly at: number; readonly text: string }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  /** Inserts lines before line `line`, indented as it is plus `indent` spaces. */
  | { readonly kind: "line"; readonly line: number; readonly indent: number;
      readonly text: string }
  /** Replaces the value of the `nth` `key: value` pair of the text. */
  | { readonly kind: "value"; readonly nth: number; readonly text: string }
  /** Replaces the value of the `nth` `key: value` pair with the `pick`th value of that key. */
  | { readonly kind: "same-key"; readonly nth: number; readonly pick: number }
  /** Replaces the key of the `nth` `key:` of the text. */
  | { readonly kind: "key"; readonly nth: number; readonly key: string }
  | { readonly kind: "indent"; readonly line: number; readonly delta: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "eol"; readonly eol: string };

// A key starts where no key character stands before it: else a long line without a colon
// makes every search quadratic (200 000 x's took 40 s).
const PAIR = /(?<![\w$-])([A-Za-z_$][\w$-]*):[ \t]+([^,}\]\n#]*)/g;
const KEY = /(?<![\w$-])([A-Za-z_$][\w$-]*):/g;

function nthMatch(text: string, re: RegExp, nth: number): RegExpExecArray | undefined {
  const all = [...text.matchAll(re)];
  return all.length === 0 ? undefined : all[nth % all.length];
}

function editLines(text: string, e: Edit & { readonly line: number }): string {
  const lines = text.split("\n");
  const i = e.line % lines.length;
  const indentOf = (l: string): string => /^[ \t]*/.exec(l)![0];
  switch (e.kind) {
    case "delete":
      lines.splice(i, e.count);
      break;
    case "duplicate": {
      const block = lines.slice(i, i + e.count);
      lines.splice(i, 0, ...Array.from({ length: e.times }, () => block).flat());
      break;
    }
    case "swap": {
      const j = e.other % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      break;
    }
    case "line": {
      const pad = indentOf(lines[i]!) + " ".repeat(e.indent);
      lines.splice(i, 0, ...e.text.split("\n").map((l) => pad + l));
      break;
    }
    case "indent": {
      const l = lines[i]!;
      const n = Math.max(0, indentOf(l).length + e.delta);
      lines[i] = " ".repeat(n) + l.trimStart();
      break;
    }
  }
  return lines.join("\n");
}

/** `text` with one edit applied. */
export function applyEdit(text: string, e: Edit): string {
  const at = (n: number): number => n % (text.length + 1);
  switch (e.kind) {
    case "char":
      return text.slice(0, at(e.at)) + e.text + text.slice(at(e.at) + 1);
    case "insert":
      return text.slice(0, at(e.at)) + e.text + text.slice(at(e.at));
    case "value": {
      const m = nthMatch(text, PAIR, e.nth);
      if (m === undefined) return text;
      const start = m.index + m[0].length - m[2]!.length;
      return text.slice(0, start) + e.text + text.slice(start + m[2]!.length);
    }
    case "same-key": {
      const m = nthMatch(text, PAIR, e.nth);
      const values = m === undefined ? [] : valuesOf(m[1]!);
      if (m === undefined || values.length === 0) return text;
      const start = m.index + m[0].length - m[2]!.length;
      const v = scalarText(values[e.pick % values.length]);
      return text.slice(0, start) + v + text.slice(start + m[2]!.length);
    }
    case "key": {
      const m = nthMatch(text, KEY, e.nth);
      if (m === undefined) return text;
      return text.slice(0, m.index) + e.key + text.slice(m.index + m[1]!.length);
    }
    case "truncate":
      return text.slice(0, at(e.at));
    case "eol":
      return text.replace(/\n/g, e.eol);
    default:
      return editLines(text, e);
  }
}

const POS = fc.nat({ max: 1_000_000 });

/**
 * Edits that often keep a file valid: a line deleted or duplicated, a value replaced by one the
 * built-in scenarios give the same key or by an odd number, two lines swapped.
 */
export const LIGHT_EDIT: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("same-key" as const), nth: POS, pick: POS }),
    weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("value" as const), nth: POS, text: NUMBER_TEXT }),
    weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("delete" as const), line: POS,
    count: fc.constant(1) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("duplicate" as const), line: POS,
    count: fc.integer({ min: 1, max: 3 }), times: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("swap" as const), line: POS, other: POS }),
    weight: 1 },
);

/** Any edit: the light ones and every way of breaking the syntax or the bounds. */
export const EDIT: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: LIGHT_EDIT, weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("delete" as const), line: POS,
    count: fc.integer({ min: 1, max: 4 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("duplicate" as const), line: POS,
    count: fc.integer({ min: 1, max: 4 }), times: count(5, 300) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("char" as const), at: POS, text: CHAR_TEXT }),
    weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("insert" as const), at: POS, text: SNIPPET }),
    weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("line" as const), line: POS,
    indent: fc.integer({ min: -2, max: 4 }).map((n) => Math.max(0, n)), text: SNIPPET }),
    weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("value" as const), nth: POS, text: VALUE_TEXT }),
    weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("key" as const), nth: POS,
    key: KEYS_OR_NEAR_MISS }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("indent" as const), line: POS,
    delta: fc.integer({ min: -4, max: 4 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: POS }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("eol" as const),
    eol: fc.constantFrom("\r\n", "\r", "\n\n", "\u2028", "\x85") }), weight: 1 },
);

function shown(e: Edit): string {
  return JSON.stringify(e, (_k, v: unknown) =>
    typeof v === "string" && v.length > 60 ? `${v.slice(0, 40)}... (${v.length} chars)` : v)
    // JSON leaves these two raw; a report that shows them breaks its line.
    .replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** A text made by edits of a file; prints as the file and its edits (the text may be large). */
export class EditedText {
  readonly text: string;

  constructor(readonly base: { readonly name: string; readonly text: string },
    readonly edits: readonly Edit[]) {
    this.text = edits.reduce(applyEdit, base.text);
  }

  [fc.toStringMethod](): string {
    return `${this.base.name} with edits [${this.edits.map(shown).join(", ")}] ` +
      `(${this.text.length} chars)`;
  }
}

/** A built-in scenario with `minEdits`..`maxEdits` edits (any, or only light ones). */
export function editedText(
  bases: readonly { readonly name: string; readonly text: string }[],
  o: { readonly minEdits: number; readonly maxEdits: number; readonly light?: boolean },
): fc.Arbitrary<EditedText> {
  return fc
    .tuple(fc.constantFrom(...bases), fc.array(o.light === true ? LIGHT_EDIT : EDIT,
      { minLength: o.minEdits, maxLength: o.maxEdits }))
    .map(([base, edits]) => new EditedText(base, edits));
}
