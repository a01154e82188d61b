/**
 * The recovery daemon's loop: events in, decisions and recoveries out, on any host
 * (host.ts). At start it reads its journal, rebuilds the ladder and finishes the recoveries a
 * killed predecessor left (resume.ts). Each WEDGED event of a DRM card is resolved to its PCI
 * function (refused and logged if it does not resolve under the sysfs root), journaled, and
 * kept as the device's pending wedge; the ladder says when and how to act on it. Events of a
 * device that arrive while it is being recovered are part of the same wedge: they are counted
 * and dropped, so a burst never makes a loop.
 */
import type { Call } from "../uapi/mod.js";
import type { SourceItem } from "../udev/mod.js";
import { act, alert } from "./act.js";
import type { Config } from "./config.js";
import { log, NO_OBSERVER, type DaemonContext, type DaemonObserver } from "./context.js";
import type { RecoveryHost } from "./host.js";
import { Journal, nextRecoveryId, readJournal, type Mode } from "./journal.js";
import { Ladder } from "./ladder.js";
import { Offenders } from "./offenders.js";
import { lookupPciDevice, type PciDevice } from "./pci_device.js";
import type { Method } from "./config.js";
import { resumeUnfinished } from "./resume.js";
import { eventFacts, wedgedEventOf, type WedgedEvent } from "./wedged_event.js";

export interface DaemonExit {
  readonly reason: "end" | "stopped" | "source-failed";
  readonly detail: string;
}

interface Pending {
  readonly event: WedgedEvent;
  readonly device: PciDevice;
  readonly offered: readonly Method[];
  until: number;
}

const LOOP_WAIT_MAX_MS = 1000;

export class RecoveryDaemon {
  private readonly ctx: DaemonContext;
  private readonly pending = new Map<string, Pending>();
  private ladder!: Ladder;
  private offenders!: Offenders;
  private nextId = 1;
  private stopping = false;

  constructor(host: RecoveryHost, config: Config, mode: Mode, observer: DaemonObserver = NO_OBSERVER) {
    this.ctx = { host, config, mode, observer, journal: new Journal(host.journal) };
  }

  /** Asks the loop to end (SIGTERM); it ends within a second, between two recoveries. */
  stop(): void {
    this.stopping = true;
  }

  *run(): Call<DaemonExit> {
    yield* this.startUp();
    const source = this.ctx.host.source;
    for (;;) {
      if (this.stopping) return { reason: "stopped", detail: "stopped" };
      const item = yield* source.next(this.waitMs());
      if (item.kind === "end") return yield* this.ended(item.detail);
      yield* this.take(item);
      yield* this.actOnReady();
    }
  }

  private *startUp(): Call<void> {
    const { host, mode } = this.ctx;
    const contents = yield* readJournal(host.journal);
    for (const b of contents.bad) log(this.ctx, "warn", `journal line ${b.line} is not a record; ignored`, { journal: host.journal.name });
    this.ladder = new Ladder(this.ctx.config, host.clock.now(), contents.records);
    this.offenders = new Offenders(this.ctx);
    this.nextId = nextRecoveryId(contents.records);
    yield* this.ctx.journal.write({ type: "start", t: host.clock.now(), pid: host.selfPid, mode });
    log(this.ctx, "info", "recoveryd started", { mode, sysfs: host.sysfs.root, source: host.source.name, journal: host.journal.name });
    yield* resumeUnfinished(this.ctx, contents.records);
  }

  private waitMs(): number {
    const now = this.ctx.host.clock.now();
    let wait = LOOP_WAIT_MAX_MS;
    for (const p of this.pending.values()) wait = Math.min(wait, Math.max(0, p.until - now));
    return wait;
  }

  private *take(item: Exclude<SourceItem, { kind: "end" }>): Call<void> {
    if (item.kind === "rescan") log(this.ctx, "info", `rescan: ${item.reason}`, { detail: item.detail });
    else if (item.kind === "error") log(this.ctx, "warn", `unreadable event: ${item.error.message}`);
    else if (item.kind === "event") yield* this.onEvent(item.received.event);
  }

  private *ended(detail: string): Call<DaemonExit> {
    yield* this.actOnReady();
    for (const p of this.pending.values()) log(this.ctx, "warn", `not acted on: ${p.device.bdf} (the source ended)`, { device: p.device.bdf });
    const failed = /^Cannot run|gave up after/.test(detail);
    log(this.ctx, failed ? "error" : "info", `the event source ended: ${detail}`);
    return { reason: failed ? "source-failed" : "end", detail };
  }

