/**
 * One interface for every way uevents reach userspace (`UeventSource`), and the items a
 * consumer gets from it. Besides events, a source tells its consumer when its picture of the
 * devices may be wrong, so that it rescans sysfs: at the start, after a receive queue overrun
 * (ENOBUFS), after a restart of the source, and when the SEQNUMs of a source that sees every
 * kernel event skip or go back.
 *
 * Sources are generators over `Call` (call.ts): the model's socket runs inside the simulation,
 * the real ones under `runCall()`.
 *
 * @see "Loss" in the uevents spec, section 1.1: the kernel drops events on ENOBUFS and expects
 * userspace to resynchronise
 */
import type { Call } from "../uapi/mod.js";
import type { ReceivedUevent } from "./udevadm_text.js";
import { lastValue } from "./uevent_fields.js";

export type RescanReason = "start" | "overrun" | "restart" | "seqnum-gap" | "seqnum-reset";

export type SourceItem =
  | { readonly kind: "event"; readonly received: ReceivedUevent }
  /** The consumer's view of the devices may be stale: rescan sysfs before trusting it. */
  | { readonly kind: "rescan"; readonly reason: RescanReason; readonly detail: string }
  /** A record the source could not read; the source goes on with the next one. */
  | { readonly kind: "error"; readonly error: Error }
  | { readonly kind: "timeout" }
  /** No item will come any more (end of a recording, a source that gave up). */
  | { readonly kind: "end"; readonly detail: string };

export interface UeventSource {
  /** What the source is, for messages: "udevadm monitor (pid 4711)", "recording events.txt". */
  readonly name: string;
  /** Whether every kernel event reaches it, so that a SEQNUM gap means events were lost. */
  readonly seesEveryEvent: boolean;
  /** Starts receiving: events from now on are kept for next(). Idempotent. */
  open(): Call<void>;
  /** The next item; a `timeout` item after `timeoutMs` (negative: wait for ever). */
  next(timeoutMs: number): Call<SourceItem>;
  close(): Call<void>;
}

/**
 * `source` with rescan requests added: `start` as the first item (after opening the source,
 * so nothing between the scan and the first event is lost), and, if the source sees every
 * event, `seqnum-gap` and `seqnum-reset` before the event that shows them.
 */
export class RescanningSource implements UeventSource {
  private started = false;
  private lastSeqnum: bigint | null = null;
  private readonly held: SourceItem[] = [];

  constructor(readonly inner: UeventSource) {}

  get name(): string {
    return this.inner.name;
  }

  get seesEveryEvent(): boolean {
    return this.inner.seesEveryEvent;
  }

  *open(): Call<void> {
    yield* this.inner.open();
  }

  *next(timeoutMs: number): Call<SourceItem> {
    if (!this.started) {
      this.started = true;
      yield* this.inner.open();
      return { kind: "rescan", reason: "start", detail: `${this.name} started` };
    }
    const held = this.held.shift();
    if (held !== undefined) return held;
    const item = yield* this.inner.next(timeoutMs);
    if (item.kind === "rescan") this.lastSeqnum = null;
    if (item.kind !== "event") return item;
    const rescan = this.checkSeqnum(item.received);
    if (rescan === null) return item;
    this.held.push(item);
    return rescan;
  }

  *close(): Call<void> {
    yield* this.inner.close();
  }

  private checkSeqnum(received: ReceivedUevent): SourceItem | null {
    const text = lastValue(received.event.env, "SEQNUM");
    if (text === undefined || !/^\d+$/.test(text)) return null;
    const seqnum = BigInt(text);
    const last = this.lastSeqnum;
    this.lastSeqnum = seqnum;
    if (last === null || !this.seesEveryEvent || seqnum === last + 1n) return null;
    if (seqnum > last) {
      const lost = seqnum - last - 1n;
      return { kind: "rescan", reason: "seqnum-gap", detail: `SEQNUM ${seqnum} follows ${last}: ${lost} event${lost === 1n ? "" : "s"} lost` };
    }
    return { kind: "rescan", reason: "seqnum-reset", detail: `SEQNUM ${seqnum} follows ${last}: the numbering started again` };
  }
}
