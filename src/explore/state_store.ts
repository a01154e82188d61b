/**
 * The exact store of an explicit-state search: every state vector seen, packed into `words`
 * 32-bit words, kept whole (no hash compaction, no bitstate: two states are the same only when
 * every variable is equal), in the order first reached, with the state it was first reached
 * from and by which transition (the trail of a counterexample). An open-addressing table of
 * indices finds a vector; both arrays grow by doubling, up to `statesMax`.
 */
import { assert } from "../kernel/mod.js";

const EMPTY = -1;

/** A 32-bit hash of the `w` words of `a` from `base` (murmur3's mixing). */
function hashOf(a: Uint32Array, base: number, w: number): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < w; i++) {
    h = Math.imul(h ^ a[base + i]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return h ^ (h >>> 15);
}

export class StateStoreFullError extends RangeError {
  constructor(readonly statesMax: number) {
    super(`the state store is full: ${statesMax} states (raise the bound, or search a smaller model)`);
  }
}

export class StateStore {
  /** How many states are stored. */
  count = 0;
  private vectors: Uint32Array;
  private parents: Int32Array;
  private via: Int32Array;
  private depths: Int32Array;
  private table: Int32Array;
  private mask: number;

  constructor(readonly words: number, readonly statesMax = 100_000_000) {
    assert(words >= 1, "a state vector has at least one word");
    const capacity = 1024;
    this.vectors = new Uint32Array(capacity * words);
    this.parents = new Int32Array(capacity);
    this.via = new Int32Array(capacity);
    this.depths = new Int32Array(capacity);
    this.table = new Int32Array(capacity * 2).fill(EMPTY);
    this.mask = capacity * 2 - 1;
  }

  /**
   * Stores `v` (reached from state `parent` by transition `transition`; -1 for the initial
   * state) unless it is there: returns its new index, or -1 when it was seen before.
   */
  add(v: Uint32Array, parent: number, transition: number): number {
    const w = this.words;
    let slot = hashOf(v, 0, w) & this.mask;
    const table = this.table;
    const vectors = this.vectors;
    for (;;) {
      const at = table[slot]!;
      if (at === EMPTY) break;
      let same = true;
      const base = at * w;
      for (let i = 0; i < w; i++) {
        if (vectors[base + i] !== v[i]) {
          same = false;
          break;
        }
      }
      if (same) return -1;
      slot = (slot + 1) & this.mask;
    }
    const index = this.count;
    if (index * w >= this.vectors.length) this.grow();
    this.vectors.set(v.subarray(0, w), index * w);
    this.parents[index] = parent;
    this.via[index] = transition;
    this.depths[index] = parent < 0 ? 0 : this.depths[parent]! + 1;
    this.count++;
    if (this.count * 2 > this.mask + 1) this.rehash();
    else table[slot] = index;
    return index;
  }

  /** Copies state `index`'s vector into `into`. */
  read(index: number, into: Uint32Array): void {
    const w = this.words;
    into.set(this.vectors.subarray(index * w, index * w + w));
  }

  /** How many transitions state `index` was first reached in. */
  depth(index: number): number {
    return this.depths[index]!;
  }

  /** The trail to state `index`: the transitions from the initial state, in order. */
  trail(index: number): number[] {
    const out: number[] = [];
    for (let i = index; this.parents[i]! >= 0; i = this.parents[i]!) out.push(this.via[i]!);
    return out.reverse();
  }

  private grow(): void {
    const capacity = this.parents.length;
    if (capacity >= this.statesMax) throw new StateStoreFullError(this.statesMax);
    const next = Math.min(capacity * 2, this.statesMax);
    const vectors = new Uint32Array(next * this.words);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const parents = new Int32Array(next);
    parents.set(this.parents);
    this.parents = parents;
    const via = new Int32Array(next);
    via.set(this.via);
    this.via = via;
    const depths = new Int32Array(next);
    depths.set(this.depths);
    this.depths = depths;
  }

  /** Doubles the table and puts every stored state back (the last one added included). */
  private rehash(): void {
    const size = (this.mask + 1) * 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    const w = this.words;
    for (let index = 0; index < this.count; index++) {
      let slot = hashOf(this.vectors, index * w, w) & this.mask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.table[slot] = index;
    }
  }
}