  private *onEvent(uevent: Parameters<typeof wedgedEventOf>[0]): Call<void> {
    const ev = wedgedEventOf(uevent);
    if (ev === null) return;
    const found = yield* lookupPciDevice(this.ctx.host.sysfs, ev.devpath);
    if (!found.ok) {
      log(this.ctx, "error", `refused WEDGED event: ${found.reason}`, { devpath: ev.devpath, wedged: ev.wedged.raw });
      this.ctx.observer.refusedDevpath();
      return;
    }
    const d = found.device;
    const t = this.ctx.host.clock.now();
    yield* this.ctx.journal.write({
      type: "event", t, device: d.bdf, card: d.cardName, wedged: ev.wedged.raw,
      ...(ev.seqnum === undefined ? {} : { seqnum: ev.seqnum }), ...(ev.task === undefined ? {} : { task: ev.task }), ...(ev.pid === undefined ? {} : { taskPid: ev.pid }),
    });
    log(this.ctx, "info", `${d.cardName} (${d.bdf}, ${d.driver ?? "no driver"}) is wedged: ${ev.wedged.raw}`, { device: d.bdf, seqnum: ev.seqnum });
    this.ctx.observer.event(ev.wedged.methods.length === 0 ? ["unknown"] : ev.wedged.methods);
    this.ctx.observer.deviceState(d.bdf, "wedged");
    yield* this.offenders.note(ev, d);
    yield* this.queue(ev, d);
  }

  /** Keeps the wedge for the ladder, or handles what needs no ladder (none, unknown policy). */
  private *queue(ev: WedgedEvent, d: PciDevice): Call<void> {
    const w = ev.wedged;
    let offered: Method[] = w.methods.filter((m) => m !== "none");
    if (w.methods.length > 0 && offered.length === 0) {
      yield* this.attempt({ event: ev, device: d, offered: [], until: 0 }, "none", 0);
      return;
    }
    const none = (): Pending => ({ event: ev, device: d, offered: [], until: 0 });
    if (offered.length === 0) {
      const policy = this.ctx.config.unknown;
      log(this.ctx, "info", `WEDGED=${w.raw}: unknown method, policy ${policy}`, { device: d.bdf });
      if (policy === "alert") return yield* alert(this.ctx, `${d.bdf} is wedged with an unknown method (${w.raw})`, eventFacts(ev, d.bdf, d.driver, d.cardName));
      if (policy === "telemetry") {
        yield* this.attempt(none(), "none", 0);
        return;
      }
      offered = policy === "reboot" ? [] : [policy];
    }
    const had = this.pending.get(d.bdf);
    if (had !== undefined) log(this.ctx, "info", `${d.bdf}: a wedge is already pending; keeping the latest event`, { device: d.bdf });
    this.pending.set(d.bdf, { event: ev, device: d, offered, until: 0 });
  }

  private *actOnReady(): Call<void> {
    for (const [bdf, p] of [...this.pending]) {
      const now = this.ctx.host.clock.now();
      if (p.until > now) continue;
      const rung = this.ladder.decide(bdf, p.offered, now);
      if (rung.k === "wait") {
        p.until = rung.until;
        log(this.ctx, "info", `${bdf}: waiting ${rung.until - now} ms (${rung.why})`, { device: bdf });
        continue;
      }
      this.pending.delete(bdf);
      if (rung.k === "give-up") {
        yield* this.ctx.journal.write({ type: "state", t: now, device: bdf, state: "given-up", detail: rung.why });
        this.ctx.observer.deviceState(bdf, "given-up");
        yield* alert(this.ctx, `giving up on ${bdf}: ${rung.why}`, eventFacts(p.event, bdf, p.device.driver, p.device.cardName));
        continue;
      }
      const r = yield* this.attempt(p, rung.action, rung.attempt);
      if (r === "failed") this.pending.set(bdf, { ...p, until: 0 });
      yield* this.drainDuring(bdf);
    }
  }

  private *attempt(p: Pending, action: Parameters<typeof act>[1]["action"], attempt: number): Call<string> {
    const id = `r${this.nextId++}`;
    const r = yield* act(this.ctx, { id, device: p.device, action, attempt, event: p.event });
    if (r.counted) this.ladder.note(p.device.bdf, action, this.ctx.host.clock.now());
    return r.outcome;
  }

  /** Takes the events queued during a recovery: the device's own are the same wedge. */
  private *drainDuring(bdf: string): Call<void> {
    let dropped = 0;
    for (;;) {
      const item = yield* this.ctx.host.source.next(0);
      if (item.kind === "timeout" || item.kind === "end") break;
      const ev = item.kind === "event" ? wedgedEventOf(item.received.event) : null;
      const d = ev === null ? null : yield* lookupPciDevice(this.ctx.host.sysfs, ev.devpath);
      if (d !== null && d.ok && d.device.bdf === bdf) dropped++;
      else yield* this.take(item);
    }
    if (dropped > 0) log(this.ctx, "info", `${bdf}: ${dropped} WEDGED event${dropped === 1 ? "" : "s"} received during its recovery: the same wedge`, { device: bdf, dropped });
  }
}
