/**
 * A YAML document to plain data, keeping where every value was written. Aliases are expanded
 * here rather than by the yaml library, so that each is bounded and located: every use of
 * `*name` is a fresh copy whose values keep the positions of the anchored text; the values
 * copied in all are at most ALIAS_VALUES_MAX; an alias with no anchor before it, and an alias
 * inside its own anchor (a value cannot contain itself), are errors at the alias.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Alias,
  type Document,
  type Node,
  type Pair,
} from "yaml";
import { ALIAS_VALUES_MAX, NESTING_MAX } from "./limits.js";
import type { DataPath } from "./locate.js";
import type { OffsetError } from "./yaml_parse.js";

/** Where one value of a list or mapping was written. */
interface Entry {
  /** The value (for an alias: the alias itself). */
  readonly at: number;
  /** The key, in a mapping; the value, in a list. */
  readonly keyAt: number;
  /** The text of a plain scalar that YAML read as a number or true/false ("0x10" for 16). */
  readonly written?: string;
  /** The alias the value was copied through. */
  readonly alias?: AliasUse;
}

export interface AliasUse {
  readonly name: string;
  readonly at: number;
}

/** Positions of the values of plain data made from a YAML document. */
export class SourceMap {
  private readonly entries = new Map<object, Map<string | number, Entry>>();

  constructor(
    readonly data: unknown,
    private readonly rootAt: number,
  ) {}

  /** @internal */
  register(container: object, entries: Map<string | number, Entry>): void {
    this.entries.set(container, entries);
  }

  /** The entries along `path`, as far as it goes. */
  private walk(path: DataPath): Entry[] {
    const out: Entry[] = [];
    let cur: unknown = this.data;
    for (const seg of path) {
      if (cur === null || typeof cur !== "object") break;
      const key = Array.isArray(cur) ? Number(seg) : String(seg);
      const e = this.entries.get(cur)?.get(key);
      if (e === undefined) break;
      out.push(e);
      cur = (cur as Record<string | number, unknown>)[key];
    }
    return out;
  }

  /** Where the value at `path` (its key, when `atKey`) or the deepest value reached starts. */
  offset(path: DataPath, atKey = false): number {
    const entries = this.walk(path);
    const last = entries[entries.length - 1];
    if (last === undefined) return this.rootAt;
    return atKey && entries.length === path.length ? last.keyAt : last.at;
  }

  /** How a number or true/false at `path` was written, if it was a plain scalar. */
  written(path: DataPath): string | undefined {
    const entries = this.walk(path);
    return entries.length === path.length ? entries[entries.length - 1]?.written : undefined;
  }

  /** The alias the value at `path` itself was copied through, if any. */
  aliasOf(path: DataPath): AliasUse | undefined {
    const entries = this.walk(path);
    return entries.length === path.length ? entries[entries.length - 1]?.alias : undefined;
  }
}

export type YamlData =
  | { readonly ok: true; readonly source: SourceMap }
  | { readonly ok: false; readonly errors: readonly OffsetError[] };

export function yamlData(doc: Document.Parsed): YamlData {
  const b = new Builder();
  const data = b.value(doc.contents, 0, null);
  if (b.errors.length > 0) return { ok: false, errors: b.errors };
  const source = new SourceMap(data, doc.contents?.range?.[0] ?? 0);
  for (const [container, entries] of b.containers) source.register(container, entries);
  return { ok: true, source };
}

function start(
  node: { range?: [number, number, number] | null } | null | undefined,
  fallback: number,
): number {
  return node?.range?.[0] ?? fallback;
}

class Builder {
  readonly errors: OffsetError[] = [];
  readonly containers: [object, Map<string | number, Entry>][] = [];
  /** Anchors met so far in document order, outside alias copies: the latest wins, as in YAML. */
  private readonly anchors = new Map<string, Node>();
  /** Nodes being built, to catch an alias inside its own anchor. */
  private readonly open = new Set<Node>();
  private copied = 0;
  private stopped = false;

  private fail(at: number, message: string): null {
    this.errors.push({ at, message });
    this.stopped = true;
    return null;
  }

