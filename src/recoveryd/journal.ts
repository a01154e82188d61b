/**
 * The journal: every decision and step of the daemon as one JSON object a line, each line
 * made durable (fsync) before the daemon goes on. A destructive step is journaled as begun
 * *before* it runs and as ended after, so that a daemon killed in between knows, after its
 * restart, that the step may have run and does not run it again: it goes on with the next
 * step and verifies (docs/recoveryd.md, "Resuming").
 */
import type { Call } from "../uapi/mod.js";
import type { Action, Step } from "./plan.js";
import type { JournalStore } from "./host.js";

export type Outcome = "recovered" | "failed" | "refused" | "impossible" | "dry-run" | "telemetry";

export type JournalRecord =
  | { readonly type: "start"; readonly t: number; readonly pid: number; readonly mode: Mode }
  | { readonly type: "event"; readonly t: number; readonly device: string; readonly card: string; readonly wedged: string; readonly seqnum?: string; readonly task?: string; readonly taskPid?: string }
  | { readonly type: "recovery"; readonly t: number; readonly id: string; readonly device: string; readonly card: string; readonly action: Action; readonly attempt: number; readonly mode: Mode; readonly steps: readonly Step[]; readonly devpath: string; readonly pci: string; readonly driver: string | null }
  | { readonly type: "step"; readonly t: number; readonly id: string; readonly index: number; readonly phase: "begin" | "end" | "skipped"; readonly error?: string }
  | { readonly type: "outcome"; readonly t: number; readonly id: string; readonly device: string; readonly action: Action; readonly outcome: Outcome; readonly detail: string; readonly card?: string }
  | { readonly type: "state"; readonly t: number; readonly device: string; readonly state: DeviceStateName; readonly detail: string };

export type Mode = "dry-run" | "apply";
export type DeviceStateName = "wedged" | "recovering" | "recovered" | "backoff" | "given-up" | "refused";

export type RecoveryRecord = Extract<JournalRecord, { type: "recovery" }>;

/** A recovery the journal shows begun and not finished. */
export interface Unfinished {
  readonly recovery: RecoveryRecord;
  /** Steps known to have ended. */
  readonly ended: ReadonlySet<number>;
  /** Steps begun: a begun step that did not end may have run. */
  readonly begun: ReadonlySet<number>;
}

export interface JournalContents {
  readonly records: readonly JournalRecord[];
  /** Lines that are not a record (a line torn by a crash), with their line number. */
  readonly bad: readonly { readonly line: number; readonly text: string }[];
}

function isRecord(v: unknown): v is JournalRecord {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string" && typeof (v as { t?: unknown }).t === "number";
}

export function* readJournal(store: JournalStore): Call<JournalContents> {
  const records: JournalRecord[] = [];
  const bad: { line: number; text: string }[] = [];
  (yield* store.readAll()).forEach((text, i) => {
    if (text.trim() === "") return;
    try {
      const v: unknown = JSON.parse(text);
      if (isRecord(v)) records.push(v);
      else bad.push({ line: i + 1, text });
    } catch {
      bad.push({ line: i + 1, text });
    }
  });
  return { records, bad };
}

/** The recoveries of `mode` that have no outcome, in the order they began. */
export function unfinished(records: readonly JournalRecord[], mode: Mode): Unfinished[] {
  const open = new Map<string, { recovery: RecoveryRecord; ended: Set<number>; begun: Set<number> }>();
  for (const r of records) {
    if (r.type === "recovery" && r.mode === mode) open.set(r.id, { recovery: r, ended: new Set(), begun: new Set() });
    else if (r.type === "step") {
      const u = open.get(r.id);
      if (u === undefined) continue;
      if (r.phase === "begin") u.begun.add(r.index);
      else u.ended.add(r.index);
    } else if (r.type === "outcome") open.delete(r.id);
  }
  return [...open.values()];
}

/** The next recovery id: one more than the number of recoveries journaled. */
export function nextRecoveryId(records: readonly JournalRecord[]): number {
  return records.filter((r) => r.type === "recovery").length + 1;
}

export class Journal {
  constructor(private readonly store: JournalStore) {}

  get name(): string {
    return this.store.name;
  }

  *write(record: JournalRecord): Call<void> {
    yield* this.store.append(JSON.stringify(record));
  }
}
