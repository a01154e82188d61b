/**
 * The HTML timeline report: one self-contained file (inline CSS and JS, no external resources)
 * with a tab per run record. Each record shows its header (seed, profile, verdict, replay
 * command), a timeline with a lane per task, per device (with lanes of its buffers, mappings,
 * fences and jobs below it) and for uevents, findings as red marks, a text list of the
 * findings, and the text trace.
 *
 * Run data is untrusted text; everything goes through escapeHtml(), and the inline script
 * reads it back only as text.
 */
import { assert } from "../kernel/assert.js";
import { jsonText } from "../kernel/json.js";
import { formatTrace } from "../kernel/trace.js";
import { isPassWord, VERDICTS } from "../scenario/verdict.js";
import { attr, classToken, escapeHtml } from "./html_escape.js";
import { REPORT_SCRIPT } from "./report_script.js";
import { REPORT_CSS } from "./report_style.js";
import type { FindingEntry } from "./finding_marks.js";
import type { RunRecord } from "./run_record.js";
import { renderTimeline } from "./timeline_html.js";
import { buildTimeline, type TimelineLayout } from "./timeline_layout.js";

/** The text trace below each timeline is cut after this many lines. */
const TRACE_LINES_MAX = 5_000;

/** Verdict words with a colour of their own (report_style.ts); others are grey. */
const KNOWN_VERDICTS: ReadonlySet<string> = new Set([...VERDICTS.map((v) => v.name), "caught"]);

// Nothing may be fetched: the report must behave the same offline and online.
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/**
 * Renders run records as one self-contained HTML page.
 *
 * Guarantees: the page loads nothing (a Content-Security-Policy forbids it), works from
 * file://, and shows all records (one tab each; all at once without JavaScript).
 * Caller must: give each record a distinct title.
 * @param records the runs to show, in tab order; may be empty.
 * @returns the HTML document.
 * @throws ModelAssertionError if two records share a title.
 */
