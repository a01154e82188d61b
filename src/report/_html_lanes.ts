/**
 * Reads the lanes of a rendered report back out of its HTML, as a test sees the page: each
 * lane's key, label and sublabel, and each mark or bar with its classes, tooltip, state and
 * details (JSON). It reads only what timeline_html.ts writes.
 * @internal
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, replayCommand, runScenario } from "../scenario/mod.js";
import { renderHtml } from "./html.js";
import { worldRunRecord } from "./world_record.js";

export interface HtmlItem {
  readonly kind: string;
  readonly classes: readonly string[];
  readonly title: string;
  readonly state: string | null;
  readonly details: Record<string, unknown>;
  /** Where it starts and how wide it is, in pixels. */
  readonly left: number;
  readonly width: number | null;
}

export interface HtmlLane {
  readonly key: string;
  readonly classes: readonly string[];
  readonly label: string;
  readonly sublabel: string;
  readonly items: readonly HtmlItem[];
}

const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);
}

const LANE = /<div class="([^"]*)" data-lane="([^"]*)" role="listitem"><div class="lane-label"[^>]*><b>([^<]*)<\/b><small>([^<]*)<\/small><\/div>/g;
const ITEM = /<div class="(item [^"]*)" style="([^"]*)" data-kind="([^"]*)" title="([^"]*)" data-details="([^"]*)"(?: data-state="([^"]*)")?/g;

/** The lanes of the page, in order (of every record on it). */
export function htmlLanes(html: string): HtmlLane[] {
  const starts = [...html.matchAll(LANE)];
  return starts.map((m, i) => {
    const end = starts[i + 1]?.index ?? html.length;
    const body = html.slice(m.index + m[0].length, end);
    const items = [...body.matchAll(ITEM)].map((it): HtmlItem => {
      const style = it[2] ?? "";
      const width = /width:(-?[\d.]+)px/.exec(style);
      return {
        kind: it[3] ?? "",
        classes: (it[1] ?? "").split(" "),
        title: unescape(it[4] ?? ""),
        state: it[6] === undefined ? null : unescape(it[6]),
        details: JSON.parse(unescape(it[5] ?? "null")) as Record<string, unknown>,
        left: Number(/left:(-?[\d.]+)px/.exec(style)?.[1] ?? NaN),
        width: width === null ? null : Number(width[1]),
      };
    });
    return {
      key: unescape(m[2] ?? ""),
      classes: (m[1] ?? "").split(" "),
      label: unescape(m[3] ?? ""),
      sublabel: unescape(m[4] ?? ""),
      items,
    };
  });
}

/** The lane called `key`; fails the test if there is none. */
export function laneOf(lanes: readonly HtmlLane[], key: string): HtmlLane {
  const lane = lanes.find((l) => l.key === key);
  if (lane === undefined) throw new Error(`no lane ${key}; lanes: ${lanes.map((l) => l.key).join(", ")}`);
  return lane;
}

/** The labels of a lane's object bars, in the order they are drawn. */
export function barLabels(lane: HtmlLane): string[] {
  return lane.items.filter((i) => i.kind === "alloc").map((i) => String(i.details["label"]));
}

/** The lanes of the report of built-in scenario `file` (scenarios/), which must pass. */
export function reportLanes(file: string): HtmlLane[] {
  const loaded = loadScenarioFile(fileURLToPath(new URL(`../../scenarios/${file}`, import.meta.url)));
  assert.ok(loaded.ok);
  const run = runScenario(loaded.scenario);
  assert.equal(run.verdict, "pass");
  const meta = { title: run.scenario.name, verdict: run.verdict, replay: replayCommand(run) };
  return htmlLanes(renderHtml([worldRunRecord(run.world, meta)]));
}
