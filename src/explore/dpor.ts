/**
 * Dynamic partial-order reduction, the race analysis of source-set DPOR (Abdulla, Aronis,
 * Jonsson, Sagonas, "Optimal dynamic partial order reduction", POPL 2014, its Algorithm 1):
 * after each execution, find the pairs of transitions of different processes that are
 * dependent and adjacent in happens-before (a race), and ask for the other order at the choice
 * point before the first one, unless a process that starts an equivalent order is already
 * there.
 *
 * Happens-before is the order of each process, the dependence of transitions (one writes an
 * object the other reads or writes; sync objects count as writes), and what enables a
 * transition: the wake-up or spawn that made its task runnable, and for a timer every
 * transition before it was due (time is the count of steps, so any of them brought it).
 */
import type { Transition } from "./record.js";

/** A request for the choice point `decision` to try one of `procs` (a source set's wish). */
export interface Race {
  readonly decision: number;
  /** The processes that can start the reversed order there (any one will do). */
  readonly initials: readonly number[];
}

/** Vector clocks: for each transition, per process, how many of its transitions precede it. */
interface Clocks {
  readonly vc: Int32Array[];
  /** Each transition's 1-based position within its process. */
  readonly local: Int32Array;
}

function hb(c: Clocks, t: readonly Transition[], j: number, k: number): boolean {
  return c.vc[k]![t[j]!.proc]! >= c.local[j]!;
}

function join(into: Int32Array, from: Int32Array): void {
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}

interface Access {
  lastWrite: number;
  readsSince: number[];
}

/**
 * The races of an execution: for each, the choice point of its first transition and the
 * processes that could run first there to reverse it.
 */
export function races(t: readonly Transition[]): Race[] {
  const procs = t.reduce((m, x) => Math.max(m, x.proc), 0) + 1;
  const c: Clocks = { vc: [], local: new Int32Array(t.length) };
  const lastOf = new Map<number, number>();
  const counts = new Int32Array(procs);
  const objects = new Map<number, Access>();
  const prefixJoin = new Int32Array(procs);
  const joins: Int32Array[] = [];
  const out: Race[] = [];
  for (let k = 0; k < t.length; k++) {
    const x = t[k]!;
    joins.push(prefixJoin.slice());
    const base = new Int32Array(procs);
    const prev = lastOf.get(x.proc);
    if (prev !== undefined) join(base, c.vc[prev]!);
    if (x.enabler >= 0) join(base, c.vc[x.enabler]!);
    if (x.timer && x.dueFrom >= 0) join(base, joins[x.dueFrom]!);
    const deps = dependencies(x, k, objects);
    const vc = base.slice();
    for (const j of deps) join(vc, c.vc[j]!);
    c.local[k] = ++counts[x.proc]!;
    vc[x.proc] = c.local[k]!;
    c.vc.push(vc);
    // Races: dependent predecessors of another process not ordered before k otherwise.
    const cand = deps.filter((j) => t[j]!.proc !== x.proc && base[t[j]!.proc]! < c.local[j]!);
    for (const j of cand) {
      if (cand.some((j2) => j2 !== j && hb(c, t, j, j2))) continue;
      const d = t[j]!.decision;
      if (d < 0) continue;
      out.push({ decision: d, initials: initialsOf(c, t, j, k) });
    }
    lastOf.set(x.proc, k);
    join(prefixJoin, vc);
  }
  return out;
}

/** The earlier transitions k depends on directly (the last writer, and readers since). */
function dependencies(x: Transition, k: number, objects: Map<number, Access>): number[] {
  const deps = new Set<number>();
  const written = new Set(x.writes);
  for (const o of x.reads) {
    if (written.has(o)) continue;
    const a = objects.get(o);
    if (a === undefined) objects.set(o, { lastWrite: -1, readsSince: [k] });
    else {
      if (a.lastWrite >= 0) deps.add(a.lastWrite);
      a.readsSince.push(k);
    }
  }
  for (const o of written) {
    const a = objects.get(o);
    if (a !== undefined) {
      if (a.lastWrite >= 0) deps.add(a.lastWrite);
      for (const r of a.readsSince) if (r !== k) deps.add(r);
    }
    objects.set(o, { lastWrite: k, readsSince: [] });
  }
  deps.delete(k);
  return [...deps];
}

/**
 * The processes that can start `notdep(j) . k` at the choice point before j: the first
 * transition of each process in it that nothing earlier in it happens before.
 */
function initialsOf(c: Clocks, t: readonly Transition[], j: number, k: number): number[] {
  const v: number[] = [];
  for (let m = j + 1; m < k; m++) if (!hb(c, t, j, m)) v.push(m);
  v.push(k);
  const seen = new Set<number>();
  const out: number[] = [];
  for (let a = 0; a < v.length; a++) {
    const m = v[a]!;
    const p = t[m]!.proc;
    if (seen.has(p)) continue;
    seen.add(p);
    let first = true;
    for (let b = 0; b < a && first; b++) if (hb(c, t, v[b]!, m)) first = false;
    if (first) out.push(p);
  }
  return out;
}
