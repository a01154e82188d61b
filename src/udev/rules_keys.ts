/**
 * What each key of a rule means and which operators it takes, checked as udev checks it, and
 * the subset vdrm evaluates: the match keys ACTION, DEVPATH, KERNEL, SUBSYSTEM, DRIVER, ENV{},
 * ATTR{} and the parent-walking KERNELS, SUBSYSTEMS, DRIVERS, ATTRS{}; the assignments ENV{}
 * and RUN{program} (RUN{builtin} is listed, not run); GOTO and LABEL. Every other key of
 * udev(7) is understood but not evaluated: a rule matching on one never matches in vdrm, and an
 * assignment of one is not applied; both are warnings naming the item.
 *
 * Tokens are ordered within a rule by kind, matches first, as udev sorts them.
 *
 * @see parse_token() and sort_tokens() in systemd's src/udev/udev-rules.c
 */
import { checkFormat } from "./format_subst.js";
import { compilePattern, type Pattern } from "./rules_match.js";
import type { Position, RuleItem } from "./rules_syntax.js";

export type MatchKey = "ACTION" | "DEVPATH" | "KERNEL" | "ENV" | "SUBSYSTEM" | "DRIVER" | "ATTR" | "KERNELS" | "SUBSYSTEMS" | "DRIVERS" | "ATTRS";

export type Token =
  | { readonly t: "match"; readonly key: MatchKey; readonly attr: string; readonly negate: boolean; readonly pattern: Pattern; readonly parent: boolean; readonly item: RuleItem; readonly rank: number }
  | { readonly t: "env"; readonly name: string; readonly append: boolean; readonly value: string; readonly item: RuleItem; readonly rank: number }
  | { readonly t: "run"; readonly builtin: boolean; readonly op: "=" | "+=" | ":="; readonly value: string; readonly item: RuleItem; readonly rank: number }
  | { readonly t: "unsupported"; readonly match: boolean; readonly item: RuleItem; readonly rank: number };

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly at: Position;
  readonly message: string;
}

/** An error in an item: the rule is dropped, as udev drops it. */
export class ItemError extends Error {}

const MATCH_RANK: Readonly<Record<string, number>> = {
  ACTION: 0, DEVPATH: 1, KERNEL: 2, SYMLINK: 3, NAME: 4, ENV: 5, CONST: 6, TAG: 7, SUBSYSTEM: 8, DRIVER: 9,
  ATTR: 10, SYSCTL: 11, KERNELS: 12, SUBSYSTEMS: 13, DRIVERS: 14, ATTRS: 15, TAGS: 16, TEST: 17, PROGRAM: 18,
  IMPORT: 19, RESULT: 25,
};
const ASSIGN_RANK: Readonly<Record<string, number>> = {
  OPTIONS: 30, OWNER: 31, GROUP: 32, MODE: 33, TAG: 34, SECLABEL: 35, ENV: 36, NAME: 37, SYMLINK: 38, ATTR: 39,
  SYSCTL: 40, RUN_BUILTIN: 41, RUN: 42,
};
const MATCH_ONLY = new Set(["ACTION", "DEVPATH", "KERNEL", "SUBSYSTEM", "DRIVER", "KERNELS", "SUBSYSTEMS", "DRIVERS", "TAGS", "RESULT", "CONST", "TEST", "ATTRS"]);
const ASSIGN_ONLY = new Set(["OWNER", "GROUP", "MODE", "SECLABEL", "OPTIONS", "RUN"]);
const NEEDS_ATTR = new Set(["ENV", "ATTR", "ATTRS", "SYSCTL", "SECLABEL", "IMPORT", "CONST"]);
const TAKES_ATTR = new Set([...NEEDS_ATTR, "TEST", "RUN"]);
const EVALUATED = new Set(["ACTION", "DEVPATH", "KERNEL", "SUBSYSTEM", "DRIVER", "ENV", "ATTR", "KERNELS", "SUBSYSTEMS", "DRIVERS", "ATTRS", "RUN"]);
const PARENT_KEYS = new Set(["KERNELS", "SUBSYSTEMS", "DRIVERS", "ATTRS"]);
const KNOWN = new Set([...Object.keys(MATCH_RANK), ...Object.keys(ASSIGN_RANK), "GOTO", "LABEL"]);
/** Properties a rule may not set (device_property_can_set() in sd-device). */
const READ_ONLY_PROPERTIES = new Set(["ACTION", "DEVLINKS", "DEVNAME", "DEVPATH", "DEVTYPE", "DRIVER", "IFINDEX", "MAJOR", "MINOR", "SEQNUM", "SUBSYSTEM", "TAGS", "CURRENT_TAGS", "USEC_INITIALIZED"]);

