/**
 * Device lanes: one per device of the run record, with one bar per object that belongs to
 * the device, from its "alloc" event to its "free" event. An object never freed is drawn open
 * to the end of the trace and marked "still allocated". Bars are labelled with the object's
 * last label ("label" events rename objects as they get names, e.g. card0).
 */
import type { Site } from "../kernel/kobject.js";
import type { TraceEvent } from "../kernel/trace.js";
import type { DeviceLaneSpec } from "./run_record.js";
import { packRows, positionText, type ColumnIndex, type Lane, type LaneItem } from "./timeline_layout.js";

interface ObjectLife {
  readonly index: number;
  readonly alloc: Extract<TraceEvent, { t: "alloc" }>;
  readonly labels: string[];
  free: { readonly index: number; readonly site: Site } | null;
}

/** Struct types with a colour of their own; the rest share one. */
const TYPE_TONES: ReadonlySet<string> = new Set(["drm_device", "drm_minor", "drm_file", "drm_gem_object", "dma_fence", "device", "pci_dev"]);

/** Builds one lane per device, in the order of `devices`. */
export function buildDeviceLanes(events: readonly TraceEvent[], devices: readonly DeviceLaneSpec[], cols: ColumnIndex): Lane[] {
  const lives = collectLives(events);
  return devices.map((device) => {
    const bars = device.allocIds.flatMap((id) => {
      const life = lives.get(id);
      return life === undefined ? [] : [objectBar(life, cols)];
    });
    const { rows, placed } = packRows(bars);
    return {
      key: `device:${device.name}`,
      kind: "device",
      label: device.name,
      sublabel: `${placed.length} object${placed.length === 1 ? "" : "s"}`,
      rows,
      items: placed,
    };
  });
}

function collectLives(events: readonly TraceEvent[]): Map<number, ObjectLife> {
  const lives = new Map<number, ObjectLife>();
  events.forEach((ev, index) => {
    switch (ev.t) {
      case "alloc":
        lives.set(ev.id, { index, alloc: ev, labels: [ev.label], free: null });
        return;
      case "free": {
        const life = lives.get(ev.id);
        // A second free is a double-free finding, drawn as such; the bar ends at the first.
        if (life !== undefined && life.free === null) life.free = { index, site: ev.site };
        return;
      }
      case "label":
        lives.get(ev.id)?.labels.push(ev.label);
        return;
      default:
        return;
    }
  });
  return lives;
}

function objectBar(life: ObjectLife, cols: ColumnIndex): LaneItem {
  const label = life.labels[life.labels.length - 1] ?? life.alloc.label;
  const col0 = cols.of(life.index);
  const { alloc: a, free } = life;
  const open = free === null;
  const col1 = free === null ? cols.last : cols.of(free.index);
  const freed = free === null
    ? "still allocated at the end of the trace"
    : `freed in ${free.site.fn} by ${free.site.task}, ${positionText(free.index, free.site.tick)}`;
  return {
    kind: "alloc",
    shape: "bar",
    row: 0,
    col0,
    col1: Math.max(col0, col1),
    open,
    text: label,
    tone: TYPE_TONES.has(a.type) ? a.type.replace(/_/g, "-") : "obj",
    title: `${label}\n${a.type} (${a.kind}), id ${a.id}\nallocated in ${a.site.fn} by ${a.site.task}, ${positionText(life.index, a.tick)}\n${freed}`,
    details: {
      id: a.id,
      type: a.type,
      kind: a.kind,
      label,
      labels: life.labels,
      state: open ? "still allocated" : "freed",
      alloc: { event: life.index, ...a.site },
      free: free === null ? null : { event: free.index, ...free.site },
    },
  };
}
