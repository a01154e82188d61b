/**
 * @internal A host for in-process tests of the daemon: the fake machine's directories
 * (host_files.ts, the real backend), with a virtual clock, a journal in memory, a source that
 * hands out recorded events and then times out (advancing the clock) until the virtual time
 * runs out, and a runner that records the programs it is asked to start. Nothing yields, so a
 * whole run is `runSync(daemon.run())`.
 */
import type { Call } from "../uapi/mod.js";
import { parseUdevadmText, type RunOutcome, type SourceItem, type UeventSource } from "../udev/mod.js";
import type { Clock, JournalStore, LogRecord, ProgramRunner, RecoveryHost, TelemetryStore } from "./host.js";
import { DirectoryDevAccess, DirectoryProcfsAccess, DirectorySysfsAccess } from "./host_files.js";
import type { FakeMachine } from "./fake_machine.js";

export class VirtualClock implements Clock {
  constructor(public t = 1_800_000_000_000) {}
  now(): number {
    return this.t;
  }
  *sleep(ms: number): Call<void> {
    this.t += ms;
  }
}

export class MemoryJournal implements JournalStore {
  readonly name = "memory";
  constructor(readonly lines: string[] = []) {}
  *readAll(): Call<string[]> {
    return [...this.lines];
  }
  *append(line: string): Call<void> {
    this.lines.push(line);
  }
}

/** Events (udevadm text) at given virtual times; then timeouts until `endAt`. */
export class TimedSource implements UeventSource {
  readonly name = "test events";
  readonly seesEveryEvent = false;
  private readonly items: { at: number; item: SourceItem }[];

  constructor(private readonly clock: VirtualClock, events: readonly { at: number; text: string }[], private readonly endAt: number) {
    this.items = events.flatMap(({ at, text }) => parseUdevadmText(text).map((r) => ({ at, item: r.kind === "event" ? { kind: "event" as const, received: r.received } : { kind: "error" as const, error: r.error } })));
  }
  *open(): Call<void> {}
  *close(): Call<void> {}
  *next(timeoutMs: number): Call<SourceItem> {
    const first = this.items[0];
    if (first !== undefined && first.at <= this.clock.t) return this.items.shift()!.item;
    if (this.clock.t >= this.endAt) return { kind: "end", detail: "end of the test events" };
    const wait = timeoutMs < 0 ? Infinity : timeoutMs;
    const next = Math.min(first?.at ?? Infinity, this.clock.t + wait, this.endAt);
    const timedOut = next === this.clock.t + wait;
    this.clock.t = Math.max(this.clock.t, next);
    return timedOut || first === undefined || first.at > this.clock.t ? { kind: "timeout" } : this.items.shift()!.item;
  }
}

export class RecordingRunner implements ProgramRunner {
  readonly runs: { argv: readonly string[]; env: Readonly<Record<string, string>> }[] = [];
  constructor(private readonly exitCode = 0) {}
  *run(argv: readonly string[], env: Readonly<Record<string, string>>): Call<RunOutcome> {
    this.runs.push({ argv, env });
    return { argv, status: { k: "exited", code: this.exitCode }, stdout: "", stderr: "" };
  }
}

export interface TestHost extends RecoveryHost {
  readonly printed: string[];
  readonly logs: LogRecord[];
  readonly clock: VirtualClock;
  readonly journal: MemoryJournal;
  readonly runner: RecordingRunner;
}

const NO_TELEMETRY: TelemetryStore = {
  *save() {
    return { ok: true };
  },
};

export function testHost(m: FakeMachine, o: { events: readonly { at: number; text: string }[]; runFor: number; journal?: string[]; clock?: VirtualClock }): TestHost {
  const clock = o.clock ?? new VirtualClock();
  const printed: string[] = [];
  const logs: LogRecord[] = [];
  return {
    sysfs: new DirectorySysfsAccess(m.sys),
    procfs: new DirectoryProcfsAccess(m.proc),
    dev: new DirectoryDevAccess(m.dev),
    source: new TimedSource(clock, o.events.map((e) => ({ at: clock.t + e.at, text: e.text })), clock.t + o.runFor),
    journal: new MemoryJournal(o.journal),
    telemetry: NO_TELEMETRY,
    runner: new RecordingRunner(),
    clock,
    out: { print: (l) => printed.push(l), log: (r) => logs.push(r) },
    selfPid: 1,
    printed,
    logs,
  };
}
