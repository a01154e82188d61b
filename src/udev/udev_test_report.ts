/**
 * What `vdrm udev test` prints for an event, in the spirit of `udevadm test`: the rules that
 * matched (with `verbose`, also why each other rule did not), the properties after the rules,
 * and each program RUN would start (with what it did, when it was run).
 */
import type { Uevent } from "../uapi/mod.js";
import { describeWhere, type UeventWhere } from "./format_error.js";
import type { LineOutcome, RulesResult } from "./rules_apply.js";
import type { RunOutcome } from "./run_program.js";
import { lastValue } from "./uevent_fields.js";

function where(l: LineOutcome): string {
  return `${l.at.file}:${l.at.line}`;
}

function lineText(l: LineOutcome, verbose: boolean): string[] {
  if (l.matched) {
    const out = [`${where(l)}: matched: ${l.text}`];
    for (const a of l.applied) out.push(`    applied: ${a}`);
    for (const a of l.ignored) out.push(`    not applied: ${a}`);
    if (l.gotoLabel !== undefined) out.push(`    GOTO="${l.gotoLabel}"`);
    return out;
  }
  if (!verbose || l.failed === undefined) return [];
  const f = l.failed;
  const saw = f.value === null ? "" : ` (value ${JSON.stringify(f.value)})`;
  return [`${where(l)}: no match: ${f.item}${saw}: ${f.reason}`];
}

/** The header line of an event: action, devpath, subsystem, SEQNUM, where it was read. */
export function eventTitle(ev: Uevent, index: number, count: number, source: string, at: UeventWhere): string {
  const seqnum = lastValue(ev.env, "SEQNUM");
  const subsystem = lastValue(ev.env, "SUBSYSTEM") ?? "";
  return `event ${index} of ${count}: ${ev.action} ${ev.devpath} (${subsystem})${seqnum === undefined ? "" : ` SEQNUM=${seqnum}`} [${source} ${describeWhere(at)}]`;
}

export function formatRulesResult(r: RulesResult, verbose: boolean): string[] {
  const out: string[] = [];
  for (const l of r.lines) out.push(...lineText(l, verbose));
  if (!r.lines.some((l) => l.matched)) out.push("no rule matched");
  out.push("properties:");
  for (const [k, v] of r.properties) out.push(`  ${k}=${v}`);
  if (r.run.length === 0) out.push("run: nothing");
  for (const c of r.run) out.push(c.builtin ? `run builtin: '${c.command}' (vdrm does not run builtins)` : `run: '${c.command}'`);
  return out;
}

/** What a program that ran did, indented under its `run:` line. */
export function formatRunOutcome(o: RunOutcome): string[] {
  const s = o.status;
  const head =
    s.k === "exited" ? `  exit code ${s.code}` : s.k === "killed" ? `  killed by ${s.signal}${s.timedOut ? " after the timeout" : ""}` : `  could not start ${o.argv[0] ?? ""}: ${s.error}`;
  const lines = [head];
  for (const [name, text] of [["stdout", o.stdout], ["stderr", o.stderr]] as const) {
    for (const l of text.split("\n").filter((x) => x !== "")) lines.push(`  ${name}: ${l}`);
  }
  return lines;
}
