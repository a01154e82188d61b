/**
 * The trace: every step, allocation, free, uevent, kernel message, system call and finding
 * of a run, in the order they happened. It prints as text and saves as JSON; the HTML
 * timeline is drawn from the JSON form.
 */
import type { Finding } from "./findings.js";
import type { Site } from "./kobject.js";

export type TraceEvent =
  | { readonly t: "spawn"; readonly tick: number; readonly task: number; readonly name: string; readonly kind: "user" | "kernel" }
  | { readonly t: "exit"; readonly tick: number; readonly task: number }
  | { readonly t: "step"; readonly tick: number; readonly task: number; readonly fn: string; readonly reads: readonly number[]; readonly writes: readonly number[] }
  | { readonly t: "block"; readonly tick: number; readonly task: number; readonly reason: string }
  | { readonly t: "wake"; readonly tick: number; readonly task: number; readonly timedOut: boolean }
  | { readonly t: "alloc"; readonly tick: number; readonly id: number; readonly type: string; readonly kind: string; readonly label: string; readonly site: Site }
  | { readonly t: "free"; readonly tick: number; readonly id: number; readonly site: Site }
  | { readonly t: "label"; readonly tick: number; readonly id: number; readonly label: string }
  | { readonly t: "uevent"; readonly tick: number; readonly seqnum: number; readonly action: string; readonly devpath: string; readonly env: readonly (readonly [string, string])[] }
  | { readonly t: "kmsg"; readonly tick: number; readonly level: number; readonly msg: string }
  | { readonly t: "call"; readonly tick: number; readonly startTick: number; readonly task: number; readonly op: string; readonly args: string; readonly ret: string; readonly errno: string | null }
  | { readonly t: "finding"; readonly tick: number; readonly finding: Finding }
  | { readonly t: "note"; readonly tick: number; readonly task: number | null; readonly text: string };

export type TraceEventType = TraceEvent["t"];

/** Which events to record: all of them, or all but the per-step events (the bulk of a trace). */
export type TraceLevel = "steps" | "events";

export class TraceLog {
  readonly events: TraceEvent[] = [];
  constructor(readonly level: TraceLevel = "steps") {}

  push(ev: TraceEvent): void {
    this.events.push(ev);
  }

  get recordsSteps(): boolean {
    return this.level === "steps";
  }
}

/** One line per event; task ids are resolved to names. */
export function formatTrace(events: readonly TraceEvent[]): string {
  const names = new Map<number, string>();
  const labels = new Map<number, string>();
  const lines: string[] = [];
  const obj = (id: number): string => labels.get(id) ?? `#${id}`;
  for (const ev of events) {
    const at = `[${String(ev.tick).padStart(9)}]`;
    switch (ev.t) {
      case "spawn":
        names.set(ev.task, ev.name);
        lines.push(`${at} spawn ${ev.kind} task ${ev.name}`);
        break;
      case "exit":
        lines.push(`${at} exit ${names.get(ev.task) ?? ev.task}`);
        break;
      case "step": {
        const r = ev.reads.length ? ` R{${ev.reads.map(obj).join(",")}}` : "";
        const w = ev.writes.length ? ` W{${ev.writes.map(obj).join(",")}}` : "";
        lines.push(`${at} ${names.get(ev.task) ?? ev.task}: ${ev.fn}${r}${w}`);
        break;
      }
      case "block":
        lines.push(`${at} ${names.get(ev.task) ?? ev.task} blocks on ${ev.reason}`);
        break;
      case "wake":
        lines.push(`${at} ${names.get(ev.task) ?? ev.task} ${ev.timedOut ? "times out" : "wakes"}`);
        break;
      case "alloc":
        labels.set(ev.id, ev.label);
        lines.push(`${at} alloc ${ev.label} (${ev.kind}) in ${ev.site.fn}`);
        break;
      case "free":
        lines.push(`${at} free ${obj(ev.id)} in ${ev.site.fn}`);
        break;
      case "label":
        labels.set(ev.id, ev.label);
        break;
      case "uevent":
        lines.push(`${at} uevent ${ev.action}@${ev.devpath} SEQNUM=${ev.seqnum}`);
        break;
      case "kmsg":
        lines.push(`${at} kmsg <${ev.level}> ${ev.msg}`);
        break;
      case "call":
        lines.push(`${at} ${names.get(ev.task) ?? ev.task}: ${ev.op}(${ev.args}) = ${ev.ret}${ev.errno ? ` ${ev.errno}` : ""}`);
        break;
      case "finding":
        lines.push(`${at} FINDING ${ev.finding.kind}`);
        break;
      case "note":
        lines.push(`${at} note ${ev.text}`);
        break;
    }
  }
  return lines.join("\n");
}
