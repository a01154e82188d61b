/**
 * Turns a timeline layout into positioned HTML: a sticky label column and a horizontally
 * scrolling track per lane. Every mark carries a tooltip (title) and its details as JSON
 * (data-details) for the click handler of report_script.ts.
 */
import { jsonText } from "../kernel/json.js";
import { attr, escapeHtml } from "./html_escape.js";
import type { Lane, LaneItem, TimelineLayout } from "./timeline_layout.js";

const ROW_HEIGHT_PX = 22;
const LANE_PAD_PX = 4;
const MARK_HEIGHT_PX = 14;
/** Room after the last column, where open-ended bars point to. */
const TRACK_TAIL_PX = 48;
const TRACK_WIDTH_MIN_PX = 480;
/** The whole trace aims to fit this width; dense traces scroll instead of shrinking further. */
const TRACK_WIDTH_TARGET_PX = 1200;
const COLUMN_WIDTH_MIN_PX = 10;
const COLUMN_WIDTH_MAX_PX = 36;
/** Axis labels keep at least this much room each. */
const AXIS_LABEL_SPACING_PX = 72;

/** The pixel width of one column for a trace of `columnCount` drawn events. */
export function columnWidthPx(columnCount: number): number {
  const fit = Math.floor(TRACK_WIDTH_TARGET_PX / Math.max(1, columnCount));
  return Math.min(COLUMN_WIDTH_MAX_PX, Math.max(COLUMN_WIDTH_MIN_PX, fit));
}

/** Renders the lanes and the axis of one record. */
export function renderTimeline(layout: TimelineLayout): string {
  const cw = columnWidthPx(layout.columns.length);
  const trackWidth = Math.max(TRACK_WIDTH_MIN_PX, layout.columns.length * cw + TRACK_TAIL_PX);
  const parts = [`<div class="timeline" role="list">`, renderAxis(layout, cw, trackWidth)];
  for (const lane of layout.lanes) parts.push(renderLane(lane, cw, trackWidth));
  parts.push(`</div>`);
  return parts.join("\n");
}

function renderAxis(layout: TimelineLayout, cw: number, trackWidth: number): string {
  const every = Math.max(1, Math.ceil(AXIS_LABEL_SPACING_PX / cw));
  const labels: string[] = [];
  layout.columns.forEach((c, col) => {
    if (col % every !== 0) return;
    labels.push(`<span class="tick"${attr("style", `left:${col * cw}px`)}${attr("title", `event #${c.index} (${c.t}) at t=${c.tick}`)}>#${c.index}<br>t=${c.tick}</span>`);
  });
  return [
    `<div class="lane axis">`,
    `<div class="lane-label"><b>event order</b><small>#index, t=tick</small></div>`,
    `<div class="track"${attr("style", `width:${trackWidth}px;--cw:${cw}px`)}>${labels.join("")}</div>`,
    `</div>`,
  ].join("");
}

function renderLane(lane: Lane, cw: number, trackWidth: number): string {
  const height = lane.rows * ROW_HEIGHT_PX + 2 * LANE_PAD_PX;
  // Backgrounds first, so marks and bars stay on top and clickable.
  const items = [...lane.items].sort((a, b) => layer(a) - layer(b));
  return [
    `<div${attr("class", `lane lane-${lane.kind}`)}${attr("data-lane", lane.key)} role="listitem">`,
    `<div class="lane-label"${attr("title", `${lane.label} (${lane.sublabel})`)}><b>${escapeHtml(lane.label)}</b><small>${escapeHtml(lane.sublabel)}</small></div>`,
    `<div class="track"${attr("style", `width:${trackWidth}px;height:${height}px;--cw:${cw}px`)}>`,
    ...items.map((item) => renderItem(item, cw, trackWidth, height)),
    `</div>`,
    `</div>`,
  ].join("");
}

function layer(item: LaneItem): number {
  if (item.kind === "life") return 0;
  if (item.shape === "bar") return 1;
  return item.kind === "finding" ? 3 : 2;
}

function renderItem(item: LaneItem, cw: number, trackWidth: number, laneHeight: number): string {
  const common =
    attr("data-kind", item.kind) +
    attr("title", item.title) +
    attr("data-details", jsonText(item.details)) +
    (item.state === undefined ? "" : attr("data-state", item.state)) +
    (item.anchor === undefined ? "" : attr("id", item.anchor)) +
    ` tabindex="0" role="button"`;
  const leaked = item.state === "leaked" ? " leaked" : "";
  const classes = `item ${item.shape} k-${item.kind} tone-${item.tone}${item.open ? " open" : ""}${leaked}`;
  if (item.kind === "life") {
    const left = item.col0 * cw;
    const width = (item.open ? trackWidth : (item.col1 + 1) * cw) - left;
    return `<div${attr("class", classes)}${attr("style", `left:${left}px;width:${width}px;top:0;height:${laneHeight}px`)}${common}></div>`;
  }
  const top = LANE_PAD_PX + item.row * ROW_HEIGHT_PX;
  if (item.shape === "bar") {
    const left = item.col0 * cw + 1;
    const width = (item.open ? trackWidth - 2 : (item.col1 + 1) * cw - 1) - left;
    const end = item.state === "leaked" ? " … leaked" : item.open ? " …" : "";
    const text = `${item.text}${end}`;
    return `<div${attr("class", classes)}${attr("style", `left:${left}px;width:${width}px;top:${top + 1}px`)}${common}><span>${escapeHtml(text)}</span></div>`;
  }
  // Findings and signals keep their full size however dense the trace: they are what to look for.
  const big = item.kind === "finding" || item.kind === "signal";
  const size = big ? MARK_HEIGHT_PX : Math.min(12, Math.max(8, cw - 4));
  const center = item.col1 * cw + cw / 2;
  const markTop = top + (ROW_HEIGHT_PX - size) / 2;
  const span = item.col0 < item.col1
    ? `<div${attr("class", `span tone-${item.tone}`)}${attr("style", `left:${item.col0 * cw + cw / 2}px;width:${center - (item.col0 * cw + cw / 2)}px;top:${top + ROW_HEIGHT_PX / 2 - 1}px`)}></div>`
    : "";
  return `${span}<div${attr("class", classes)}${attr("style", `left:${center - size / 2}px;top:${markTop}px;width:${size}px;height:${size}px`)}${common}></div>`;
}
