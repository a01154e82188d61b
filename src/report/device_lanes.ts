/**
 * Device lanes, from the trace alone. An object's owners (object_lives.ts) lead to a root
 * that belongs to nobody; a root that owns objects and is not itself one of OBJECT_KINDS is a
 * device (a drm_device's container, a pci_dev). A device gets a lane of its own objects (its
 * own bar first) and, below it, one lane per kind of object it owns (buffers, mappings,
 * fences, jobs), every lane with the device's lifetime drawn behind the bars
 * (object_bars.ts). An object shared with another device (a dma-buf, a fence imported
 * elsewhere) stays under the device that owns it, whatever its label says. Objects of those
 * kinds whose owners lead to no device go to lanes of their own, "no device"; other objects
 * that belong to no device (the kernel's globals) are not drawn.
 */
import type { TraceEvent } from "../kernel/trace.js";
import { displayMarks } from "./display_marks.js";
import { deviceBand, lifeExtent, objectBar, signalMarks } from "./object_bars.js";
import { collectLives, lastLabel, type ObjectLife, type ObjectLives } from "./object_lives.js";
import { stateSpans } from "./state_spans.js";
import { packRows, type ColumnIndex, type Lane, type LaneItem } from "./timeline_layout.js";

/** The lanes below a device's own, in the order they are drawn. */
export const OBJECT_LANES = ["buffers", "mappings", "fences", "jobs"] as const;
export type ObjectLaneName = (typeof OBJECT_LANES)[number];

export interface ObjectKind {
  readonly lane: ObjectLaneName;
  /** Its life has a signal (a dma_fence's), drawn as a mark on its bar. */
  readonly signals?: true;
}

/**
 * The kinds of objects drawn in a lane below their device, by struct type; a device's other
 * objects are drawn in its own lane. A new kind is one entry.
 */
export const OBJECT_KINDS: ReadonlyMap<string, ObjectKind> = new Map<string, ObjectKind>([
  ["drm_gem_object", { lane: "buffers" }],
  ["dma_buf", { lane: "buffers" }],
  ["vm_area_struct", { lane: "mappings" }],
  ["dma_fence", { lane: "fences", signals: true }],
  ["sync_file", { lane: "fences" }],
  ["drm_syncobj", { lane: "fences" }],
  ["drm_sched_job", { lane: "jobs" }],
]);

interface DeviceGroup {
  /** The device, or null for the objects whose owners lead to no device. */
  readonly root: ObjectLife | null;
  readonly own: ObjectLife[];
  readonly parts: Map<ObjectLaneName, ObjectLife[]>;
}

/** Builds the lanes of every device, in the order the devices were allocated. */
export function buildDeviceLanes(events: readonly TraceEvent[], cols: ColumnIndex): Lane[] {
  const lives = collectLives(events);
  const usedKeys = new Set<string>();
  return groupByDevice(lives).flatMap((group) => groupLanes(group, lives, events, cols, usedKeys));
}

function groupByDevice(lives: ObjectLives): DeviceGroup[] {
  const groups = new Map<ObjectLife | null, DeviceGroup>();
  const groupOf = (root: ObjectLife | null): DeviceGroup => {
    let g = groups.get(root);
    if (g === undefined) {
      g = { root, own: root === null ? [] : [root], parts: new Map() };
      groups.set(root, g);
    }
    return g;
  };
  for (const life of lives.byId.values()) {
    const root = lives.byId.get(lives.rootOf(life.alloc.id));
    const device = root === undefined || OBJECT_KINDS.has(root.alloc.type) ? null : root;
    if (device === life) continue; // a device is drawn once it owns something
    const kind = OBJECT_KINDS.get(life.alloc.type);
    if (kind === undefined) {
      if (device !== null) groupOf(device).own.push(life);
      continue;
    }
    const parts = groupOf(device).parts;
    const list = parts.get(kind.lane);
    if (list === undefined) parts.set(kind.lane, [life]);
    else list.push(life);
  }
  const order = (g: DeviceGroup): number => g.root?.index ?? Infinity;
  return [...groups.values()].sort((a, b) => order(a) - order(b));
}

function groupLanes(
  group: DeviceGroup,
  lives: ObjectLives,
  events: readonly TraceEvent[],
  cols: ColumnIndex,
  usedKeys: Set<string>,
): Lane[] {
  const { root } = group;
  const name = root === null ? "no device" : lastLabel(root);
  let key = `device:${name}`;
  if (usedKeys.has(key)) key = `device:${name}#${root?.alloc.id ?? ""}`;
  usedKeys.add(key);
  const band = root === null ? [] : [deviceBand(root, name, cols)];
  const lanes: Lane[] = [];
  if (root !== null) {
    const { rows, items } = laneItems(group.own, lives, name, cols);
    const sublabel = `${root.alloc.type} · ${countText(group.own.length)}`;
    // Its states (wedged) on a row of their own, below its objects, then its display's flips and events.
    const states = stateSpans(root, events, cols, rows);
    const stateRows = states.length > 0 ? 1 : 0;
    const display = displayMarks(root, events, cols, rows + stateRows);
    const all = [...band, ...items, ...states, ...display];
    const total = rows + stateRows + (display.length > 0 ? 1 : 0);
    lanes.push({ key, kind: "device", label: name, sublabel, rows: total, items: all });
  }
  for (const part of OBJECT_LANES) {
    const objects = group.parts.get(part);
    if (objects === undefined) continue;
    const { rows, items } = laneItems(objects, lives, name, cols);
    const sublabel = `${countText(objects.length)} of ${name}`;
    lanes.push({
      key: `${key}/${part}`, kind: "objects", label: part, sublabel, rows, items: [...band, ...items],
    });
  }
  return lanes;
}

function countText(n: number): string {
  return `${n} object${n === 1 ? "" : "s"}`;
}

/** The bars of `objects` packed into rows, each signal mark on its object's row. */
function laneItems(
  objects: readonly ObjectLife[], lives: ObjectLives, device: string, cols: ColumnIndex,
): { rows: number; items: LaneItem[] } {
  const { rows, placed } = packRows(objects.map((life) => ({ ...lifeExtent(life, cols), life })));
  const items = placed.flatMap(({ life, row, col0, col1 }) => {
    const signals = OBJECT_KINDS.get(life.alloc.type)?.signals === true;
    const bar = objectBar(life, lives, device, signals, { row, col0, col1 });
    return [bar, ...signalMarks(life, row, cols)];
  });
  return { rows, items };
}
