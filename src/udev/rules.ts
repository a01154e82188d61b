/**
 * Rules files read into rules: each line's items checked and turned into tokens (rules_keys.ts),
 * GOTOs tied to their LABEL further down the same file. Like udev, a line with an error is
 * dropped and the others kept; unlike udevd, which only logs, every problem comes back as a
 * located diagnostic, so a caller can refuse rules with errors (`vdrm udev test` does).
 *
 * @see rule_add_line() and rule_resolve_goto() in systemd's src/udev/udev-rules.c
 */
import { ItemError, tokenOf, type Diagnostic, type Token } from "./rules_keys.js";
import { parseRulesSyntax, RulesSyntaxError, type Position, type RuleLineSyntax } from "./rules_syntax.js";

export interface RuleLine {
  readonly at: Position;
  readonly text: string;
  /** Matches first, then assignments, in udev's order. */
  readonly tokens: readonly Token[];
  readonly label: string | null;
  readonly gotoLabel: string | null;
  /** The index in its file's lines of the LABEL line GOTO jumps to. */
  gotoIndex: number | null;
}

export interface RuleFile {
  readonly path: string;
  readonly lines: readonly RuleLine[];
}

export interface RuleSet {
  readonly files: readonly RuleFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Whether udev evaluates the line at all: it jumps or changes something. */
export function lineHasEffect(line: RuleLine): boolean {
  return line.gotoLabel !== null || line.tokens.some((t) => t.t !== "match" && !(t.t === "unsupported" && t.match));
}

function ruleLine(syntax: RuleLineSyntax, diagnostics: Diagnostic[]): RuleLine | null {
  const tokens: Token[] = [];
  let label: string | null = null;
  let gotoLabel: string | null = null;
  for (const item of syntax.items) {
    const warn = (message: string): void => void diagnostics.push({ severity: "warning", at: item.at, message: `${item.text}: ${message}` });
    try {
      if (item.key === "GOTO" || item.key === "LABEL") tokenOf(item, warn); // checks the shape only
      if (item.key === "GOTO") {
        if (gotoLabel !== null) warn("a second GOTO in one rule is ignored");
        else gotoLabel = item.value;
      } else if (item.key === "LABEL") {
        if (label !== null) warn(`a second LABEL in one rule replaces LABEL="${label}"`);
        label = item.value;
      } else tokens.push(tokenOf(item, warn));
    } catch (e) {
      if (!(e instanceof ItemError)) throw e;
      diagnostics.push({ severity: "error", at: item.at, message: `${item.text}: ${e.message}; the rule is ignored` });
      return null;
    }
  }
  tokens.sort((a, b) => a.rank - b.rank);
  const line: RuleLine = { at: syntax.at, text: syntax.text, tokens, label, gotoLabel, gotoIndex: null };
  if (label === null && !lineHasEffect(line)) {
    diagnostics.push({ severity: "warning", at: syntax.at, message: "the rule has no effect (no assignment, GOTO or LABEL); it is ignored" });
    return null;
  }
  return line;
}

function resolveGotos(lines: RuleLine[], diagnostics: Diagnostic[]): void {
  lines.forEach((line, i) => {
    if (line.gotoLabel === null) return;
    const target = lines.findIndex((l, j) => j > i && l.label === line.gotoLabel);
    if (target >= 0) line.gotoIndex = target;
    else diagnostics.push({ severity: "error", at: line.at, message: `GOTO="${line.gotoLabel}" has no matching LABEL further down in this file` });
  });
}

/** One rules file's content. */
export function parseRulesFile(content: string, path: string, diagnostics: Diagnostic[]): RuleFile {
  const lines: RuleLine[] = [];
  for (const s of parseRulesSyntax(content, path)) {
    if (s instanceof RulesSyntaxError) {
      diagnostics.push({ severity: "error", at: s.at, message: `${s.what}; the rule is ignored` });
      continue;
    }
    const line = ruleLine(s, diagnostics);
    if (line !== null) lines.push(line);
  }
  resolveGotos(lines, diagnostics);
  return { path, lines };
}

/** The diagnostic as udev-like text: `file:line:column: error: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.at.file}:${d.at.line}:${d.at.column}: ${d.severity}: ${d.message}`;
}
