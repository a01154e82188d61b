/**
 * Applying rules to one event, as systemd-udevd does: files in order, each rule's tokens in
 * udev's order (matches first); the parent-walking keys of a rule are checked together against
 * the event's device, then each parent up the tree, until one device passes them all; a rule
 * whose matches all pass applies its assignments and follows its GOTO. RUN programs are only
 * collected: their substitutions are made after the last rule, "right before the program is
 * executed" (udev(7)), so they see properties set by later rules.
 *
 * Everything the device tree is asked goes through `DeviceTree` calls, so the same code runs
 * inside the model (a program's system calls) and against a real sysfs.
 *
 * @see udev_rules_apply_to_event(), udev_rule_apply_line_to_event() and
 * udev_rule_apply_parent_token_to_event() in systemd's src/udev/udev-rules.c
 */
import type { Call, Uevent } from "../uapi/mod.js";
import type { DeviceTree } from "./device_tree.js";
import { applyFormat, sysnameOf, type FormatContext } from "./format_subst.js";
import { lineHasEffect, type RuleLine, type RuleSet } from "./rules.js";
import type { Token } from "./rules_keys.js";
import { patternMatches } from "./rules_match.js";
import type { Position } from "./rules_syntax.js";

export interface RunCommand {
  /** The command after substitution. */
  readonly command: string;
  readonly builtin: boolean;
  /** The RUN item that added it. */
  readonly item: string;
  readonly at: Position;
}

export interface LineOutcome {
  readonly at: Position;
  readonly text: string;
  readonly matched: boolean;
  /** Why it did not match: the first item that failed, and the value it saw. */
  readonly failed?: { readonly item: string; readonly value: string | null; readonly reason: string };
  /** Items applied (matched rules only); items not applied because vdrm does not support them. */
  readonly applied: readonly string[];
  readonly ignored: readonly string[];
  readonly gotoLabel?: string;
}

export interface RulesResult {
  readonly lines: readonly LineOutcome[];
  /** The event's properties after the rules, in order (DEVNAME absolute), exported ones only. */
  readonly properties: readonly (readonly [string, string])[];
  readonly run: readonly RunCommand[];
}

/** One event's state while rules apply to it. */
class EventState {
  readonly props = new Map<string, string>();
  readonly runList: { template: string; builtin: boolean; item: string; at: Position }[] = [];
  runFinal = false;
  selectedParent: string | null = null;

  constructor(readonly ev: Uevent, readonly tree: DeviceTree) {
    for (const [k, v] of ev.env) {
      this.props.delete(k);
      this.props.set(k, k === "DEVNAME" && !v.startsWith("/") ? `/dev/${v}` : v);
    }
  }

  formatContext(): FormatContext {
    const t = this.tree;
    return {
      devpath: this.ev.devpath,
      props: this.props,
      selectedParent: this.selectedParent,
      attr: (d, n) => t.attr(d, n),
      driver: (d) => t.driver(d),
      parent: (d) => t.parent(d),
      devname: (d) => t.devname(d),
    };
  }

  /** The value a match token compares, on `devpath` (the event's device or a parent). */
  *valueOf(tok: Extract<Token, { t: "match" }>, devpath: string): Call<string | null> {
    const self = devpath === this.ev.devpath;
    switch (tok.key) {
      case "ACTION": return this.ev.action;
      case "DEVPATH": return this.ev.devpath;
      case "KERNEL":
      case "KERNELS": return sysnameOf(devpath);
      case "ENV": return this.props.get(tok.attr) ?? null;
      case "SUBSYSTEM":
      case "SUBSYSTEMS": return self ? this.props.get("SUBSYSTEM") ?? (yield* this.tree.subsystem(devpath)) : yield* this.tree.subsystem(devpath);
      case "DRIVER":
      case "DRIVERS": return self ? this.props.get("DRIVER") ?? (yield* this.tree.driver(devpath)) : yield* this.tree.driver(devpath);
      case "ATTR":
      case "ATTRS": {
        const name = /[$%]/.test(tok.attr) ? yield* applyFormat(tok.attr, this.formatContext()) : tok.attr;
        return yield* this.tree.attr(devpath, name);
      }
    }
  }
}

type Fail = NonNullable<LineOutcome["failed"]>;

/** The value of a token that needs no device tree, or undefined when it does. */
function eventValue(st: EventState, tok: Extract<Token, { t: "match" }>): string | null | undefined {
  switch (tok.key) {
    case "ACTION": return st.ev.action;
    case "DEVPATH": return st.ev.devpath;
    case "KERNEL": return sysnameOf(st.ev.devpath);
    case "ENV": return st.props.get(tok.attr) ?? null;
    case "SUBSYSTEM": return st.props.get("SUBSYSTEM");
    case "DRIVER": return st.props.get("DRIVER");
    default: return undefined;
  }
}

function failure(tok: Extract<Token, { t: "match" }>, value: string | null): Fail {
  const reason = value === null ? "no such value" : tok.negate ? "matches, but the rule says !=" : "does not match";
  return { item: tok.item.text, value, reason };
}

