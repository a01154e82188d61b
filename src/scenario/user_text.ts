/**
 * Text a user wrote, shown inside one-line messages: control characters (CR, LF, ESC, ...)
 * escaped so that a value cannot break a line or drive the terminal, and long values cut.
 */
import { QUOTED_CHARS_MAX } from "./limits.js";

// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `s` with every control character written as an escape (`\n`, `\r`, `\x1b`, `\u2028`).
 * `\xNN` is used up to `xMax` (0xff: C1 controls too), `\uNNNN` above.
 */
export function escapeControls(s: string, xMax = 0xff): string {
  return s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= xMax ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, "0");
}

/** `s` escaped and cut to `max` characters, with `…` where it was cut. */
export function shortText(s: string, max = QUOTED_CHARS_MAX): string {
  const e = escapeControls(s.length > max * 4 ? s.slice(0, max * 4) : s);
  return e.length > max ? `${e.slice(0, max - 1)}…` : e;
}

/** Several lines of user text (a description): each line escaped, the line breaks kept. */
export function escapeLines(s: string): string {
  return s.split("\n").map((line) => escapeControls(line)).join("\n");
}