const isMatchOp = (op: string): boolean => op === "==" || op === "!=";

/** Checks the substitutions of an assigned value; an error names the column of the fault. */
function checkValueFormat(item: RuleItem): void {
  const bad = checkFormat(item.value);
  if (bad !== null) throw new ItemError(`invalid value ${JSON.stringify(item.value)} for ${item.key} (char ${bad.at + 1}: ${bad.error})`);
}

/** The operator and attribute rules of udev for `item`, and warnings for what udev corrects. */
function checkShape(item: RuleItem, warn: (m: string) => void): RuleItem["op"] {
  const { key, attr, op } = item;
  if (!KNOWN.has(key)) throw new ItemError(`invalid key ${JSON.stringify(key)}`);
  if (attr !== null && !TAKES_ATTR.has(key)) throw new ItemError(`invalid attribute for ${key}: it takes no {...}`);
  if (NEEDS_ATTR.has(key) && (attr === null || attr === "")) throw new ItemError(`${key} needs an attribute: ${key}{...}`);
  if (MATCH_ONLY.has(key) && !isMatchOp(op)) throw new ItemError(`invalid operator ${op} for ${key}: it takes == or !=`);
  if (ASSIGN_ONLY.has(key) && isMatchOp(op)) throw new ItemError(`invalid operator ${op} for ${key}: it is an assignment`);
  if ((key === "GOTO" || key === "LABEL") && op !== "=") throw new ItemError(`invalid operator ${op} for ${key}: it takes =`);
  if (op === "-=" && key !== "SYMLINK" && key !== "TAG") throw new ItemError(`invalid operator -= for ${key}`);
  if (item.caseInsensitive && !isMatchOp(op)) throw new ItemError(`the i prefix is only for == and != (${key})`);
  if (key === "ENV" && op === ":=") {
    warn("ENV takes ==, !=, = or +=: := is taken as =");
    return "=";
  }
  if ((key === "ATTR" || key === "SYSCTL") && (op === "+=" || op === ":=")) {
    warn(`${key} takes ==, != or =: ${op} is taken as =`);
    return "=";
  }
  return op;
}

function matchToken(item: RuleItem, key: MatchKey): Token {
  const attribute = key === "ATTR" || key === "ATTRS";
  const { pattern, flip } = compilePattern(item.value, { subsystemKey: key === "SUBSYSTEM", attribute, caseInsensitive: item.caseInsensitive });
  return { t: "match", key, attr: item.attr ?? "", negate: (item.op === "!=") !== flip, pattern, parent: PARENT_KEYS.has(key), item, rank: MATCH_RANK[key]! };
}

/** The token of one item; GOTO and LABEL are handled by the caller. @throws ItemError */
export function tokenOf(item: RuleItem, warn: (m: string) => void): Token {
  const op = checkShape(item, warn);
  const { key } = item;
  const match = isMatchOp(op) || key === "PROGRAM" || key === "IMPORT";
  if (!EVALUATED.has(key) || (key === "ATTR" && !match) || (key === "RUN" && item.attr === "builtin")) {
    const rank = match ? MATCH_RANK[key]! : ASSIGN_RANK[key === "RUN" ? "RUN_BUILTIN" : key]!;
    if (key === "RUN" && item.attr === "builtin") {
      return { t: "run", builtin: true, op: op as "=" | "+=" | ":=", value: item.value, item, rank };
    }
    warn(match ? `vdrm does not evaluate ${key}: this rule never matches in vdrm` : `vdrm does not apply ${key}${item.attr === null ? "" : "{...}"} assignments; ignored`);
    return { t: "unsupported", match, item, rank };
  }
  if (match) return matchToken(item, key as MatchKey);
  checkValueFormat(item);
  if (key === "ENV") {
    if (READ_ONLY_PROPERTIES.has(item.attr!)) throw new ItemError(`ENV{${item.attr}} cannot be set`);
    return { t: "env", name: item.attr!, append: op === "+=", value: item.value, item, rank: ASSIGN_RANK.ENV! };
  }
  if (item.attr !== null && item.attr !== "program") throw new ItemError(`invalid attribute ${JSON.stringify(item.attr)} for RUN: program or builtin`);
  if (item.value === "") throw new ItemError("RUN needs a program");
  return { t: "run", builtin: false, op: op as "=" | "+=" | ":=", value: item.value, item, rank: ASSIGN_RANK.RUN! };
}
