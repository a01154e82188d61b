/**
 * How a match value compares with a device's string, as udev decides at parse time: an empty
 * value matches only an empty (or missing) string; `"?*"` is turned into `!= ""`; `|` separates
 * alternatives, and an empty alternative (`"|x"`, `"x|"`) also admits the empty string; a value
 * with `*`, `?` or `[` is a glob (fnmatch.ts) for every alternative, otherwise alternatives are
 * compared whole; SUBSYSTEM=="subsystem" (or "bus", "class") matches any of the three. Values of
 * ATTR and ATTRS lose their trailing whitespace before the match unless the value ends in one.
 *
 * @see rule_line_add_token() and token_match_string() in systemd's src/udev/udev-rules.c
 */
import { fnmatchCompile, type Fnmatch } from "./fnmatch.js";

export interface Pattern {
  readonly kind: "empty" | "plain" | "glob" | "subsystem";
  /** An empty alternative: the empty string matches too. */
  readonly withEmpty: boolean;
  readonly alternatives: readonly Fnmatch[];
  readonly plain: readonly string[];
  readonly caseInsensitive: boolean;
  readonly trimTrailingWhitespace: boolean;
}

const GLOB_CHARS = /[*?[]/;

export interface PatternOptions {
  readonly subsystemKey?: boolean;
  readonly attribute?: boolean;
  readonly caseInsensitive?: boolean;
}

/** The pattern of a match value, and whether `==`/`!=` flips (`"?*"`). */
export function compilePattern(value: string, o: PatternOptions = {}): { pattern: Pattern; flip: boolean } {
  const fold = o.caseInsensitive ?? false;
  const trim = (o.attribute ?? false) && value.length > 0 && !/\s$/.test(value);
  const base = { caseInsensitive: fold, trimTrailingWhitespace: trim };
  if (o.subsystemKey === true && ["subsystem", "bus", "class"].includes(value)) {
    return { pattern: { kind: "subsystem", withEmpty: false, alternatives: [], plain: [], ...base }, flip: false };
  }
  if (value === "" || value === "?*") {
    return { pattern: { kind: "empty", withEmpty: false, alternatives: [], plain: [], ...base }, flip: value === "?*" };
  }
  const parts = value.split("|");
  const alternatives = parts.filter((p) => p !== "");
  const withEmpty = alternatives.length < parts.length;
  const kind = GLOB_CHARS.test(value) ? "glob" : "plain";
  return {
    pattern: {
      kind,
      withEmpty,
      alternatives: kind === "glob" ? alternatives.map((a) => fnmatchCompile(a, fold)) : [],
      plain: fold ? alternatives.map((a) => a.toLowerCase()) : alternatives,
      ...base,
    },
    flip: false,
  };
}

/** Whether `s` (null: the device has no such value) matches `p`. */
export function patternMatches(p: Pattern, s: string | null): boolean {
  let str = s ?? "";
  if (p.trimTrailingWhitespace) str = str.replace(/\s+$/, "");
  switch (p.kind) {
    case "empty":
      return str === "";
    case "subsystem":
      return ["subsystem", "class", "bus"].includes(p.caseInsensitive ? str.toLowerCase() : str);
    case "plain":
      if (p.withEmpty && str === "") return true;
      return p.plain.includes(p.caseInsensitive ? str.toLowerCase() : str);
    case "glob":
      if (p.withEmpty && str === "") return true;
      return p.alternatives.some((a) => a.match(str));
  }
}
