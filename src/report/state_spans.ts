/**
 * The states a device was in (a drm_device wedged: kernel StateEvents), as spans on the
 * device's own lane, in a row below its objects: from the state's start to the next state
 * event of the device, its free, or the end of the trace. The uevent that announced the state
 * (the first uevent after it carrying a key named like the state in upper case: WEDGED) is a
 * mark on the span.
 */
import type { TraceEvent } from "../kernel/trace.js";
import { lastLabel, type ObjectLife } from "./object_lives.js";
import { positionText, ueventMark, type ColumnIndex, type LaneItem } from "./timeline_layout.js";

/** The announcing uevent of `state` entered at event `from`, or null. */
function announcement(
  events: readonly TraceEvent[], from: number, state: string,
): { index: number; ev: Extract<TraceEvent, { t: "uevent" }> } | null {
  const key = state.toUpperCase();
  for (let i = from + 1; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.t === "uevent" && ev.env.some(([k]) => k === key)) return { index: i, ev };
  }
  return null;
}

/** The spans (and their uevent marks) of the states of `root`, on row `row`. */
export function stateSpans(
  root: ObjectLife, events: readonly TraceEvent[], cols: ColumnIndex, row: number,
): LaneItem[] {
  const name = lastLabel(root);
  const items: LaneItem[] = [];
  root.states.forEach((s, i) => {
    if (s.state === null) return;
    const next = root.states[i + 1];
    const end = next?.index ?? root.free?.index ?? null;
    const col0 = cols.of(s.index);
    const col1 = end === null ? cols.last : Math.max(col0, cols.of(end));
    const ended = end === null ? "until the end of the trace" : `until ${positionText(end, (events[end] as { tick: number }).tick)}`;
    items.push({
      kind: "life",
      shape: "bar",
      row,
      col0,
      col1,
      open: end === null,
      text: `${s.state} ${s.detail}`,
      tone: "state",
      title: `${name} ${s.state} (${s.detail})\nfrom ${positionText(s.index, s.tick)}\n${ended}`,
      details: { device: name, id: root.alloc.id, state: s.state, detail: s.detail, from: s.index, to: end },
    });
    const uevent = announcement(events, s.index, s.state);
    if (uevent === null) return;
    items.push(ueventMark(uevent.ev, uevent.index, cols, row));
  });
  return items;
}
