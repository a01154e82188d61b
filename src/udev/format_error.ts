/**
 * The error every uevent parser of this layer throws: what is wrong and where, as a byte
 * offset into a datagram or a line (and column) of a text.
 */
import { UeventParseError } from "../uapi/mod.js";

export type UeventWhere =
  | { readonly byte: number }
  | { readonly line: number; readonly column?: number };

export class UeventFormatError extends UeventParseError {
  constructor(
    readonly what: string,
    readonly where: UeventWhere,
    readonly source = "",
  ) {
    super(`Cannot parse uevent${source === "" ? "" : ` in ${source}`}: ${what} ${describeWhere(where)}`);
  }
}

export function describeWhere(where: UeventWhere): string {
  if ("byte" in where) return `at byte ${where.byte}`;
  return where.column === undefined ? `at line ${where.line}` : `at line ${where.line}, column ${where.column}`;
}

/** A string for a message: at most `max` characters, control characters escaped. */
export function excerpt(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut);
}
