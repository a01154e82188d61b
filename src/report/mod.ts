/**
 * The HTML timeline report: run records in, one self-contained HTML file out.
 */
export { renderHtml } from "./html.js";
export { formatTextTable } from "./text_table.js";
export { worldRunRecord } from "./world_record.js";
export type { RunRecord } from "./run_record.js";
export { OBJECT_KINDS, OBJECT_LANES, type ObjectKind, type ObjectLaneName } from "./device_lanes.js";
export { buildTimeline, type Lane, type LaneItem, type TimelineLayout } from "./timeline_layout.js";
export type { FindingEntry } from "./finding_marks.js";
