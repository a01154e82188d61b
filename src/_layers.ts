/**
 * The layer rules of docs/ARCHITECTURE.md, read from its table, and the check of the import
 * graph of src/ against them (layers.test.ts runs it over every .ts file, tests included).
 *
 * The table is the only statement of the rules: its "folder" column names each layer's
 * folders (`src/kernel`, or `src/*.ts` for the files directly in src/), and its "may import"
 * column lists, in backquotes, the folders the layer may import (`kernel`, `uapi`), or says
 * "nothing of ours". A folder always imports itself.
 * @internal
 */
import { posix } from "node:path";

export interface LayerRule {
  /** The layer's name in the table's first column. */
  readonly layer: string;
  /** Folder keys: "kernel" for src/kernel, "." for the files directly in src/. */
  readonly folders: readonly string[];
  readonly mayImport: ReadonlySet<string>;
}

export interface SourceImports {
  /** The file, relative to the repository: "src/kernel/sim.ts". */
  readonly file: string;
  /** Its import specifiers as written: "./task.js", "../drm/mod.js", "node:fs". */
  readonly specifiers: readonly string[];
}

const ROOT_FILES = "src/*.ts";

/** The rules in the table under `## Layers` of `markdown`; throws Error naming a bad row. */
export function parseLayerTable(markdown: string): LayerRule[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith("Layers"));
  if (section === undefined) throw new Error("Cannot read layer rules: no '## Layers' section");
  const rows = section
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .slice(2);
  const rules = rows.map((row, i) => {
    const cells = row
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length < 3)
      throw new Error(`Cannot read layer rules: row ${i + 1} has ${cells.length} cells`);
    const folders = backquoted(cells[1]!).map((f) =>
      f === ROOT_FILES ? "." : f.replace(/^src\//, ""),
    );
    const mayImport = cells[2] === "nothing of ours" ? [] : backquoted(cells[2]!);
    if (folders.length === 0)
      throw new Error(`Cannot read layer rules: row "${cells[0]}" names no folder`);
    return { layer: cells[0]!, folders, mayImport: new Set(mayImport) };
  });
  const known = new Set(rules.flatMap((r) => r.folders));
  for (const r of rules) {
    const unknown = [...r.mayImport].find((m) => !known.has(m));
    if (unknown !== undefined) {
      const why = `layer "${r.layer}" may import "${unknown}", which no row names`;
      throw new Error(`Cannot read layer rules: ${why}`);
    }
  }
  const cycle = findCycle(rules);
  if (cycle !== null) {
    const why = `the layers import each other in a cycle: ${cycle.join(" -> ")}`;
    throw new Error(`Cannot read layer rules: ${why}`);
  }
  return rules;
}

function backquoted(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** A cycle in the may-import graph between folders, or null. */
function findCycle(rules: readonly LayerRule[]): string[] | null {
  const edges = new Map<string, string[]>();
  for (const r of rules)
    for (const f of r.folders)
      edges.set(
        f,
        [...r.mayImport].filter((m) => m !== f),
      );
  const state = new Map<string, "open" | "done">();
  const visit = (f: string, path: string[]): string[] | null => {
    if (state.get(f) === "open") return [...path.slice(path.indexOf(f)), f];
    if (state.get(f) === "done") return null;
    state.set(f, "open");
    for (const next of edges.get(f) ?? []) {
      const c = visit(next, [...path, f]);
      if (c !== null) return c;
    }
    state.set(f, "done");
    return null;
  };
  for (const f of edges.keys()) {
    const c = visit(f, []);
    if (c !== null) return c;
  }
  return null;
}

/** The folder key of a file under src/ ("kernel", or "." for src/mod.ts), or null outside src/. */
function folderOf(file: string): string | null {
  const parts = posix.normalize(file).split("/");
  if (parts[0] !== "src" || parts.length < 2) return null;
  return parts.length === 2 ? "." : parts[1]!;
}

function describeFolder(folder: string): string {
  return folder === "." ? ROOT_FILES : `src/${folder}`;
}

/**
 * Every import that breaks the rules, as a message naming the file, the import and the rule.
 * A file in a folder that no row names is reported too.
 */
export function checkImports(
  rules: readonly LayerRule[],
  files: readonly SourceImports[],
): string[] {
  const byFolder = new Map(rules.flatMap((r) => r.folders.map((f) => [f, r] as const)));
  const problems: string[] = [];
  for (const { file, specifiers } of files) {
    const from = folderOf(file);
    const rule = from === null ? undefined : byFolder.get(from);
    if (from === null || rule === undefined) {
      problems.push(`${file} is in no layer of docs/ARCHITECTURE.md: add its folder to the table`);
      continue;
    }
    for (const spec of specifiers) {
      if (!spec.startsWith(".")) continue;
      const target = posix.join(posix.dirname(file), spec);
      const to = folderOf(target);
      if (to === from || (to !== null && rule.mayImport.has(to))) continue;
      const allowed =
        rule.mayImport.size === 0 ? "nothing of ours" : `only ${[...rule.mayImport].join(", ")}`;
      const what = to === null ? "outside src/" : describeFolder(to);
      problems.push(
        `${file} imports "${spec}" (${what}), but ${describeFolder(from)} may import ${allowed} ` +
          `(docs/ARCHITECTURE.md, layer "${rule.layer}")`,
      );
    }
  }
  return problems;
}
