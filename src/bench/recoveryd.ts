/**
 * The recovery daemon's reaction time (issue 11, part 6): from a WEDGED event arriving at
 * the daemon (its udevadm text written into the source's input) to its first sysfs write
 * printed in dry run (`dry-run: write .../unbind`). The real-Linux host on a fake machine in a
 * temporary directory, the journal on disk (fsync'ed: the event and the recovery records come
 * before the write), no listener. The ladder is configured so that every event acts (no
 * window, no backoff), and each event is written once the previous recovery is over and the daemon waits again
 * (an event that came during a recovery would be taken as part of the same wedge).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { configSchema, fakeMachine, runService, wedgedText } from "../recoveryd/mod.js";
import { RecordingUeventSource } from "../udev/mod.js";
import { summarize, type Row } from "./measure.js";

export interface RecoverydBenchOptions {
  readonly events: number;
  /** Where the journal goes: the temporary directory's disk, or a tmpfs (its fsync is free). */
  readonly journalOn: "disk" | "tmpfs";
}

export async function benchRecoveryd(o: RecoverydBenchOptions): Promise<Row[]> {
  const m = fakeMachine();
  const journalDir = o.journalOn === "tmpfs" ? mkdtempSync("/dev/shm/vdrm-bench-") : join(m.dir, "state");
  const config = configSchema.parse({
    sysfs: m.sys, procfs: m.proc, dev: m.dev, journal: join(journalDir, "journal.jsonl"), listen: "off",
    methods: { settleSeconds: 0 }, ladder: { windowSeconds: 0, backoffSeconds: 0 },
  });
  const input = new PassThrough();
  const samples: number[] = [];
  let sent = 0n;
  let next: (() => void) | null = null;
  const out = {
    print: (line: string) => {
      if (!line.startsWith("dry-run: write") || !line.includes("/unbind ")) return;
      samples.push(Number(process.hrtime.bigint() - sent) / 1000);
    },
    log: (r: { msg: string }) => {
      // The daemon then takes the events that came during the recovery (none): wait for it.
      if (/^rebind of .*: dry-run$/.test(r.msg)) setTimeout(() => next?.(), 20);
    },
  };
  const send = (i: number): Promise<void> => new Promise((resolve) => {
    next = resolve;
    sent = process.hrtime.bigint();
    input.write(wedgedText(undefined, "rebind,bus-reset", 1000 + i));
  });
  const done = runService({ config, mode: "dry-run", out, source: new RecordingUeventSource(input, "bench"), signals: false });
  for (let i = 0; i < o.events; i++) await send(i);
  input.end();
  await done;
  for (const dir of [m.dir, journalDir]) rmSync(dir, { recursive: true, force: true });
  if (samples.length !== o.events) throw new Error(`Cannot bench recoveryd: ${samples.length} writes for ${o.events} events`);
  return [{ name: `recoveryd: WEDGED event to first sysfs write (dry run, journal on ${o.journalOn})`, summary: summarize(samples.slice(1)), unit: "us", target: null }];
}
