/**
 * The timeline layout: a pure function from a run record to lanes of positioned items, in
 * abstract units (columns and rows). The HTML renderer only turns units into pixels.
 *
 * The x axis is event order, not time: every trace event that draws something (all but "step",
 * "kmsg" and "label") gets a column of its own, so a burst of events in one tick stays readable
 * and long idle sleeps take no room. The tick of each column is kept for tooltips and the axis.
 */
import { assert } from "../kernel/assert.js";
import type { TraceEvent } from "../kernel/trace.js";
import { buildDeviceLanes } from "./device_lanes.js";
import { placeFindings, type FindingEntry } from "./finding_marks.js";
import type { RunRecord } from "./run_record.js";
import { buildTaskLanes } from "./task_lanes.js";

/** What an item shows; becomes its data-kind attribute. */
export type ItemKind = "call" | "uevent" | "finding" | "alloc" | "signal" | "block" | "life" | "note" | "display";

export interface LaneItem {
  readonly kind: ItemKind;
  /** A point mark (with an optional span line from col0) or an interval bar. */
  readonly shape: "mark" | "bar";
  readonly row: number;
  /** First and last column covered, inclusive; equal for a mark without a span. */
  readonly col0: number;
  readonly col1: number;
  /** The bar runs past the last event: still allocated, still blocked, never exited. */
  readonly open: boolean;
  /** A short label drawn on bars; empty for marks. */
  readonly text: string;
  /** A class token chosen by the layout (never raw run data), e.g. "err", "drm-device". */
  readonly tone: string;
  /** The hover tooltip: plain text, several lines. */
  readonly title: string;
  /** What the details panel shows on click, as JSON. */
  readonly details: unknown;
  /** A stable element id for items other parts of the page link to (findings). */
  readonly anchor?: string;
  /** An object's bar: freed, still allocated at the end, or leaked (a leak finding names it). */
  readonly state?: "freed" | "allocated" | "leaked";
}

/** "objects": a lane of one kind of a device's objects (buffers, fences, ...), below its own. */
export type LaneKind = "task" | "kernel" | "device" | "objects" | "uevents";

export interface Lane {
  /**
   * The data-lane value: "task:<name>", "device:<name>", "device:<name>/<kind>" (buffers,
   * mappings, fences, jobs), "uevents" or "kernel".
   */
  readonly key: string;
  readonly kind: LaneKind;
  readonly label: string;
  readonly sublabel: string;
  readonly rows: number;
  readonly items: LaneItem[];
}

export interface Column {
  /** Index of the event in RunRecord.events. */
  readonly index: number;
  readonly tick: number;
  readonly t: TraceEvent["t"];
}

export interface TimelineLayout {
  readonly columns: readonly Column[];
  readonly lanes: readonly Lane[];
  readonly findings: readonly FindingEntry[];
}

/** Maps trace event indices to columns; shared by the lane builders. */
export class ColumnIndex {
  readonly columns: readonly Column[];
  private readonly colOfEvent: Int32Array;

  constructor(events: readonly TraceEvent[]) {
    const columns: Column[] = [];
    this.colOfEvent = new Int32Array(events.length).fill(-1);
    events.forEach((ev, index) => {
      if (ev.t === "step" || ev.t === "kmsg" || ev.t === "label") return;
      this.colOfEvent[index] = columns.length;
      columns.push({ index, tick: ev.tick, t: ev.t });
    });
    this.columns = columns;
  }

  /** The column of a drawn event. */
  of(eventIndex: number): number {
    const col = this.colOfEvent[eventIndex];
    assert(col !== undefined && col >= 0, `Cannot place event ${eventIndex}: it has no column`);
    return col;
  }

  /** The first column at or after `tick`, but not after `colMax`. */
  firstAtTick(tick: number, colMax: number): number {
    let lo = 0;
    let hi = colMax;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.columns[mid]?.tick ?? Infinity) < tick) lo = mid + 1;
      else hi = mid;
    }
    assert(lo <= colMax, "Cannot search columns: result past the bound");
    return lo;
  }

  /** The last column, where open-ended bars stop. */
  get last(): number {
    return Math.max(0, this.columns.length - 1);
  }
}

