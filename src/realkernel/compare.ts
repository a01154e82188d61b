/**
 * Compares a model run with the real-kernel recording, scenario step by scenario step (`scn`),
 * each in order with a sequence diff (./align.ts). Within a step, order is compared per kind
 * (uevents among uevents, calls among calls): the recording's probe logs a call before it
 * drains the uevents the call caused, and kernel messages are not ordered against uevents.
 * Every observation ends in one of: match, mismatch (the same place, different values),
 * missing (real only), extra (model only), or not-modelled (a difference the model does not
 * claim to reproduce, with the reason). The rows of a step come in the recording's order; a
 * model-only row follows the real row it was aligned after.
 */
import { alignByIdentity } from "./align.js";
import { observationIdentity, observationKey, type Observation } from "./observation.js";

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
  const seen = new Set<string>();
  for (const list of lists) for (const o of list) seen.add(o.scn);
  return [...seen];
}

/** A row and where it goes among the step's rows: after real observation `at`, then by `then`. */
interface Placed {
  readonly at: number;
  readonly then: number;
  readonly row: Comparison;
}

export function compareObservations(real: readonly Observation[], model: readonly Observation[]): Comparison[] {
  const out: Comparison[] = [];
  for (const scn of scnsInOrder(real, model)) {
    const placed: Placed[] = [];
    for (const kind of KINDS) placed.push(...compareStream(scn, kind, real, model));
    placed.sort((x, y) => x.at - y.at || x.then - y.then);
    out.push(...placed.map((p) => p.row));
  }
  return out;
}

/** The observations of one kind in one step, aligned; rows placed by the recording's order. */
function compareStream(
  scn: string, kind: Observation["kind"], real: readonly Observation[],
  model: readonly Observation[],
): Placed[] {
  const indices = (list: readonly Observation[]): number[] =>
    list.flatMap((o, i) => (o.scn === scn && o.kind === kind ? [i] : []));
  const r = indices(real);
  const m = indices(model);
  const placed: Placed[] = [];
  let after = -1; // the last real observation of this stream so far
  const identities = (list: readonly Observation[], at: readonly number[]): string[] =>
    at.map((i) => observationIdentity(list[i]!));
  const pairs = alignByIdentity(identities(real, r), identities(model, m));
  for (const p of pairs) {
    const ri = p.a === null ? undefined : r[p.a]!;
    const mi = p.b === null ? undefined : m[p.b]!;
    if (ri !== undefined) after = ri;
    const row = compareOne(scn, ri === undefined ? undefined : real[ri],
      mi === undefined ? undefined : model[mi]);
    placed.push(ri === undefined ? { at: after + 0.5, then: mi!, row } : { at: ri, then: -1, row });
  }
  return placed;
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
