/**
 * One word of a shell command, quoted so that bash reads back exactly the text: as it is when
 * it holds only safe characters, in single quotes otherwise, and in ANSI-C quotes (`$'...'`)
 * when it holds control characters, which then print as escapes and keep the command on one
 * line: `\xNN` for the ASCII ones, `\uNNNN` for the others (bash reads `$'\x85'` as the byte
 * 0x85, not as the character U+0085). Used by the replay commands a run prints.
 */
import { escapeControls } from "./user_text.js";

const ASCII_MAX = 0x7f;
const SAFE = /^[\w@%+=:,./-]+$/;

/** `word` as bash reads it back unchanged, on one line. */
export function shellQuote(word: string): string {
  if (SAFE.test(word)) return word;
  if (escapeControls(word) === word) return `'${word.replace(/'/g, `'\\''`)}'`;
  return `$'${escapeControls(word.replace(/['\\]/g, "\\$&"), ASCII_MAX)}'`;
}
