/**
 * Located scenario errors: a message with the file, line and column it is about, printed on
 * one line whatever the user's text in it holds.
 */
import { escapeControls } from "./user_text.js";

export type DataPath = readonly PropertyKey[];

export interface Located {
  readonly file: string;
  /** 1-based; 0 when the error is about the file as a whole. */
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export function formatLocated(e: Located): string {
  const text =
    e.line === 0 ? `${e.file}: ${e.message}` : `${e.file}:${e.line}:${e.col}: ${e.message}`;
  return escapeControls(text);
}
