/**
 * What an object looks like on a device's lanes: a bar from its allocation to its free (open
 * to the right while still allocated, marked leaked when a leak finding names it), a mark
 * where it signalled (a dma_fence's, red when it signalled with an error), and the device's
 * own lifetime as a band behind the bars of each of its lanes.
 */
import { errnoName } from "../uapi/errno.js";
import { lastLabel, type ObjectLife, type ObjectLives } from "./object_lives.js";
import { positionText, type ColumnIndex, type LaneItem } from "./timeline_layout.js";

/** Struct types with a colour of their own (report_style.ts); the rest share one. */
const TYPE_TONES: ReadonlySet<string> = new Set([
  "drm_device", "drm_minor", "drm_file", "device", "pci_dev", "drm_gem_object", "dma_buf",
  "vm_area_struct", "dma_fence", "sync_file", "drm_syncobj", "drm_sched_job",
]);

/** Where a bar goes: its row and first and last columns. */
export interface BarPlace {
  readonly row: number;
  readonly col0: number;
  readonly col1: number;
}

/** The columns an object's bar covers: from its allocation to its free, or to the end. */
export function lifeExtent(life: ObjectLife, cols: ColumnIndex): { col0: number; col1: number } {
  const col0 = cols.of(life.index);
  const col1 = life.free === null ? cols.last : cols.of(life.free.index);
  return { col0, col1: Math.max(col0, col1) };
}

/** The device's lifetime, drawn behind the bars of each of its lanes. */
export function deviceBand(root: ObjectLife, name: string, cols: ColumnIndex): LaneItem {
  const { free } = root;
  const freed = free === null
    ? "still allocated at the end of the trace"
    : `freed in ${free.site.fn}, ${positionText(free.index, free.site.tick)}`;
  return {
    kind: "life",
    shape: "bar",
    row: 0,
    ...lifeExtent(root, cols),
    open: free === null,
    text: "",
    tone: "device",
    title: `lifetime of ${name}\nallocated ${positionText(root.index, root.alloc.tick)}\n${freed}`,
    details: {
      device: name,
      id: root.alloc.id,
      alloc: { event: root.index, ...root.alloc.site },
      free: free === null ? null : { event: free.index, ...free.site },
    },
  };
}

/**
 * An object's bar on the lanes of `device`. `signals`: its kind signals (a fence), so the
 * bar says whether and how it did.
 */
export function objectBar(
  life: ObjectLife, lives: ObjectLives, device: string, signals: boolean, at: BarPlace,
): LaneItem {
  const { alloc: a, free } = life;
  const label = lastLabel(life);
  const ownerLife = a.owner === undefined ? undefined : lives.byId.get(a.owner);
  const owner = ownerLife === undefined ? null : { id: a.owner, label: lastLabel(ownerLife) };
  const leak = life.findings.find((f) => f.kind === "leak");
  const state = free !== null ? "freed" : leak !== undefined ? "leaked" : "allocated";
  const ownedBy = owner === null || owner.label === device ? "" : `, owned by ${owner.label}`;
  const lines = [
    label,
    `${a.type} (${a.kind}), id ${a.id}, of ${device}${ownedBy}`,
    `allocated in ${a.site.fn} by ${a.site.task}, ${positionText(life.index, a.tick)}`,
    ...(signals ? [signalText(life)] : []),
    free !== null
      ? `freed in ${free.site.fn} by ${free.site.task}, ${positionText(free.index, free.site.tick)}`
      : leak !== undefined ? `leaked: ${leak.summary}` : "still allocated at the end of the trace",
  ];
  return {
    kind: "alloc",
    shape: "bar",
    ...at,
    open: free === null,
    text: label,
    tone: TYPE_TONES.has(a.type) ? a.type.replace(/_/g, "-") : "obj",
    title: lines.join("\n"),
    state,
    details: {
      id: a.id,
      type: a.type,
      kind: a.kind,
      label,
      labels: life.labels,
      device,
      owner,
      state,
      alloc: { event: life.index, ...a.site },
      ...(signals ? { signaled: signalDetails(life) } : {}),
      free: free === null ? null : { event: free.index, ...free.site },
      findings: life.findings.map((f) => ({ event: f.index, summary: f.summary })),
    },
  };
}

/** The mark where the object signalled, on its bar's row; none if it never did. */
export function signalMarks(life: ObjectLife, row: number, cols: ColumnIndex): LaneItem[] {
  const s = life.signaled;
  if (s === null) return [];
  const label = lastLabel(life);
  const col = cols.of(s.index);
  return [{
    kind: "signal",
    shape: "mark",
    row,
    col0: col,
    col1: col,
    open: false,
    text: "",
    tone: s.error === 0 ? "ok" : "err",
    title: `${label} signalled${errorText(s.error)}\n${positionText(s.index, s.tick)}`,
    details: { id: life.alloc.id, label, signaled: signalDetails(life) },
  }];
}

function signalText(life: ObjectLife): string {
  const s = life.signaled;
  return s === null ? "never signalled" : `signalled${errorText(s.error)}, ${positionText(s.index, s.tick)}`;
}

interface SignalDetails {
  readonly event: number;
  readonly tick: number;
  /** 0, or the negative errno the fence signalled with (its status). */
  readonly error: number;
  readonly errno: string | null;
}

function signalDetails(life: ObjectLife): SignalDetails | null {
  const s = life.signaled;
  if (s === null) return null;
  const errno = s.error === 0 ? null : errnoName(-s.error) ?? null;
  return { event: s.index, tick: s.tick, error: s.error, errno };
}

/** " with error -125 (ECANCELED)", or nothing for a fence that signalled without one. */
function errorText(error: number): string {
  if (error === 0) return "";
  const name = errnoName(-error);
  return ` with error ${error}${name === undefined ? "" : ` (${name})`}`;
}
