/**
 * A recorded file or standard input as a uevent source: udevadm monitor text or fixture lines
 * (recording.ts), read line by line as they come, so `udevadm monitor ... | vdrm ...` works.
 * A bad record is an `error` item naming its line; the end of the input is an `end` item.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Call } from "../uapi/mod.js";
import { awaitPromise } from "./call.js";
import { ItemQueue } from "./item_queue.js";
import { RecordingParser } from "./recording.js";
import type { SourceItem, UeventSource } from "./source.js";
import type { TextRecord } from "./udevadm_text.js";

export interface RecordingSourceOptions {
  /** Whether the recording holds every kernel event (then SEQNUM gaps are losses). */
  readonly seesEveryEvent?: boolean;
}

export function recordItem(r: TextRecord): SourceItem {
  return r.kind === "event" ? { kind: "event", received: r.received } : { kind: "error", error: r.error };
}

export class RecordingUeventSource implements UeventSource {
  readonly seesEveryEvent: boolean;
  private queue: ItemQueue | null = null;
  private closeInput: (() => void) | null = null;

  constructor(
    private readonly input: Readable,
    readonly name: string,
    options: RecordingSourceOptions = {},
  ) {
    this.seesEveryEvent = options.seesEveryEvent ?? false;
  }

  *open(): Call<void> {
    if (this.queue !== null) return;
    const queue = new ItemQueue();
    this.queue = queue;
    const parser = new RecordingParser(this.name);
    const lines = createInterface({ input: this.input, crlfDelay: Infinity });
    lines.on("line", (l) => {
      for (const r of parser.push(l)) queue.push(recordItem(r));
    });
    lines.on("close", () => {
      for (const r of parser.end()) queue.push(recordItem(r));
      queue.push({ kind: "end", detail: `end of ${this.name}` });
    });
    this.input.on("error", (e) => queue.push({ kind: "error", error: e }));
    this.closeInput = () => lines.close();
  }

  *next(timeoutMs: number): Call<SourceItem> {
    yield* this.open();
    return yield* awaitPromise(this.queue!.take(timeoutMs));
  }

  *close(): Call<void> {
    this.closeInput?.();
    this.closeInput = null;
  }
}
