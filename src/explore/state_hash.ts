/**
 * The state hash of `--states`: a 64-bit fingerprint (two FNV-1a lanes) of what a choice
 * point's future depends on, as far as the model lets one see it:
 * - the clock (timers are set in absolute ticks) and the tasks: each one's state, the step it
 *   will run, the step it resumes with, what it sleeps on, its kernel backtrace, its pending
 *   fatal signal, and how many transitions it has run (its position; a generator's local
 *   variables cannot be read, so two runs that reach a task at the same transition count with
 *   the same kernel state are taken to have it in the same place);
 * - every kernel object not freed (KObject), by allocation id: its fields, followed into the
 *   arrays, maps, sets and plain structs it holds (three levels deep), other kernel objects
 *   named by id, byte arrays by content, wait queues by their sleepers.
 * Not covered: scenario bookkeeping outside the kernel (step records, named results), which
 * is why a state seen before still runs to its end (its oracles are read) but branches no more.
 */
import type { KStruct, Sim, SimTask } from "../kernel/mod.js";
import type { Recorder } from "./record.js";

class Fnv {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  str(s: string): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    this.a = a ^ 0x1f;
    this.b = b ^ 0x2f;
  }
  bytes(u: Uint8Array): void {
    let a = this.a;
    for (let i = 0; i < u.length; i++) a = Math.imul(a ^ u[i]!, 0x01000193);
    this.a = a;
    this.str(String(u.length));
  }
  digest(): string {
    return (this.a >>> 0).toString(16).padStart(8, "0") + (this.b >>> 0).toString(16).padStart(8, "0");
  }
}

function isKStruct(v: object): v is KStruct {
  const mem = (v as { mem?: { id?: unknown } }).mem;
  return typeof mem === "object" && mem !== null && typeof mem.id === "number";
}

interface Walk {
  readonly h: Fnv;
  readonly sim: Sim;
  readonly seen: Set<object>;
}

function value(w: Walk, v: unknown, depth: number): void {
  const h = w.h;
  if (v === null || typeof v !== "object") {
    if (typeof v !== "function") h.str(`${typeof v}:${String(v)}`);
    return;
  }
  if (v === w.sim) return;
  if (isKStruct(v)) return h.str(`#${v.mem.id}${v.mem.freeSite === null ? "" : "freed"}`);
  if (v instanceof Uint8Array) return h.bytes(v);
  if (w.seen.has(v) || depth > 3) return h.str("^");
  w.seen.add(v);
  if (Array.isArray(v)) {
    h.str(`[${v.length}`);
    for (const x of v) value(w, x, depth + 1);
  } else if (v instanceof Map) {
    h.str(`{${v.size}`);
    for (const [k, x] of v) {
      value(w, k, depth + 1);
      value(w, x, depth + 1);
    }
  } else if (v instanceof Set) {
    h.str(`(${v.size}`);
    for (const x of v) value(w, x, depth + 1);
  } else if ("serial" in v && "tasks" in v) {
    const q = v as unknown as { serial: number; tasks: readonly SimTask[] };
    h.str(`wq${q.tasks.map((t) => t.id).join(",")}`);
  } else if ("waitGeneration" in v) {
    h.str(`task${(v as SimTask).id}`);
  } else {
    for (const k of Object.keys(v)) {
      h.str(k);
      value(w, (v as Record<string, unknown>)[k], depth + 1);
    }
  }
}

/** The fingerprint of the state at the current choice point of the recorded run. */
export function stateHash(r: Recorder): string {
  const sim = r.sim;
  if (sim === null) return "";
  const h = new Fnv();
  h.str(`t${sim.now}`);
  const ran = new Map<number, number>();
  for (const t of r.transitions) ran.set(t.proc, (ran.get(t.proc) ?? 0) + 1);
  for (const t of sim.allTasks) {
    const on = t.blockedOn;
    h.str(`${t.id}${t.state}:${t.pending?.fn ?? "-"}:${t.resumeStep?.fn ?? "-"}:${on?.reason ?? "-"}`);
    h.str(`${t.frames.join(">")}:${t.fatalSignal}:${ran.get(t.id) ?? 0}`);
  }
  const w: Walk = { h, sim, seen: new Set() };
  for (const obj of r.objects) {
    if (obj.mem.freeSite !== null) continue;
    h.str(`@${obj.mem.id}`);
    for (const k of Object.keys(obj)) {
      if (k === "mem") continue;
      h.str(k);
      value(w, (obj as unknown as Record<string, unknown>)[k], 1);
    }
  }
  return h.digest();
}
