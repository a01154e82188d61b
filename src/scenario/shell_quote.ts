/**
 * One word of a shell command, quoted so that bash reads back exactly the text: as it is when
 * it holds only safe characters, in single quotes otherwise, and in ANSI-C quotes (`$'...'`)
 * when it holds control characters, which then print as escapes (those of escapeControls(),
 * which bash reads back in `$'...'`) and keep the command on one line. Used by the replay
 * commands a run prints.
 */
import { escapeControls } from "./user_text.js";

const SAFE = /^[\w@%+=:,./-]+$/;

/** `word` as bash reads it back unchanged, on one line. */
export function shellQuote(word: string): string {
  if (SAFE.test(word)) return word;
  const escaped = escapeControls(word);
  if (escaped === word) return `'${word.replace(/'/g, `'\\''`)}'`;
  return `$'${escapeControls(word.replace(/['\\]/g, "\\$&"))}'`;
}
