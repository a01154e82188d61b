/**
 * Task lanes: one per spawned task, with its lifetime (spawn to exit) in the background, its
 * system calls and notes as marks on row 0, and its blocked intervals (block to wake) as
 * hatched bars on row 1. A "kernel" lane collects what belongs to no task.
 */
import { formatCall, type CallRecord, type TraceEvent } from "../kernel/trace.js";
import { pointMark, positionText, type ColumnIndex, type Lane, type LaneItem } from "./timeline_layout.js";

export interface TaskLanes {
  /** In spawn order. */
  readonly lanes: readonly Lane[];
  /** For findings and notes that belong to no known task; drawn only if it gets items. */
  readonly kernel: Lane;
  /** The lane of the task called `name` that was spawned last at or before `eventIndex`. */
  laneForName(name: string, eventIndex: number): Lane | undefined;
}

const CALL_ROW = 0;
const BLOCK_ROW = 1;

interface OpenBlock {
  readonly index: number;
  readonly col: number;
  readonly tick: number;
  readonly reason: string;
}

/** Builds the task lanes from spawn/exit/call/block/wake/note events. */
export function buildTaskLanes(events: readonly TraceEvent[], cols: ColumnIndex): TaskLanes {
  const byId = new Map<number, Lane>();
  const byName = new Map<string, { readonly spawnIndex: number; readonly lane: Lane }[]>();
  const lanes: Lane[] = [];
  const usedKeys = new Set<string>();
  // Tasks not yet exited, and tasks blocked and not yet woken: what is left at the end is open.
  const spawns = new Map<number, { readonly index: number; readonly col: number; readonly tick: number }>();
  const blocks = new Map<number, OpenBlock>();
  const kernel: Lane = { key: "kernel", kind: "kernel", label: "kernel", sublabel: "no task", rows: 1, items: [] };

  const laneOf = (task: number, index: number, name = `#${task}`, kind = "unknown"): Lane => {
    const known = byId.get(task);
    if (known !== undefined) return known;
    let key = `task:${name}`;
    if (usedKeys.has(key)) key = `task:${name}#${task}`;
    usedKeys.add(key);
    const lane: Lane = { key, kind: "task", label: name, sublabel: `${kind} task #${task}`, rows: 2, items: [] };
    byId.set(task, lane);
    lanes.push(lane);
    const list = byName.get(name) ?? [];
    list.push({ spawnIndex: index, lane });
    byName.set(name, list);
    return lane;
  };

  events.forEach((ev, index) => {
    switch (ev.t) {
      case "spawn":
        laneOf(ev.task, index, ev.name, ev.kind);
        spawns.set(ev.task, { index, col: cols.of(index), tick: ev.tick });
        return;
      case "exit": {
        const lane = laneOf(ev.task, index);
        const spawn = spawns.get(ev.task);
        spawns.delete(ev.task);
        if (spawn !== undefined) lane.items.push(lifeItem(lane, spawn, cols.of(index), false, `exit at ${positionText(index, ev.tick)}`));
        return;
      }
      case "block":
        laneOf(ev.task, index);
        blocks.set(ev.task, { index, col: cols.of(index), tick: ev.tick, reason: ev.reason });
        return;
      case "wake": {
        const lane = laneOf(ev.task, index);
        const open = blocks.get(ev.task);
        if (open === undefined) return;
        blocks.delete(ev.task);
        const how = ev.timedOut ? "timed out" : "woken";
        lane.items.push(blockItem(open, cols.of(index), false, `${how} at ${positionText(index, ev.tick)} after ${ev.tick - open.tick} ticks`, ev.timedOut ? "timeout" : "block"));
        return;
      }
      case "call":
        laneOf(ev.task, index).items.push(callItem(ev, index, cols));
        return;
      case "note": {
        const lane = ev.task === null ? kernel : laneOf(ev.task, index);
        const title = `note: ${ev.text}\n${positionText(index, ev.tick)}`;
        lane.items.push(pointMark("note", cols.of(index), "note", title, { event: index, tick: ev.tick, note: ev.text }, { row: CALL_ROW }));
        return;
      }
      default:
        return;
    }
  });

  for (const [task, open] of blocks) {
    byId.get(task)?.items.push(blockItem(open, cols.last, true, "still blocked at the end of the trace", "block"));
  }
  for (const [task, spawn] of spawns) {
    const lane = byId.get(task);
    if (lane !== undefined) lane.items.push(lifeItem(lane, spawn, cols.last, true, "still running at the end of the trace"));
  }

  return {
    lanes,
    kernel,
    laneForName(name, eventIndex) {
      const list = byName.get(name);
      if (list === undefined) return undefined;
      const before = list.filter((e) => e.spawnIndex <= eventIndex);
      return (before[before.length - 1] ?? list[0])?.lane;
    },
  };
}

/** A call's mark: the record as strace prints it, with its struct's fields in and out. */
function callItem(ev: CallRecord, index: number, cols: ColumnIndex): LaneItem {
  const col = cols.of(index);
  const failed = ev.errno !== null;
  return {
    kind: "call",
    shape: "mark",
    row: CALL_ROW,
    col0: cols.firstAtTick(ev.startTick, col),
    col1: col,
    open: false,
    text: "",
    tone: failed ? "err" : "ok",
    title: `${formatCall(ev)}\n${positionText(index, ev.tick)}, started t=${ev.startTick}`,
    details: { event: index, tick: ev.tick, startTick: ev.startTick, op: ev.op, args: ev.args, input: ev.input, ret: ev.ret, errno: ev.errno, output: ev.output },
  };
}

function blockItem(open: OpenBlock, col1: number, isOpen: boolean, end: string, tone: string): LaneItem {
  return {
    kind: "block",
    shape: "bar",
    row: BLOCK_ROW,
    col0: open.col,
    col1: Math.max(open.col, col1),
    open: isOpen,
    text: open.reason,
    tone,
    title: `blocked on ${open.reason}\nfrom ${positionText(open.index, open.tick)}\n${end}`,
    details: { blockedOn: open.reason, event: open.index, tick: open.tick, end },
  };
}

function lifeItem(lane: Lane, spawn: { readonly index: number; readonly col: number; readonly tick: number }, col1: number, isOpen: boolean, end: string): LaneItem {
  return {
    kind: "life",
    shape: "bar",
    row: 0,
    col0: spawn.col,
    col1: Math.max(spawn.col, col1),
    open: isOpen,
    text: "",
    tone: "life",
    title: `${lane.label} (${lane.sublabel})\nspawned at ${positionText(spawn.index, spawn.tick)}\n${end}`,
    details: { task: lane.label, lane: lane.sublabel, spawned: { event: spawn.index, tick: spawn.tick }, end },
  };
}
