import { test } from "node:test";
import assert from "node:assert/strict";
import { findingSummary } from "../kernel/findings.js";
import { escapeHtml } from "./html_escape.js";
import { renderHtml } from "./html.js";
import { buildTimeline } from "./timeline_layout.js";
import { HOSTILE_LABEL, passRunRecord, PCI_NAME, uafRunRecord } from "./_test_record.js";

test("renderHtml() draws a lane per task, per device and for uevents", () => {
  const html = renderHtml([uafRunRecord()]);
  for (const lane of ["task:kworker/0:1", "task:app", "task:unplug", `device:${PCI_NAME}`, "uevents", "kernel"]) {
    assert.ok(html.includes(`data-lane="${lane}"`), `lane ${lane}`);
  }
  assert.ok(html.includes(`data-record="unplug-while-reading"`));
  assert.ok(html.includes(`id="details"`));
  for (const kind of ["call", "uevent", "finding", "alloc", "block"]) assert.ok(html.includes(`data-kind="${kind}"`), `kind ${kind}`);
});

test("renderHtml() shows the use-after-free summary and its sites", () => {
  const record = uafRunRecord();
  const uaf = record.events.flatMap((e) => (e.t === "finding" && e.finding.kind === "use-after-free" ? [e.finding] : []));
  assert.equal(uaf.length, 1, "the fixture makes exactly one use-after-free");
  const html = renderHtml([record]);
  assert.ok(html.includes(escapeHtml(findingSummary(uaf[0]!))), "summary in the findings list");
  assert.ok(html.includes("freed:  drm_dev_release in task unplug"), "free site in the list");
  assert.ok(html.includes("access: drm_ioctl in task app"), "access site in the findings list");
  assert.ok(html.includes("kmemleak: unreferenced object drm_file (app)"), "leaks are listed too");
});

test("buildTimeline() puts a use-after-free on the accessing task's lane and leaks on the kernel lane", () => {
  const layout = buildTimeline(uafRunRecord());
  const kinds = (key: string): string[] => layout.lanes.find((l) => l.key === key)?.items.map((i) => i.kind) ?? [];
  assert.deepEqual(kinds("task:app").filter((k) => k === "finding"), ["finding"]);
  assert.deepEqual(kinds("kernel").filter((k) => k === "finding"), ["finding", "finding"]);
  const device = layout.lanes.find((l) => l.key === `device:${PCI_NAME}`);
  assert.ok(device !== undefined);
  const bars = device.items.filter((i) => i.kind === "alloc");
  assert.equal(bars.length, 4, "pci_dev, drm_device, drm_minor, drm_file");
  assert.deepEqual(bars.filter((b) => b.open).map((b) => b.text).sort(), ["0000:01:00.0", "drm_file (app)", "drm_minor card0"]);
  assert.equal(bars.find((b) => !b.open)?.text, HOSTILE_LABEL, "the bar carries the latest label");
  const rows = new Map<number, { col0: number; col1: number }[]>();
  for (const b of bars) rows.set(b.row, [...(rows.get(b.row) ?? []), b]);
  for (const same of rows.values()) {
    for (const a of same) for (const b of same) assert.ok(a === b || a.col1 < b.col0 || b.col1 < a.col0, "bars on one row do not overlap");
  }
});

test("renderHtml() escapes markup in run data", () => {
  const html = renderHtml([uafRunRecord()]);
  assert.ok(!html.includes(HOSTILE_LABEL), "the raw label never appears");
  assert.ok(html.includes("card0 &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"));
  assert.equal(html.match(/<script>/g)?.length, 1, "only the report's own script element");
  const hostile = { ...passRunRecord(), title: `"><img src=x onerror=alert(1)>`, replay: "</code><b>x" };
  const page = renderHtml([hostile]);
  assert.ok(!page.includes("<img"));
  assert.ok(!page.includes("</code><b>"));
});

test("renderHtml() references no external resources", () => {
  const html = renderHtml([uafRunRecord(), passRunRecord()]);
  assert.ok(!/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i.test(html), "no src/href to another origin");
  assert.ok(!/@import|url\(/i.test(html), "no CSS imports or url()");
  assert.ok(html.includes("Content-Security-Policy"));
});

test("renderHtml() makes one section and one tab per record", () => {
  const html = renderHtml([uafRunRecord(), passRunRecord()]);
  assert.equal(html.match(/<section /g)?.length, 2);
  assert.equal(html.match(/data-tab="/g)?.length, 2);
  assert.ok(html.includes(`data-record="vkms-probe-remove"`));
  assert.throws(() => renderHtml([passRunRecord(), passRunRecord()]), /Cannot render report: two records share a title/);
  assert.ok(renderHtml([]).includes("No runs recorded."));
});
