/**
 * A plain text table: a header, a rule, one line per row, columns padded to their widest cell
 * (numbers right-aligned where asked), trailing spaces trimmed.
 */
export function formatTextTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((line) => line[c]!.length)));
  const line = (cols: readonly string[]): string => cols.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}
