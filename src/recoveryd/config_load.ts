/**
 * Reading the configuration file: YAML, validated against the schema, every problem with its
 * file, line and column (`recoveryd.yaml:7:12: consumers.policy: expected one of ...`). Nothing
 * is trusted unless the whole file is valid.
 */
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { configSchema, type Config } from "./config.js";

export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

/** The offset of the deepest node of `path` that exists in the document. */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      if (n === path.length || n === 0) return node.range[0];
      return keyOffset(doc, path.slice(0, n)) ?? node.range[0];
    }
  }
  return 0;
}

/** Where the key of the mapping entry at `path` starts (an unknown key is reported there). */
function keyOffset(doc: Document, path: readonly PropertyKey[]): number | null {
  const parent = doc.getIn(path.slice(0, -1) as unknown[], true) ?? doc.contents;
  if (!isNode(parent) || !("items" in parent)) return null;
  for (const item of parent.items as unknown[]) {
    const key = (item as { key?: unknown }).key;
    if (isNode(key) && (key as { value?: unknown }).value === path[path.length - 1]) return key.range?.[0] ?? null;
  }
  return null;
}

function issueMessage(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string; key?: PropertyKey } {
  const path = [...issue.path];
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    return { path, message: `unknown key ${keys}`, key: issue.keys[0]! };
  }
  return { path, message: issue.message };
}

export function parseConfig(text: string, file: string): ConfigResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number, message: string): ConfigError => ({ file, ...lc.linePos(offset), message });
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => at(e.pos[0], e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""))) };
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(data);
  if (parsed.success) return { ok: true, config: parsed.data };
  const errors = parsed.error.issues.map((issue) => {
    const { path, message, key } = issueMessage(issue);
    const where = path.length === 0 ? "the file" : path.map(String).join(".");
    const offset = key === undefined ? offsetOf(doc, path) : (keyOffset(doc, [...path, key]) ?? offsetOf(doc, path));
    return at(offset, `${where}: ${message}`);
  });
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return { ok: false, errors };
}
