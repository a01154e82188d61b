/**
 * Findings on the timeline: each "finding" event becomes a red mark on the lane of the task
 * it happened in (the access site for a use-after-free), or on the "kernel" lane when no task
 * lane fits (a leak is found at shutdown, not by the task that allocated).
 */
import {
  findingClass, findingSiteLines, findingSites, findingSummary, foundAtShutdown,
  type Finding, type FindingSite,
} from "../kernel/findings.js";
import type { TraceEvent } from "../kernel/trace.js";
import type { TaskLanes } from "./task_lanes.js";
import { pointMark, positionText, type ColumnIndex } from "./timeline_layout.js";

/** A finding as the text list below the timeline shows it. */
export interface FindingEntry {
  readonly summary: string;
  readonly kind: Finding["kind"];
  readonly eventIndex: number;
  readonly tick: number;
  readonly laneKey: string;
  /** The id of its mark, for links from the list. */
  readonly anchor: string;
  /**
   * The sites that explain it (e.g. access, free and allocation for a use-after-free), as the
   * terminal prints them (findingSiteLines).
   */
  readonly siteLines: readonly string[];
  readonly details: unknown;
}

function siteText(s: FindingSite): string {
  const role = s.detail === undefined ? s.role : `${s.role} ${s.detail}`;
  return `${role}: ${s.site.fn} (${s.site.task}, t=${s.site.tick})`;
}

/**
 * Adds a mark per finding to the task lanes (or the kernel lane) and lists the findings.
 * @param idPrefix makes mark ids unique when several records share one page.
 */
export function placeFindings(
  events: readonly TraceEvent[], cols: ColumnIndex, tasks: TaskLanes, idPrefix: string,
): FindingEntry[] {
  const entries: FindingEntry[] = [];
  events.forEach((ev, index) => {
    if (ev.t !== "finding") return;
    const f = ev.finding;
    const sites = findingSites(f);
    // A leak is found at shutdown, not by the task that allocated, so it goes to the kernel lane.
    const task = foundAtShutdown(f) ? undefined : sites[0]?.site.task;
    const lane = (task === undefined ? undefined : tasks.laneForName(task, index)) ?? tasks.kernel;
    const summary = findingSummary(f);
    const anchor = `${idPrefix}${entries.length}`;
    const details = { summary, class: findingClass(f), event: index, tick: ev.tick, ...f };
    const title = [summary, positionText(index, ev.tick), ...sites.map(siteText)].join("\n");
    lane.items.push(pointMark("finding", cols.of(index), "finding", title, details, { anchor }));
    entries.push({
      summary, kind: f.kind, eventIndex: index, tick: ev.tick, laneKey: lane.key, anchor,
      siteLines: findingSiteLines(f), details,
    });
  });
  return entries;
}