  /** `copy`: the alias use this value is copied through (null outside any). */
  value(node: Node | null | undefined, depth: number, copy: AliasUse | null): unknown {
    if (node == null || this.stopped) return null;
    if (depth > NESTING_MAX)
      return this.fail(start(node, 0), `values nest deeper than ${NESTING_MAX} levels`);
    if (copy !== null && ++this.copied > ALIAS_VALUES_MAX) {
      return this.fail(
        copy.at,
        `aliases copy more than ${ALIAS_VALUES_MAX} values in all; use fewer or smaller snippets`,
      );
    }
    if (copy === null && node.anchor) this.anchors.set(node.anchor, node);
    if (isAlias(node)) return this.alias(node, depth, copy);
    if (isScalar(node)) return scalar(node.value);
    this.open.add(node);
    try {
      if (isSeq(node)) return this.list(node.items as (Node | null)[], depth, copy);
      if (isMap(node))
        return this.mapping(node.items as Pair<Node | null, Node | null>[], depth, copy);
      return this.fail(start(node, 0), "unexpected YAML node");
    } finally {
      this.open.delete(node);
    }
  }

  private alias(node: Alias, depth: number, copy: AliasUse | null): unknown {
    const at = start(node, 0);
    const target = this.anchors.get(node.source);
    if (target === undefined)
      return this.fail(
        at,
        `*${node.source}: no anchor &${node.source} before this alias ` +
          "(an anchor comes before its aliases)",
      );
    if (this.open.has(target))
      return this.fail(
        at,
        `*${node.source} is inside its own anchor &${node.source}: a value cannot contain itself`,
      );
    return this.value(target, depth, copy ?? { name: node.source, at });
  }

  private entry(node: Node | null | undefined, at: number, keyAt: number): Entry {
    if (isAlias(node)) return { at, keyAt, alias: { name: node.source, at } };
    if (
      isScalar(node) &&
      node.type === "PLAIN" &&
      typeof node.value !== "string" &&
      node.source !== undefined
    )
      return { at, keyAt, written: node.source };
    return { at, keyAt };
  }

  private list(items: readonly (Node | null)[], depth: number, copy: AliasUse | null): unknown[] {
    const out: unknown[] = [];
    const entries = new Map<string | number, Entry>();
    for (const [i, item] of items.entries()) {
      const at = start(item, 0);
      entries.set(i, this.entry(item, at, at));
      out.push(this.value(item, depth + 1, copy));
    }
    this.containers.push([out, entries]);
    return out;
  }

  private mapping(
    pairs: readonly Pair<Node | null, Node | null>[],
    depth: number,
    copy: AliasUse | null,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const entries = new Map<string | number, Entry>();
    for (const pair of pairs) {
      const keyAt = start(pair.key, 0);
      const key = this.key(pair.key, copy);
      if (key === null) break;
      const at = start(pair.value, keyAt);
      entries.set(key, this.entry(pair.value, at, keyAt));
      const value = this.value(pair.value, depth + 1, copy);
      // "__proto__" is a key like any other here, not the object's prototype.
      if (key === "__proto__")
        Object.defineProperty(out, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = value;
    }
    this.containers.push([out, entries]);
    return out;
  }

  private key(node: Node | null, copy: AliasUse | null): string | null {
    const k = isAlias(node) || isScalar(node) ? this.value(node, 0, copy) : undefined;
    if (this.stopped) return null;
    if (k === undefined || (k !== null && typeof k === "object"))
      return this.fail(start(node, 0), "a key is a name or a number, not a list or a mapping");
    return String(k);
  }
}

/**
 * A scalar as data: numbers, text, true/false and null; anything else (a custom tag) as text.
 * An integer a number holds exactly is a number; a larger one (a __u64 value of an ioctl
 * field) stays a bigint, exact, and schemas that take only numbers refuse it at its place.
 */
function scalar(v: unknown): unknown {
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean")
    return v;
  if (typeof v === "bigint") return safeInteger(v) ? Number(v) : v;
  return String(v);
}

function safeInteger(v: bigint): boolean {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
}
