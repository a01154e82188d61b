/**
 * One word of a shell command, quoted so that bash reads back exactly the text: as it is when
 * it holds only safe characters, in single quotes otherwise, and in ANSI-C quotes (`$'...'`)
 * when it holds control characters, which then print as escapes and keep the command on one
 * line. Used by the replay commands a run prints.
 */

const SAFE = /^[\w@%+=:,./-]+$/;
// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const ANSI_C = /[\u0000-\u001f\u007f-\u009f\u2028\u2029'\\]/g;
const NAMED: Readonly<Record<string, string>> = {
  "\n": "\\n", "\r": "\\r", "\t": "\\t", "'": "\\'", "\\": "\\\\",
};

/** `word` as bash reads it back unchanged, on one line. */
export function shellQuote(word: string): string {
  if (SAFE.test(word)) return word;
  if (!CONTROL.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  const escaped = word.replace(ANSI_C, (c) => {
    const code = c.charCodeAt(0);
    const hex = code.toString(16);
    return NAMED[c] ?? (code <= 0xff ? `\\x${hex.padStart(2, "0")}` : `\\u${hex}`);
  });
  return `$'${escaped}'`;
}
