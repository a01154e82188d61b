/**
 * The lives of the kernel objects of a run, read from its trace: each allocation with its
 * labels, its free, its signal (a dma_fence's, with the error) and the findings about it, and
 * the device it belongs to, found by following owners (the alloc events' `owner`) up to an
 * object that belongs to nobody. Nothing here reads a label to decide where an object goes.
 */
import { findingSummary, type Finding } from "../kernel/findings.js";
import type { Site } from "../kernel/kobject.js";
import type { AllocEvent, TraceEvent } from "../kernel/trace.js";

export interface ObjectLife {
  /** The index of its alloc event. */
  readonly index: number;
  readonly alloc: AllocEvent;
  /** Its labels in order, the allocation's first ("label" events rename objects). */
  readonly labels: string[];
  free: { readonly index: number; readonly site: Site } | null;
  signaled: { readonly index: number; readonly tick: number; readonly error: number } | null;
  readonly findings: { readonly index: number; readonly kind: Finding["kind"]; readonly summary: string }[];
}

export interface ObjectLives {
  /** By allocation id, in allocation order. */
  readonly byId: ReadonlyMap<number, ObjectLife>;
  /**
   * The object its owners lead to: the last one in the chain whose allocation the trace has
   * (the object itself if it has no owner).
   */
  rootOf(id: number): number;
}

/** Reads the lives of every allocation in `events`. */
export function collectLives(events: readonly TraceEvent[]): ObjectLives {
  const byId = new Map<number, ObjectLife>();
  events.forEach((ev, index) => {
    switch (ev.t) {
      case "alloc":
        byId.set(ev.id, { index, alloc: ev, labels: [ev.label], free: null, signaled: null, findings: [] });
        return;
      case "free": {
        const life = byId.get(ev.id);
        // A second free is a double-free finding, drawn as such; the life ends at the first.
        if (life !== undefined && life.free === null) life.free = { index, site: ev.site };
        return;
      }
      case "label":
        byId.get(ev.id)?.labels.push(ev.label);
        return;
      case "signaled": {
        const life = byId.get(ev.id);
        if (life !== undefined && life.signaled === null) life.signaled = { index, tick: ev.tick, error: ev.error };
        return;
      }
      case "finding":
        if (ev.id !== undefined) {
          byId.get(ev.id)?.findings.push({ index, kind: ev.finding.kind, summary: findingSummary(ev.finding) });
        }
        return;
      default:
        return;
    }
  });
  const roots = new Map<number, number>();
  const rootOf = (id: number): number => {
    const known = roots.get(id);
    if (known !== undefined) return known;
    // An owner is allocated before what it owns, so a chain ends; `seen` guards a hand-made trace.
    const seen = new Set<number>([id]);
    let at = id;
    for (;;) {
      const owner = byId.get(at)?.alloc.owner;
      if (owner === undefined || !byId.has(owner) || seen.has(owner)) break;
      seen.add(owner);
      at = owner;
    }
    roots.set(id, at);
    return at;
  };
  return { byId, rootOf };
}

/** An object's label now: the last it was given. */
export function lastLabel(life: ObjectLife): string {
  return life.labels[life.labels.length - 1] ?? life.alloc.label;
}
