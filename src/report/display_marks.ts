/**
 * A device's display on the timeline: each flip committed on one of its CRTCs and each vblank
 * or flip-complete event it sent (the kernel's "display" trace events) as a mark on a row of
 * the device's own lane, a flip in one colour, an event in another, a flip faked after the
 * unplug (uapi-doc) in a third.
 */
import type { DisplayEvent, TraceEvent } from "../kernel/trace.js";
import { lastLabel, type ObjectLife } from "./object_lives.js";
import { pointMark, positionText, type ColumnIndex, type LaneItem } from "./timeline_layout.js";

function tone(ev: DisplayEvent): string {
  if (ev.what === "vblank-event") return "vblank-event";
  return ev.detail.startsWith("faked") ? "flip-faked" : "flip";
}

/** The marks of the display events of `root`, on row `row`. */
export function displayMarks(
  root: ObjectLife, events: readonly TraceEvent[], cols: ColumnIndex, row: number,
): LaneItem[] {
  const name = lastLabel(root);
  const items: LaneItem[] = [];
  events.forEach((ev, index) => {
    if (ev.t !== "display" || ev.id !== root.alloc.id) return;
    const head = `${ev.what} on CRTC ${ev.crtc} of ${name}`;
    const title = [head, positionText(index, ev.tick), ev.detail].join("\n");
    const { what, crtc, detail } = ev;
    const details = { event: index, tick: ev.tick, device: name, what, crtc, detail };
    items.push(pointMark("display", cols.of(index), tone(ev), title, details, { row }));
  });
  return items;
}
