/**
 * The trace: every step, allocation, free, uevent, kernel message, system call and finding
 * of a run, in the order they happened. It prints as text and saves as JSON; the HTML
 * timeline is drawn from the JSON form.
 */
import type { Finding } from "./findings.js";
import type { Site } from "./kobject.js";
import { usFromTicks } from "./time.js";

/** A value a system call passed or got back, kept exact: a 64-bit value stays a bigint. */
export type CallValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | readonly CallValue[]
  | { readonly [k: string]: CallValue };
export type CallFields = Readonly<Record<string, CallValue>>;

/**
 * One system call, recorded once, when it returns. The trace keeps it, and every output reads
 * it from there: the text trace, the scenario timeline and its JSON (through the steps that
 * made the call), and the HTML report.
 */
export interface CallRecord {
  readonly t: "call";
  /** When the call returned. */
  readonly tick: number;
  readonly startTick: number;
  readonly task: number;
  /** The system call: open, ioctl, read, ... */
  readonly op: string;
  /** Its arguments as strace shows them, e.g. "3, DRM_IOCTL_MODE_CREATE_DUMB". */
  readonly args: string;
  /** The fields of the argument struct the caller gave (an ioctl's inputs), or null. */
  readonly input: CallFields | null;
  /** The return value as strace shows it ("0", "3"; "-1" on failure). */
  readonly ret: string;
  readonly errno: string | null;
  /** What the kernel wrote back into the argument struct (an ioctl's outputs), or null. */
  readonly output: CallFields | null;
}

/**
 * An allocation. `owner` is the allocation id of the object it belongs to (a buffer's device,
 * a mapping's address space, a fence's timeline), when the allocator gave one: the HTML
 * timeline follows owners to place each object under its device. Absent for objects that
 * belong to nobody (a device, the kernel's globals).
 */
export interface AllocEvent {
  readonly t: "alloc";
  readonly tick: number;
  readonly id: number;
  readonly type: string;
  readonly kind: string;
  readonly label: string;
  readonly site: Site;
  readonly owner?: number;
}

/**
 * A one-shot completion object (a dma_fence) signalled, with its error: 0, or a negative
 * errno (the fence's status then). @see the dma_fence_signaled trace point of Linux
 */
export interface SignaledEvent {
  readonly t: "signaled";
  readonly tick: number;
  readonly id: number;
  readonly error: number;
}

/** A finding; `id` is the allocation it is about (the object leaked, used after free). */
export interface FindingEvent {
  readonly t: "finding";
  readonly tick: number;
  readonly finding: Finding;
  readonly id?: number;
}

export type TraceEvent =
  | { readonly t: "spawn"; readonly tick: number; readonly task: number; readonly name: string; readonly kind: "user" | "kernel" }
  | { readonly t: "exit"; readonly tick: number; readonly task: number }
  | { readonly t: "step"; readonly tick: number; readonly task: number; readonly fn: string; readonly reads: readonly number[]; readonly writes: readonly number[] }
  | { readonly t: "block"; readonly tick: number; readonly task: number; readonly reason: string }
  | { readonly t: "wake"; readonly tick: number; readonly task: number; readonly timedOut: boolean }
  | AllocEvent
  | { readonly t: "free"; readonly tick: number; readonly id: number; readonly site: Site }
  | SignaledEvent
  | { readonly t: "label"; readonly tick: number; readonly id: number; readonly label: string }
  | { readonly t: "uevent"; readonly tick: number; readonly seqnum: number; readonly action: string; readonly devpath: string; readonly env: readonly (readonly [string, string])[] }
  | { readonly t: "kmsg"; readonly tick: number; readonly level: number; readonly msg: string }
  | CallRecord
  | FindingEvent
  | { readonly t: "note"; readonly tick: number; readonly task: number | null; readonly text: string }
  | StateEvent
  | DisplayEvent;

/**
 * An object entered a named state that lasts (a drm_device wedged), or left it (`state`
 * null); `detail` says more (the recovery methods). The HTML timeline draws it as a span.
 */
export interface StateEvent {
  readonly t: "state";
  readonly tick: number;
  readonly id: number;
  readonly state: string | null;
  readonly detail: string;
}

/**
 * What a display did at one moment, on a device (`id`, its drm_device's container): a flip
 * committed on one of its CRTCs (`flip`; a faked one after unplug too), or a vblank or
 * flip-complete event sent to a file (`vblank-event`). The HTML timeline draws them as marks
 * on the device's lane.
 */
export interface DisplayEvent {
  readonly t: "display";
  readonly tick: number;
  readonly id: number;
  readonly what: "flip" | "vblank-event";
  /** The CRTC's object id. */
  readonly crtc: number;
  readonly detail: string;
}

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
      case "signaled":
        lines.push(`${at} signaled ${obj(ev.id)}${ev.error === 0 ? "" : ` error ${ev.error}`}`);
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
        lines.push(`${at} ${names.get(ev.task) ?? ev.task}: ${formatCall(ev)}`);
        break;
      case "finding":
        lines.push(`${at} FINDING ${ev.finding.kind}`);
        break;
      case "note":
        lines.push(`${at} note ${ev.text}`);
        break;
      case "state":
        lines.push(`${at} ${obj(ev.id)} ${ev.state ?? "leaves its state"} ${ev.detail}`.trimEnd());
        break;
      case "display":
        lines.push(`${at} ${obj(ev.id)} ${ev.what} crtc ${ev.crtc}: ${ev.detail}`);
        break;
    }
  }
  return lines.join("\n");
}

/** A call as a JSON member: what it was, its fields in and out (exact), when it ran (µs). */
export function callJson(c: CallRecord): Record<string, unknown> {
  const { op, args, input, ret, errno, output } = c;
  return { op, args, input, ret, errno, output, startUs: usFromTicks(c.startTick), endUs: usFromTicks(c.tick) };
}

/** A call value as strace prints it: numbers exact, text quoted, structs as {name=value, ...}. */
export function formatCallValue(v: CallValue): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatCallValue).join(", ")}]`;
  if (v !== null && typeof v === "object") return formatCallFields(v as CallFields);
  return String(v);
}

export function formatCallFields(fields: CallFields): string {
  return `{${Object.entries(fields).map(([k, v]) => `${k}=${formatCallValue(v)}`).join(", ")}}`;
}

/**
 * A call as strace prints it: `ioctl(3, DRM_IOCTL_MODE_CREATE_DUMB, {width=64, ...} =>
 * {handle=1, ...}) = 0`, or `= -1 ENODEV` on failure (then without the outputs).
 */
export function formatCall(c: CallRecord): string {
  const noInput = c.input === null || Object.keys(c.input).length === 0;
  const input = noInput ? "" : `, ${formatCallFields(c.input)}`;
  const noOutput = c.errno !== null || c.output === null || Object.keys(c.output).length === 0;
  const output = noOutput ? "" : ` => ${formatCallFields(c.output)}`;
  return `${c.op}(${c.args}${input}${output}) = ${c.ret}${c.errno === null ? "" : ` ${c.errno}`}`;
}
