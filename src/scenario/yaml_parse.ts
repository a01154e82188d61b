/**
 * Scenario text to a YAML document, with syntax errors at their offsets. Nesting is bounded
 * before the yaml library composes the document: its composer recurses once a level, and a
 * stack overflow caught inside it can leave V8 unable to compile a regular expression later
 * in the same process (a fatal out-of-memory, not an exception).
 *
 * A syntax error on a line such as `note: the card: it goes away` says to quote the value;
 * such lines are not accepted as they are, so a scenario file stays YAML that every other
 * YAML tool reads the same way.
 */
import { Composer, LineCounter, Parser, type CST, type Document } from "yaml";
import { NESTING_MAX } from "./limits.js";

/** A problem at an offset of the text. */
export interface OffsetError {
  readonly at: number;
  readonly message: string;
}

export type YamlParse =
  | { readonly ok: true; readonly doc: Document.Parsed; readonly lc: LineCounter }
  | { readonly ok: false; readonly lc: LineCounter; readonly errors: readonly OffsetError[] };

export function parseYaml(text: string): YamlParse {
  const lc = lineCounter(text);
  const tokens = [...new Parser().parse(text)];
  const deep = tooDeep(tokens);
  if (deep !== null)
    return {
      ok: false,
      lc,
      errors: [{ at: deep, message: `values nest deeper than ${NESTING_MAX} levels` }],
    };
  // Integers come as bigints so that a 64-bit value is exact; yamlData() makes those a number
  // holds exactly numbers again.
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false, intAsBigInt: true });
  const docs = withoutStackTraces(() => [...composer.compose(tokens, true, text.length)]);
  const doc = docs[0];
  if (doc === undefined)
    return { ok: false, lc, errors: [{ at: 0, message: "the file holds no YAML document" }] };
  const errors: OffsetError[] = doc.errors.map((e) => ({
    at: e.pos[0],
    message: syntaxMessage(text, e.pos[0], e.code, e.message),
  }));
  if (docs.length > 1)
    errors.push({
      at: docs[1]!.range[0],
      message: "a scenario file holds one YAML document; this is a second one (after ---)",
    });
  return errors.length > 0 ? { ok: false, lc, errors } : { ok: true, doc, lc };
}

/**
 * Where the lines of `text` start. Counted here rather than by the parser: after a syntax
 * error, the parser may swallow a line break inside a bad token without reporting it, and
 * every position after it would then be on the wrong line.
 */
function lineCounter(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return lc;
}

/** The offset of the first collection nested deeper than NESTING_MAX, or null. */
function tooDeep(tokens: readonly CST.Token[]): number | null {
  // An explicit stack: the point is not to recurse once a level.
  const stack: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [token, depth] = top;
    const children = childTokens(token);
    if (children.length === 0) continue;
    const inner = token.type === "document" ? depth : depth + 1;
    if (inner > NESTING_MAX) return token.offset;
    for (const c of children) stack.push([c, inner]);
  }
  return null;
}

function childTokens(t: CST.Token): CST.Token[] {
  switch (t.type) {
    case "document":
      return t.value === undefined ? [] : [t.value];
    case "block-map":
    case "block-seq":
    case "flow-collection":
      return (t.items as CST.CollectionItem[]).flatMap((it) =>
        [it.key, it.value].filter((x): x is CST.Token => x != null),
      );
    default:
      return [];
  }
}

/** The library's message without its position, and what to do for the common cases. */
function syntaxMessage(text: string, at: number, code: string, message: string): string {
  const first = message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (code !== "BLOCK_AS_IMPLICIT_KEY") return first;
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  const lineEnd = text.indexOf("\n", at);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, "");
  const m = /^\s*(?:-\s+)?([\w-]+):\s+(.*\S)\s*$/.exec(line);
  if (m === null) return first;
  return `a value holding ": " must be quoted: write ${m[1]}: ${JSON.stringify(m[2])}`;
}

/**
 * Runs `fn` with no JavaScript stack captured for the errors it makes: the yaml library makes
 * one Error object per syntax error, and a broken file can have thousands of them (an
 * unterminated quote makes every later token one), whose stacks nobody reads; capturing them
 * made such a file take seconds to load.
 */
function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