/**
 * The first failing token of a line when it comes before any token that reads the device tree:
 * most rules fail on the event's own keys, and this answers them without a generator.
 */
function quickReject(st: EventState, line: RuleLine): Fail | null {
  for (const tok of line.tokens) {
    if (tok.t === "unsupported" && tok.match) return { item: tok.item.text, value: null, reason: "not evaluated by vdrm" };
    if (tok.t !== "match" || tok.parent) return null;
    const value = eventValue(st, tok);
    if (value === undefined) return null;
    if (patternMatches(tok.pattern, value) === tok.negate) return failure(tok, value);
  }
  return null;
}

function* matchOne(st: EventState, tok: Extract<Token, { t: "match" }>, devpath: string): Call<Fail | null> {
  const value = yield* st.valueOf(tok, devpath);
  return patternMatches(tok.pattern, value) !== tok.negate ? null : failure(tok, value);
}

/** The parent-walking tokens against the device, then its parents; selects the first that passes. */
function* matchParents(st: EventState, toks: readonly Extract<Token, { t: "match" }>[]): Call<Fail | null> {
  let dev: string | null = st.ev.devpath;
  let first: Fail | null = null;
  while (dev !== null) {
    let fail: Fail | null = null;
    for (const t of toks) if ((fail = yield* matchOne(st, t, dev)) !== null) break;
    if (fail === null) {
      st.selectedParent = dev;
      return null;
    }
    first ??= fail;
    dev = yield* st.tree.parent(dev);
  }
  st.selectedParent = null;
  return { ...first!, reason: `${first!.reason} on the device, nor on any parent device` };
}

function* applyAssign(st: EventState, tok: Token, applied: string[], ignored: string[]): Call<void> {
  if (tok.t === "env") {
    const old = st.props.get(tok.name);
    if (tok.value === "") {
      if (!tok.append) st.props.delete(tok.name);
    } else {
      const v = yield* applyFormat(tok.value, st.formatContext());
      st.props.set(tok.name, tok.append && old !== undefined ? `${old} ${v}` : v);
    }
    applied.push(tok.item.text);
  } else if (tok.t === "run") {
    if (st.runFinal) return void ignored.push(`${tok.item.text} (RUN was set with := before)`);
    if (tok.op === ":=") st.runFinal = true;
    if (tok.op !== "+=") st.runList.length = 0;
    if (!st.runList.some((r) => r.template === tok.value)) st.runList.push({ template: tok.value, builtin: tok.builtin, item: tok.item.text, at: tok.item.at });
    applied.push(tok.item.text);
  } else if (tok.t === "unsupported") ignored.push(tok.item.text);
}

function* applyLine(st: EventState, line: RuleLine): Call<LineOutcome> {
  const base = { at: line.at, text: line.text };
  const parents = line.tokens.filter((t): t is Extract<Token, { t: "match" }> => t.t === "match" && t.parent);
  let parentsDone = false;
  for (const tok of line.tokens) {
    let fail: Fail | null = null;
    if (tok.t === "unsupported" && tok.match) fail = { item: tok.item.text, value: null, reason: "not evaluated by vdrm" };
    else if (tok.t === "match" && tok.parent) {
      if (parentsDone) continue;
      parentsDone = true;
      fail = yield* matchParents(st, parents);
    } else if (tok.t === "match") fail = yield* matchOne(st, tok, st.ev.devpath);
    if (fail !== null) return { ...base, matched: false, failed: fail, applied: [], ignored: [] };
  }
  const applied: string[] = [];
  const ignored: string[] = [];
  for (const tok of line.tokens) if (tok.t !== "match") yield* applyAssign(st, tok, applied, ignored);
  return { ...base, matched: true, applied, ignored, ...(line.gotoLabel === null ? {} : { gotoLabel: line.gotoLabel }) };
}

/** Applies `rules` to `ev`: which rules matched, the properties after them, what would run. */
export function* applyRules(rules: RuleSet, ev: Uevent, tree: DeviceTree): Call<RulesResult> {
  const st = new EventState(ev, tree);
  const lines: LineOutcome[] = [];
  for (const file of rules.files) {
    for (let i = 0; i < file.lines.length; i++) {
      const line = file.lines[i]!;
      if (!lineHasEffect(line)) continue;
      const failed = quickReject(st, line);
      const outcome = failed === null ? yield* applyLine(st, line) : { at: line.at, text: line.text, matched: false, failed, applied: [], ignored: [] };
      lines.push(outcome);
      if (outcome.matched && line.gotoIndex !== null) i = line.gotoIndex - 1;
    }
  }
  const run: RunCommand[] = [];
  for (const r of st.runList) run.push({ command: yield* applyFormat(r.template, st.formatContext()), builtin: r.builtin, item: r.item, at: r.at });
  const properties = [...st.props].filter(([k]) => !k.startsWith("."));
  return { lines, properties, run };
}
