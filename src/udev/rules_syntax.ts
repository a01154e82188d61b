/**
 * The syntax of a udev rules file, as udev's parser reads it: one rule a line; leading
 * whitespace skipped; a line whose first character is `#` ignored (even inside a continued
 * rule); a line ending in `\` continued on the next; items `KEY[{ATTR}] OP [e|i]"VALUE"`
 * separated by commas and/or whitespace. In a value, `\"` is a quote; with the `e` prefix C
 * escapes (`\n`, `\x41`, ...) apply; with `i` the match ignores case.
 *
 * Every item keeps the line and column it started at in the file (a continued rule maps back
 * to its physical lines), so errors name file:line:column.
 *
 * @see udev_rules_parse_file(), parse_line() and udev_rule_parse_value() in systemd's
 * src/udev/udev-rules.c
 */

export type RuleOp = "==" | "!=" | "+=" | "-=" | "=" | ":=";

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface RuleItem {
  readonly key: string;
  readonly attr: string | null;
  readonly op: RuleOp;
  readonly value: string;
  readonly caseInsensitive: boolean;
  /** The item as written, for messages: `ENV{WEDGED}=="rebind"`. */
  readonly text: string;
  readonly at: Position;
}

export interface RuleLineSyntax {
  readonly items: readonly RuleItem[];
  /** The rule as one line (continuations joined), for messages. */
  readonly text: string;
  readonly at: Position;
}

export class RulesSyntaxError extends SyntaxError {
  override readonly name = "RulesSyntaxError";
  constructor(readonly what: string, readonly at: Position) {
    super(`${at.file}:${at.line}:${at.column}: ${what}`);
  }
}

/** A logical line and, per character, where it came from in the file. */
interface Logical {
  readonly text: string;
  readonly line: number[];
  readonly column: number[];
}

const WS = new Set([" ", "\t", "\n", "\r", "\v", "\f"]);

/** Joins continued lines; comments and empty lines give nothing. */
export function logicalLines(content: string): Logical[] {
  const out: Logical[] = [];
  let cur: { text: string; line: number[]; column: number[] } | null = null;
  const physical = content.split("\n");
  if (physical.at(-1) === "") physical.pop();
  physical.forEach((raw, i) => {
    let start = 0;
    while (start < raw.length && WS.has(raw[start]!)) start++;
    if (raw[start] === "#") return;
    let body = raw.slice(start);
    const continued = body.endsWith("\\");
    if (continued) body = body.slice(0, -1);
    cur ??= { text: "", line: [], column: [] };
    for (let j = 0; j < body.length; j++) {
      cur.line.push(i + 1);
      cur.column.push(start + j + 1);
    }
    cur.text += body;
    if (continued) return;
    if (cur.text.length > 0) out.push(cur);
    cur = null;
  });
  return out;
}

function unescapeC(s: string): string | null {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "\\") {
      out += s[i];
      continue;
    }
    const c = s[++i];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'", s: " " };
    if (c !== undefined && simple[c] !== undefined) out += simple[c];
    else if (c === "x" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c !== undefined && /^[0-7]{3}$/.test(s.slice(i, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i, i + 3), 8));
      i += 2;
    } else return null;
  }
  return out;
}

class LineReader {
  i = 0;
  constructor(readonly l: Logical, readonly file: string) {}
  at(i = this.i): Position {
    const k = Math.min(i, this.l.text.length - 1);
    return { file: this.file, line: this.l.line[k]!, column: this.l.column[k]! + (i > k ? 1 : 0) };
  }
  fail(what: string, i = this.i): never {
    throw new RulesSyntaxError(what, this.at(i));
  }
  skip(chars: (c: string) => boolean): void {
    while (this.i < this.l.text.length && chars(this.l.text[this.i]!)) this.i++;
  }
}

const OPS: readonly RuleOp[] = ["==", "!=", "+=", "-=", ":=", "="];

function readKey(r: LineReader): { key: string; attr: string | null } {
  const t = r.l.text;
  const start = r.i;
  while (r.i < t.length && !WS.has(t[r.i]!) && t[r.i] !== "=" && t[r.i] !== "{" && !("+-!:".includes(t[r.i]!) && t[r.i + 1] === "=")) r.i++;
  if (r.i >= t.length) r.fail(`item ${JSON.stringify(t.slice(start))} has no operator and value`, start);
  const key = t.slice(start, r.i);
  if (key === "") r.fail("an item has no key", start);
  if (t[r.i] !== "{") return { key, attr: null };
  const close = t.indexOf("}", r.i);
  if (close < 0) r.fail(`${key}{ has no closing }`, r.i);
  const attr = t.slice(r.i + 1, close);
  r.i = close + 1;
  return { key, attr };
}

function readValue(r: LineReader): { value: string; caseInsensitive: boolean } {
  const t = r.l.text;
  const start = r.i;
  let escaped = false;
  let caseInsensitive = false;
  while (t[r.i] !== '"' && r.i < start + 2) {
    if (t[r.i] === "e" && !escaped) escaped = true;
    else if (t[r.i] === "i" && !caseInsensitive) caseInsensitive = true;
    else break;
    r.i++;
  }
  if (t[r.i] !== '"') r.fail('a value must be in double quotes ("...", or e"..." or i"...")', start);
  const open = r.i++;
  let raw = "";
  for (;;) {
    if (r.i >= t.length) r.fail("the value has no closing double quote", open);
    const c = t[r.i]!;
    if (c === '"') break;
    if (c === "\\" && (t[r.i + 1] === '"' || (escaped && r.i + 1 < t.length))) {
      raw += escaped ? c + t[r.i + 1] : '"';
      r.i += 2;
      continue;
    }
    raw += c;
    r.i++;
  }
  r.i++;
  const value = escaped ? unescapeC(raw) : raw;
  if (value === null) r.fail("the value has an invalid escape sequence", open);
  return { value, caseInsensitive };
}

/** Parses one logical line into its items. @throws RulesSyntaxError */
function parseLogical(l: Logical, file: string): RuleLineSyntax {
  const r: LineReader = new LineReader(l, file);
  const items: RuleItem[] = [];
  for (;;) {
    r.skip((c) => WS.has(c) || c === ",");
    if (r.i >= l.text.length) break;
    const start = r.i;
    const { key, attr } = readKey(r);
    r.skip((c) => WS.has(c));
    const op = OPS.find((o) => l.text.startsWith(o, r.i));
    if (op === undefined) r.fail(`${key} has no operator (==, !=, =, +=, -=, :=)`);
    r.i += op.length;
    r.skip((c) => WS.has(c));
    const { value, caseInsensitive } = readValue(r);
    items.push({ key, attr, op, value, caseInsensitive, text: l.text.slice(start, r.i), at: r.at(start) });
  }
  return { items, text: l.text, at: r.at(0) };
}

/** The rules of a file's content; a rule with a syntax error is its error, in its place. */
export function parseRulesSyntax(content: string, file: string): (RuleLineSyntax | RulesSyntaxError)[] {
  return logicalLines(content).map((l) => {
    try {
      return parseLogical(l, file);
    } catch (e) {
      if (e instanceof RulesSyntaxError) return e;
      throw e;
    }
  });
}
