/**
 * Compares a model run with the real-kernel recording, observation by observation, step by
 * step. Within a step, order is compared per kind (uevents among uevents, calls among calls):
 * the recording's probe logs a call before it drains the uevents the call caused, and kernel
 * messages are not ordered against uevents. Every observation ends in one of: match, mismatch,
 * missing (real only), extra (model only), or not-modelled (a difference the model does not
 * claim to reproduce, with the reason).
 */
import { escapeControls } from "../scenario/mod.js";
import { observationKey, type Observation } from "./observation.js";

export type Verdict = "match" | "mismatch" | "missing" | "extra" | "not-modelled";

export interface Comparison {
  readonly scn: string;
  readonly verdict: Verdict;
  readonly real: string | null;
  readonly model: string | null;
  readonly reason?: string;
}

/** Differences the model does not reproduce, and why. */
const NOT_MODELLED: readonly { readonly test: (real: Observation, model: Observation) => boolean; readonly reason: string }[] = [
  {
    // The fbdev emulation allocates its 1280x800x32 buffer (1000 pages) first, so user
    // buffers start 1000 pages into the fake-offset space on the real machine.
    test: (r, m) => r.kind === "call" && m.kind === "call" && r.what === "DRM_IOCTL_MODE_MAP_DUMB" && r.ok && m.ok && r.fields["offset"] !== m.fields["offset"],
    reason: "fbdev emulation is not modelled: its buffer takes the first fake mmap offsets",
  },
];

const KINDS: readonly Observation["kind"][] = ["uevent", "call", "mem", "minors", "ls", "kmsg"];

function scnsInOrder(...lists: readonly (readonly Observation[])[]): string[] {
  const seen: string[] = [];
  for (const list of lists) for (const o of list) if (!seen.includes(o.scn)) seen.push(o.scn);
  return seen;
}

export function compareObservations(real: readonly Observation[], model: readonly Observation[]): Comparison[] {
  const out: Comparison[] = [];
  for (const scn of scnsInOrder(real, model)) {
    for (const kind of KINDS) {
      const r = real.filter((o) => o.scn === scn && o.kind === kind);
      const m = model.filter((o) => o.scn === scn && o.kind === kind);
      for (let i = 0; i < Math.max(r.length, m.length); i++) out.push(compareOne(scn, r[i], m[i]));
    }
  }
  return out;
}

/** The verdict on one real observation and the model's at the same place; either may be absent. */
function compareOne(scn: string, ro: Observation | undefined, mo: Observation | undefined): Comparison {
  const real = ro === undefined ? null : observationKey(ro);
  const model = mo === undefined ? null : observationKey(mo);
  if (ro === undefined || mo === undefined) return { scn, verdict: ro === undefined ? "extra" : "missing", real, model };
  if (real === model) return { scn, verdict: "match", real, model };
  const nm = NOT_MODELLED.find((n) => n.test(ro, mo));
  return nm === undefined ? { scn, verdict: "mismatch", real, model } : { scn, verdict: "not-modelled", real, model, reason: nm.reason };
}

export function summarize(results: readonly Comparison[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { match: 0, mismatch: 0, missing: 0, extra: 0, "not-modelled": 0 };
  for (const r of results) counts[r.verdict]++;
  return counts;
}

/** `[step] match <observation>`: a match, as `--all` shows it. */
export function formatMatch(r: Comparison): string {
  return `[${escapeControls(r.scn)}] match ${escapeControls(r.real ?? "")}`;
}

/**
 * The differences, one to three lines each, and the counts. Step names and observations come
 * from the recording, which may be any file: their control characters are escaped.
 */
export function formatComparison(results: readonly Comparison[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.verdict === "match") continue;
    const reason = r.reason ? ` (${r.reason})` : "";
    lines.push(`[${escapeControls(r.scn)}] ${r.verdict.toUpperCase()}${reason}`);
    if (r.real !== null) lines.push(`    real:  ${escapeControls(r.real)}`);
    if (r.model !== null) lines.push(`    model: ${escapeControls(r.model)}`);
  }
  const c = summarize(results);
  lines.push(`${c.match} match, ${c.mismatch} mismatch, ${c.missing} missing, ${c.extra} extra, ${c["not-modelled"]} not modelled`);
  return lines.join("\n");
}