export function renderHtml(records: readonly RunRecord[]): string {
  const titles = new Set(records.map((r) => r.title));
  assert(titles.size === records.length, "Cannot render report: two records share a title");
  const pageTitle = records.length === 1 ? `vdrm: ${records[0]?.title ?? ""}` : `vdrm: ${records.length} runs`;
  const tabs = records.length > 1
    ? `<nav class="tabs" role="tablist">${records.map((r, i) => `<button type="button" role="tab"${attr("data-tab", i)}>${verdictDot(r.verdict)}${escapeHtml(r.title)}</button>`).join("")}</nav>`
    : "";
  const sections = records.length === 0 ? `<p>No runs recorded.</p>` : records.map(renderRecord).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"${attr("content", CONTENT_SECURITY_POLICY)}>
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(pageTitle)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>vdrm run report</h1>
${tabs}
${sections}
<aside id="details" aria-live="polite">
<h2 id="details-title">Details</h2>
<pre id="details-body">Click a mark to see its details here; hover over it for a summary.</pre>
</aside>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function verdictDot(verdict: string): string {
  return isPassWord(verdict) ? "✓ " : "✗ ";
}

function renderRecord(record: RunRecord, index: number): string {
  const layout = buildTimeline(record, `r${index}-f`);
  return [
    `<section class="record"${attr("data-record", record.title)}${attr("id", `record-${index}`)}>`,
    renderHeader(record),
    renderCounts(record, layout),
    LEGEND,
    renderTimeline(layout),
    `<h3>Findings</h3>`,
    renderFindings(layout.findings),
    renderTraceText(record),
    `</section>`,
  ].join("\n");
}

function renderHeader(record: RunRecord): string {
  const verdictClass = KNOWN_VERDICTS.has(record.verdict) ? `verdict verdict-${classToken(record.verdict)}` : "verdict";
  return [
    `<div class="run-header">`,
    `<h2>${escapeHtml(record.title)}</h2>`,
    `<dl>`,
    `<div><dt>verdict</dt><dd><span${attr("class", verdictClass)} data-verdict>${escapeHtml(record.verdict)}</span></dd></div>`,
    `<div><dt>seed</dt><dd><code>${escapeHtml(String(record.seed))}</code></dd></div>`,
    `<div><dt>profile</dt><dd>${escapeHtml(record.profile)}</dd></div>`,
    `<div class="replay"><dt>replay</dt><dd><code>${escapeHtml(record.replay)}</code></dd></div>`,
    `</dl>`,
    `</div>`,
  ].join("");
}

function renderCounts(record: RunRecord, layout: TimelineLayout): string {
  let allocs = 0;
  let frees = 0;
  let uevents = 0;
  let calls = 0;
  for (const ev of record.events) {
    if (ev.t === "alloc") allocs++;
    else if (ev.t === "free") frees++;
    else if (ev.t === "uevent") uevents++;
    else if (ev.t === "call") calls++;
  }
  const tasks = layout.lanes.filter((l) => l.kind === "task").length;
  const parts = [
    `${record.events.length} events (${layout.columns.length} drawn)`,
    `${tasks} tasks`,
    `${calls} calls`,
    `${allocs} allocations, ${frees} frees`,
    `${uevents} uevents`,
    `${layout.findings.length} findings`,
  ];
  return `<p class="counts">${escapeHtml(parts.join(" · "))}</p>`;
}

// The swatches take the classes of the items they stand for, so their colours come from REPORT_CSS.
const LEGEND = `<div class="legend">${[
  ["k-call tone-ok", "call"],
  ["k-call tone-err", "call failed (errno)"],
  ["k-block", "blocked"],
  ["k-alloc tone-drm-device", "drm_device"],
  ["k-alloc tone-drm-minor", "drm_minor"],
  ["k-alloc tone-drm-file", "drm_file"],
  ["k-alloc tone-drm-gem-object", "buffer"],
  ["k-alloc tone-vm-area-struct", "mapping"],
  ["k-alloc tone-dma-fence", "fence"],
  ["k-alloc", "other object"],
  ["k-life tone-device", "device lifetime"],
  ["k-signal tone-ok", "fence signalled"],
  ["k-signal tone-err", "signalled with an error"],
  ["k-alloc leaked", "leaked"],
  ["k-finding", "finding"],
  ["k-uevent tone-add", "uevent add"],
  ["k-uevent tone-remove", "uevent remove"],
  ["k-display tone-flip", "flip"],
  ["k-display tone-flip-faked", "flip faked after unplug"],
  ["k-display tone-vblank-event", "vblank / flip event sent"],
].map(([classes, text]) => `<span><span${attr("class", `sw ${classes ?? ""}`)}></span>${escapeHtml(text ?? "")}</span>`).join("")}<span>dashed right edge: still allocated / still blocked at the end</span></div>`;

function renderFindings(findings: readonly FindingEntry[]): string {
  if (findings.length === 0) return `<p class="no-findings">No findings.</p>`;
  const items = findings.map((f) => {
    const sites = f.siteLines.map((l) => `<li>${escapeHtml(l)}</li>`).join("");
    return [
      `<li data-finding${attr("data-details", jsonText(f.details))}${attr("title", f.summary)}>`,
      `<a${attr("href", `#${f.anchor}`)}${attr("data-target", f.anchor)} class="summary">${escapeHtml(f.summary)}</a>`,
      ` <small>${escapeHtml(`event #${f.eventIndex}, t=${f.tick}, lane ${f.laneKey}`)}</small>`,
      `<ul>${sites}</ul>`,
      `</li>`,
    ].join("");
  });
  return `<ol class="findings-list">${items.join("\n")}</ol>`;
}

function renderTraceText(record: RunRecord): string {
  const lines = formatTrace(record.events).split("\n");
  const shown = lines.slice(0, TRACE_LINES_MAX);
  if (lines.length > TRACE_LINES_MAX) shown.push(`… ${lines.length - TRACE_LINES_MAX} more lines not shown`);
  return `<details class="trace"><summary>Text trace (${lines.length} lines)</summary><pre>${escapeHtml(shown.join("\n"))}</pre></details>`;
}
