/**
 * @internal Pieces of text for the fuzz tests' edits: YAML syntax (anchors, aliases, a value
 * that contains itself, alias bombs, deep nesting, directives, tags, broken quotes), control
 * characters, numbers that YAML reads in surprising ways or that pass every bound, `${x}`
 * references by the thousand, keys one edit away from real ones, and values of every kind.
 */
import fc from "fast-check";
import { KEYS, SCALARS, valuesOf } from "./_test_fuzz_vocab.js";

/** A scalar as YAML text (strings quoted). */
export function scalarText(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** A count up to `common`, and once in ten cases up to `rare` (large inputs cost time). */
export function count(common: number, rare: number): fc.Arbitrary<number> {
  return fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: common }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: rare }) });
}

/** `arb` once in `n` cases, null otherwise. */
export function rarely<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

const ANCHOR = fc.constantFrom("a", "s", "x", "card");

/** Numbers YAML reads in surprising ways, and numbers out of every bound. */
export const NUMBER_TEXT = fc.constantFrom(
  "1e308", "-1e308", "1e400", "-0", "0x7fffffff", "0xffffffffffffffff", "9007199254740992",
  "9007199254740993", "-1", "-4294967295", "4294967295", "4294967296", "18446744073709551616",
  "0o777", "0b101", ".nan", ".inf", "-.inf", "1_000", "6.10", "1.5", "-0.5", "0", "00", "+1",
  "1e-400", "123456789012345678901234567890", "Infinity", "0x", "1.", ".5", "2147479553",
  "67108865", "140737488355329", "65536",
);

const CONTROL_TEXT = fc.constantFrom(
  "\t", "\r", "\r\n", "\0", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ud800",
  "\x0b", "\x0c", "\x08", "\x9b",
);

const SYNTAX_TEXT = fc.constantFrom(
  "---", "...", "%YAML 1.1", "%YAML 1.2\n---", "%TAG !e! tag:e.com,2000:", "!!binary aGVsbG8=",
  "!!set {a, b}", "!!omap [a: 1]", "!!str", "!!int", "!!float 1", "!!timestamp 2001-12-14",
  "!e!x", "!local", "? complex\n: value", "? [a, b]\n: c", "|", ">", "|-\n  text", "'open",
  "\"open", "# comment", "key: value: more", "- - -", "[", "]", "{", "}", ",", "@", "`", "~",
  "null", "!!null", "&", "*", "- ", ": ", "-", "[a, b", "{a: 1", "\"\\x\"", "\"\\u12\"",
  "'it''s'", "\"\\0\"", "=", "<<: {a: 1}", "{a: 1, a: 2}", "[*a, &a 1]", "!!map {}", "!!seq []",
  "$", "$$", "$card", "$bo.handle", "$nothing.field", "${", "${}", "${x", "$x.y.z", "$1",
);

/** `a0: &a0 [x, ...]`, `a1: &a1 [*a0, ...]`, ...: each level copies the one before ten times. */
function aliasBomb(levels: number): string {
  const rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= levels; i++) {
    rows.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]`);
  }
  return rows.join("\n");
}

const NESTING = fc.oneof(
  count(70, 300).map((d) => `${"[".repeat(d)}x${"]".repeat(d)}`),
  count(70, 300).map((d) => `${"{a: ".repeat(d)}x${"}".repeat(d)}`),
  count(70, 150).map((d) => `${"- ".repeat(d)}x`),
  count(70, 120).map((d) =>
    Array.from({ length: d }, (_, i) => `${" ".repeat(2 * i)}k${i}:`).join("\n")),
);

const ALIASES = fc.oneof(
  ANCHOR.map((n) => `&${n} `),
  ANCHOR.map((n) => `*${n}`),
  ANCHOR.map((n) => `- *${n}`),
  ANCHOR.map((n) => `${n}: &${n} [*${n}]`),
  ANCHOR.map((n) => `<<: *${n}`),
  ANCHOR.map((n) => `${n}: &${n}\n  - sleep: 1\n  - *${n}`),
  fc.tuple(ANCHOR, count(20, 400)).map(([n, k]) =>
    Array.from({ length: k }, () => `- *${n}`).join("\n")),
  fc.integer({ min: 1, max: 7 }).map(aliasBomb),
);

const INTERPOLATIONS = fc
  .tuple(
    count(200, 30_000),
    fc.constantFrom("x", "card", "bo.handle", "", "x.", "i"),
    fc.constantFrom("note", "sysfs-write", "open", "value", "signal"),
  )
  .map(([n, name, key]) => `${key}: "${`\${${name}}`.repeat(n)}"`);

/** One edit away from one of `words`: `opne`, `expects`, `Devices`. */
export function nearMiss(words: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...words), fc.nat(),
      fc.constantFrom("drop", "double", "swap", "upper", "s"))
    .map(([k, n, how]) => {
      const i = n % k.length;
      switch (how) {
        case "drop": return k.slice(0, i) + k.slice(i + 1);
        case "double": return k.slice(0, i) + k[i]! + k.slice(i);
        case "swap":
          return i + 1 < k.length ? k.slice(0, i) + k[i + 1]! + k[i]! + k.slice(i + 2) : `${k}_`;
        case "upper": return k.slice(0, i) + k[i]!.toUpperCase() + k.slice(i + 1);
        default: return `${k}s`;
      }
    });
}

/** One edit away from a key the format knows. */
export const NEAR_MISS_KEY = nearMiss(KEYS);

/** A value as it may stand after `key: `. */
export const VALUE_TEXT: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: NUMBER_TEXT, weight: 3 },
  { arbitrary: fc.constantFrom(...SCALARS).map(scalarText), weight: 3 },
  { arbitrary: fc.constantFrom(...KEYS).chain((k) => {
    const vs = valuesOf(k);
    return vs.length > 0 ? fc.constantFrom(...vs).map(scalarText) : fc.constant(k);
  }), weight: 3 },
  { arbitrary: fc.constantFrom("", "~", "[]", "{}", "[1, 2]", "{a: 1}", "true", "no", "0", "x"),
    weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 12 }).map((s) => JSON.stringify(s)),
    weight: 1 },
  { arbitrary: fc.string({ unit: "binary-ascii", maxLength: 12 }), weight: 1 },
);

/** Text that goes in a line or inside one: YAML syntax, controls, numbers, keys, values. */
export const SNIPPET: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: SYNTAX_TEXT, weight: 4 },
  { arbitrary: ALIASES, weight: 4 },
  { arbitrary: NESTING, weight: 2 },
  { arbitrary: INTERPOLATIONS, weight: 2 },
  { arbitrary: CONTROL_TEXT, weight: 3 },
  { arbitrary: NUMBER_TEXT, weight: 2 },
  { arbitrary: NEAR_MISS_KEY.chain((k) => VALUE_TEXT.map((v) => `${k}: ${v}`)), weight: 3 },
  { arbitrary: fc.constantFrom(...KEYS).chain((k) => VALUE_TEXT.map((v) => `${k}: ${v}`)),
    weight: 3 },
  { arbitrary: count(1000, 200_000).map((n) => "x".repeat(n)), weight: 1 },
);

/** A character to put in place of another (or nothing: a deletion). */
export const CHAR_TEXT = fc.oneof(
  fc.constantFrom(...":-[]{}&*!|>'\"%@`#,? \t\r\n\0\\$~=<".split(""), ""),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
);

/** A key the format knows, or one edit away from one. */
export const KEYS_OR_NEAR_MISS = fc.oneof(NEAR_MISS_KEY, fc.constantFrom(...KEYS));
