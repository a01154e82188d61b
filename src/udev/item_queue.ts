/**
 * A bounded queue between a producer that pushes (a child's output, a stream's lines) and a
 * consumer that takes with a timeout. When it is full, new events are dropped and the next take
 * returns an overrun rescan once, as a netlink socket's ENOBUFS does.
 */
import type { SourceItem } from "./source.js";

export const ITEM_QUEUE_MAX = 65_536;

export class ItemQueue {
  private readonly items: SourceItem[] = [];
  private dropped = 0;
  private waiter: ((item: SourceItem) => void) | null = null;
  /** The end item once taken: every later take returns it again. */
  private ended: SourceItem | null = null;

  constructor(private readonly itemsMax = ITEM_QUEUE_MAX) {}

  push(item: SourceItem): void {
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      w(item);
      return;
    }
    if (this.items.length >= this.itemsMax && item.kind === "event") {
      this.dropped++;
      return;
    }
    this.items.push(item);
  }

  /** The next item, or a timeout item after `timeoutMs` (negative: no timeout). */
  take(timeoutMs: number): Promise<SourceItem> {
    if (this.dropped > 0) {
      const n = this.dropped;
      this.dropped = 0;
      return Promise.resolve({ kind: "rescan", reason: "overrun", detail: `${n} events dropped: the queue of ${this.itemsMax} was full` });
    }
    const item = this.items.shift() ?? this.ended ?? undefined;
    if (item?.kind === "end") this.ended = item;
    if (item !== undefined) return Promise.resolve(item);
    if (this.waiter !== null) throw new Error("Cannot take from the queue: a take is already waiting");
    return new Promise((resolve) => {
      const timer = timeoutMs < 0 ? null : setTimeout(() => {
        this.waiter = null;
        resolve({ kind: "timeout" });
      }, timeoutMs);
      this.waiter = (it) => {
        if (timer !== null) clearTimeout(timer);
        if (it.kind === "end") this.ended = it;
        resolve(it);
      };
    });
  }
}
