/**
 * The simulation's pending timers: a binary min-heap ordered by (atTick, seq), so that equal
 * deadlines come out in the order they were set, never in an unpromised one.
 */

export interface Timer<T> {
  readonly atTick: number;
  readonly seq: number;
  readonly value: T;
}

export class TimerHeap<T> {
  private readonly heap: Timer<T>[] = [];
  private seq = 0;

  get length(): number {
    return this.heap.length;
  }

  /** The earliest timer, without removing it. */
  peek(): Timer<T> | undefined {
    return this.heap[0];
  }

  add(atTick: number, value: T): Timer<T> {
    const timer: Timer<T> = { atTick, seq: this.seq++, value };
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareTimers(heap[parent]!, timer) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
    return timer;
  }

  /** Removes and returns the earliest timer. */
  pop(): Timer<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // Sift `last` down from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let m = i;
      if (l < heap.length && compareTimers(heap[l]!, smallest) < 0) {
        m = l;
        smallest = heap[l]!;
      }
      if (r < heap.length && compareTimers(heap[r]!, smallest) < 0) {
        m = r;
        smallest = heap[r]!;
      }
      if (m === i) break;
      heap[i] = smallest;
      i = m;
    }
    heap[i] = last;
    return top;
  }
}

export function compareTimers<T>(a: Timer<T>, b: Timer<T>): number {
  return a.atTick - b.atTick || a.seq - b.seq;
}