/** A point mark in one column (row 0 unless given): what findings, uevents and notes draw. */
export function pointMark(kind: ItemKind, col: number, tone: string, title: string, details: unknown, extra: { readonly row?: number; readonly anchor?: string } = {}): LaneItem {
  const item: LaneItem = { kind, shape: "mark", row: extra.row ?? 0, col0: col, col1: col, open: false, text: "", tone, title, details };
  return extra.anchor === undefined ? item : { ...item, anchor: extra.anchor };
}

/** "event #12 · t=340": the position line every tooltip starts with. */
export function positionText(eventIndex: number, tick: number): string {
  return `event #${eventIndex} · t=${tick}`;
}

/**
 * Assigns rows to bars so that bars on one row do not overlap (greedy, by start column).
 * @returns the number of rows used (at least 1).
 */
export function packRows<T extends { readonly col0: number; readonly col1: number }>(bars: readonly T[]): { rows: number; placed: (T & { row: number })[] } {
  const rowEnds: number[] = [];
  const sorted = [...bars].sort((a, b) => a.col0 - b.col0 || a.col1 - b.col1);
  const placed = sorted.map((bar) => {
    let row = rowEnds.findIndex((end) => end < bar.col0);
    if (row < 0) row = rowEnds.push(bar.col1) - 1;
    else rowEnds[row] = bar.col1;
    return { ...bar, row };
  });
  return { rows: Math.max(1, rowEnds.length), placed };
}

/**
 * Builds the lanes of one record: tasks (and "kernel"), then devices with their objects, then
 * uevents.
 * @param anchorPrefix prefixes the element ids of finding marks; unique per record on a page.
 */
export function buildTimeline(record: RunRecord, anchorPrefix = "f"): TimelineLayout {
  const cols = new ColumnIndex(record.events);
  const tasks = buildTaskLanes(record.events, cols);
  const findings = placeFindings(record.events, cols, tasks, anchorPrefix);
  const lanes: Lane[] = [...tasks.lanes];
  if (tasks.kernel.items.length > 0) lanes.push(tasks.kernel);
  lanes.push(...buildDeviceLanes(record.events, cols));
  lanes.push(buildUeventLane(record.events, cols));
  const keys = new Set(lanes.map((l) => l.key));
  assert(keys.size === lanes.length, "Cannot lay out timeline: two lanes share a key");
  return { columns: cols.columns, lanes, findings };
}

function buildUeventLane(events: readonly TraceEvent[], cols: ColumnIndex): Lane {
  const lane: Lane = { key: "uevents", kind: "uevents", label: "uevents", sublabel: "kobject_uevent", rows: 1, items: [] };
  events.forEach((ev, index) => {
    if (ev.t === "uevent") lane.items.push(ueventMark(ev, index, cols, 0));
  });
  return lane;
}

/** The mark of the uevent at event `index`, on row `row` (of the uevents lane or a device's). */
export function ueventMark(
  ev: Extract<TraceEvent, { t: "uevent" }>, index: number, cols: ColumnIndex, row: number,
): LaneItem {
  const env = ev.env.map(([k, v]) => `${k}=${v}`);
  return pointMark(
    "uevent",
    cols.of(index),
    UEVENT_TONES.has(ev.action) ? ev.action : "other",
    [`${ev.action}@${ev.devpath}`, positionText(index, ev.tick), `SEQNUM=${ev.seqnum}`, ...env].join("\n"),
    { event: index, tick: ev.tick, seqnum: ev.seqnum, action: ev.action, devpath: ev.devpath, env },
    { row },
  );
}

const UEVENT_TONES: ReadonlySet<string> = new Set(["add", "remove", "change", "bind", "unbind", "move", "online", "offline"]);
