/**
 * Shell patterns with the semantics of glibc's fnmatch(3) as udev calls it (flags 0, or
 * FNM_CASEFOLD for an `i"..."` value): `*` is any run of characters, `/` and a leading `.`
 * included; `?` is one character; `[...]` a set with ranges (`a-z`), classes (`[:digit:]`) and
 * negation (`[!...]` or `[^...]`), `]` literal first; `\` quotes the next character, and a
 * pattern ending in a lone `\` matches nothing; a `[` without its `]` is a literal `[`.
 * Characters are Unicode code points; ranges compare code points (the C locale's order).
 *
 * udev's `|` alternatives are not fnmatch's: rules_match.ts splits them before calling this.
 *
 * @see fnmatch() in glibc posix/fnmatch_loop.c; token_match_string() in systemd's udev-rules.c
 */

type Set1 = { readonly negate: boolean; readonly test: (c: string) => boolean };
type Piece = { readonly k: "lit"; readonly c: string } | { readonly k: "any" } | { readonly k: "star" } | ({ readonly k: "set" } & Set1);

const CLASSES: Readonly<Record<string, (c: string) => boolean>> = {
  alnum: (c) => /^[\p{L}\p{N}]$/u.test(c),
  alpha: (c) => /^\p{L}$/u.test(c),
  blank: (c) => c === " " || c === "\t",
  cntrl: (c) => /^\p{Cc}$/u.test(c),
  digit: (c) => c >= "0" && c <= "9",
  graph: (c) => /^[^\p{Cc}\p{Z}]$/u.test(c),
  lower: (c) => /^\p{Ll}$/u.test(c),
  print: (c) => /^[^\p{Cc}]$/u.test(c) && c !== "\u2028" && c !== "\u2029",
  punct: (c) => /^[!-/:-@[-`{-~]$/.test(c),
  space: (c) => /^[ \t\n\v\f\r]$/.test(c),
  upper: (c) => /^\p{Lu}$/u.test(c),
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};

/** A compiled pattern; `null` when it can match nothing (a trailing lone backslash). */
export interface Fnmatch {
  readonly pattern: string;
  match(text: string): boolean;
}

/** Parses `[...]` starting after the `[` at `cs[i]`; null when there is no closing `]`. */
function parseSet(cs: readonly string[], start: number, fold: boolean): { set: Set1; end: number } | null {
  let i = start;
  let negate = false;
  if (cs[i] === "!" || cs[i] === "^") {
    negate = true;
    i++;
  }
  const tests: ((c: string) => boolean)[] = [];
  let first = true;
  for (;;) {
    let c = cs[i];
    if (c === undefined) return null;
    if (c === "]" && !first) break;
    first = false;
    if (c === "[" && cs[i + 1] === ":") {
      const close = cs.indexOf(":", i + 2);
      const name = close > 0 && cs[close + 1] === "]" ? cs.slice(i + 2, close).join("") : null;
      const cls = name === null ? undefined : CLASSES[name];
      if (cls !== undefined) {
        tests.push(cls);
        i = close + 2;
        continue;
      }
    }
    if (c === "\\") {
      i++;
      c = cs[i];
      if (c === undefined) return null;
    }
    let hi = c;
    if (cs[i + 1] === "-" && cs[i + 2] !== undefined && cs[i + 2] !== "]") {
      hi = cs[i + 2] === "\\" ? cs[i + 3] ?? "" : cs[i + 2]!;
      i += cs[i + 2] === "\\" ? 3 : 2;
      if (hi === "") return null;
    }
    const lo = c;
    const top = hi;
    tests.push(fold ? (x) => inRange(x, lo, top) || inRange(x.toLowerCase(), lo.toLowerCase(), top.toLowerCase()) || inRange(x.toUpperCase(), lo, top) : (x) => inRange(x, lo, top));
    i++;
  }
  return { set: { negate, test: (x) => tests.some((t) => t(x)) }, end: i + 1 };
}

function inRange(c: string, lo: string, hi: string): boolean {
  const x = c.codePointAt(0)!;
  return x >= lo.codePointAt(0)! && x <= hi.codePointAt(0)!;
}

function compile(pattern: string, fold: boolean): Piece[] | null {
  const cs = [...pattern];
  const out: Piece[] = [];
  for (let i = 0; i < cs.length; ) {
    const c = cs[i]!;
    if (c === "*") {
      if (out.at(-1)?.k !== "star") out.push({ k: "star" });
      i++;
    } else if (c === "?") {
      out.push({ k: "any" });
      i++;
    } else if (c === "\\") {
      const next = cs[i + 1];
      if (next === undefined) return null;
      out.push({ k: "lit", c: fold ? next.toLowerCase() : next });
      i += 2;
    } else if (c === "[") {
      const parsed = parseSet(cs, i + 1, fold);
      if (parsed === null) {
        out.push({ k: "lit", c: "[" });
        i++;
      } else {
        out.push({ k: "set", ...parsed.set });
        i = parsed.end;
      }
    } else {
      out.push({ k: "lit", c: fold ? c.toLowerCase() : c });
      i++;
    }
  }
  return out;
}

function pieceMatches(p: Piece, c: string, fold: boolean): boolean {
  switch (p.k) {
    case "lit": return p.c === (fold ? c.toLowerCase() : c);
    case "any": return true;
    case "set": return p.test(c) !== p.negate;
    case "star": return false;
  }
}

/** Greedy match with one backtrack point per star (enough without FNM_PATHNAME). */
function matchPieces(ps: readonly Piece[], text: readonly string[], fold: boolean): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const piece = ps[p];
    if (piece !== undefined && piece.k === "star") {
      starP = p++;
      starT = t;
    } else if (piece !== undefined && pieceMatches(piece, text[t]!, fold)) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (ps[p]?.k === "star") p++;
  return p === ps.length;
}

/** Compiles `pattern`; `caseFold` is FNM_CASEFOLD. */
export function fnmatchCompile(pattern: string, caseFold = false): Fnmatch {
  const pieces = compile(pattern, caseFold);
  const plain = pieces !== null && pieces.every((p) => p.k === "lit") ? pieces.map((p) => (p as { c: string }).c).join("") : null;
  return {
    pattern,
    match: (text) => {
      if (pieces === null) return false;
      if (plain !== null) return (caseFold ? text.toLowerCase() : text) === plain;
      return matchPieces(pieces, [...text], caseFold);
    },
  };
}

/** fnmatch(pattern, text, caseFold ? FNM_CASEFOLD : 0) === 0. */
export function fnmatch(pattern: string, text: string, caseFold = false): boolean {
  return fnmatchCompile(pattern, caseFold).match(text);
}
