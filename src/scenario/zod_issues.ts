/**
 * Turns zod's issues into scenario errors a person can act on: unknown keys name the key and
 * the closest known one; a union reports the branch whose type matched, not "Invalid input".
 */
import type { z } from "zod";
import type { DataPath } from "./locate.js";
import { didYouMean } from "./suggest.js";

export interface PathIssue {
  readonly path: DataPath;
  readonly message: string;
  /** Point at the key rather than the value (unknown keys). */
  readonly atKey: boolean;
  /** The step the issue is in: how to name it, and how much of `path` leads to it. */
  readonly step?: { readonly label: string; readonly depth: number };
}

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The keys the object schema at `path` knows, for suggestions. */
function knownKeysAt(schema: z.ZodType | undefined, path: DataPath): string[] {
  let s = schema;
  for (let i = 0; s !== undefined && i <= path.length; ) {
    const def = defOf(s);
    if (def.type === "optional" || def.type === "nullable" || def.type === "default") s = def.innerType;
    else if (def.type === "pipe") s = def.in;
    else if (def.type === "union") return [...new Set((def.options ?? []).flatMap((o) => knownKeysAt(o, path.slice(i))))];
    else if (i === path.length) return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
    else if (def.type === "array") (s = def.element), i++;
    else if (def.type === "record") (s = def.valueType), i++;
    else if (def.type === "object") (s = def.shape?.[String(path[i])]), i++;
    else return [];
  }
  return [];
}

type Issue = z.core.$ZodIssue;

/**
 * `base` is where the validated value sits in the file; `rel` is where the issues' paths start
 * inside the schema (non-empty inside a union branch).
 */
export function pathIssues(issues: readonly Issue[], schema: z.ZodType, base: DataPath = [], rel: DataPath = []): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const inSchema = [...rel, ...issue.path];
    const path = [...base, ...inSchema];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, inSchema);
      for (const key of issue.keys) out.push({ path: [...path, key], atKey: true, message: `unknown key "${key}"${didYouMean(key, known)}${known.length ? `; expected ${known.join(", ")}` : ""}` });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // The branch whose type matched carries the useful message.
      // A whole-number check fails as invalid_type "int" on a number: that branch matched the type.
      const wrongType = (b: Issue): boolean =>
        b.code === "invalid_type" && b.path.length === 0 && b.expected !== "int";
      const matched = issue.errors.filter((branch) => !branch.some(wrongType));
      if (matched.length === 1) out.push(...pathIssues(matched[0]!, schema, base, inSchema));
      else out.push({ path, atKey: false, message: issue.message });
    } else if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
      out.push({ path: path.slice(0, -1), atKey: false, message: `missing "${String(path[path.length - 1])}" (${issue.expected})` });
    } else if (issue.code === "custom" && (issue.params as { atKey?: unknown } | undefined)?.atKey === true) {
      out.push({ path, atKey: true, message: issue.message });
    } else out.push({ path, atKey: false, message: issue.message });
  }
  return out;
}
