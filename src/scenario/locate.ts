/**
 * Source positions for scenario errors: from a path in the parsed data (["programs", "app", 2,
 * "ioctl"]) to the line and column of that node (or of its key) in the YAML/JSON text.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter } from "yaml";

export type DataPath = readonly PropertyKey[];

export interface Located {
  readonly file: string;
  /** 1-based; 0 when the error is about the file as a whole. */
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export function formatLocated(e: Located): string {
  return e.line === 0 ? `${e.file}: ${e.message}` : `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

/** Position of the node at `path`, or of its key when `atKey`; the deepest existing node if the path ends early. */
export function positionOf(doc: Document, lc: LineCounter, path: DataPath, atKey = false): { line: number; col: number } {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      if (atKey && i === path.length - 1) {
        offset = rangeStart(pair.key) ?? offset;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
    } else break;
    offset = rangeStart(node) ?? offset;
  }
  const p = lc.linePos(offset);
  return { line: p.line, col: p.col };
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r?.[0];
}
