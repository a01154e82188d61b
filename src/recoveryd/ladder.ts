/**
 * The escalation ladder of one daemon: per PCI function, the destructive attempts made in
 * the window, the backoff before the next, the start-up grace period, and the final "give up
 * and alert" state. Each attempt in the window climbs one rung of the methods the event
 * offered (fewer side effects first), then, if the configuration allows it, a reboot; once
 * `attemptsMax` attempts are in the window the device is given up (until the window has
 * passed, which a restarted daemon sees from the journal).
 *
 * Pure bookkeeping over times in milliseconds; the daemon asks it and journals its answers.
 */
import type { Config, Method } from "./config.js";
import type { JournalRecord } from "./journal.js";
import type { Action } from "./plan.js";

export type Rung =
  | { readonly k: "act"; readonly action: Action; readonly attempt: number }
  | { readonly k: "wait"; readonly until: number; readonly why: string }
  | { readonly k: "give-up"; readonly why: string };

const DESTRUCTIVE: ReadonlySet<Action> = new Set(["rebind", "bus-reset", "cold-reset", "vendor-specific", "reboot"]);

export function isDestructive(a: Action): boolean {
  return DESTRUCTIVE.has(a);
}

export class Ladder {
  private readonly attempts = new Map<string, number[]>();
  private lastReboot: number | null = null;
  private readonly startedAt: number;

  constructor(private readonly config: Config, startedAt: number, journal: readonly JournalRecord[] = []) {
    this.startedAt = startedAt;
    for (const r of journal) if (r.type === "recovery" && r.mode === "apply" && isDestructive(r.action)) this.note(r.device, r.action, r.t);
  }

  private windowMs(): number {
    return this.config.ladder.windowSeconds * 1000;
  }

  /** The attempts on `device` within the window ending at `now`. */
  attemptsIn(device: string, now: number): number[] {
    return (this.attempts.get(device) ?? []).filter((t) => now - t < this.windowMs());
  }

  note(device: string, action: Action, t: number): void {
    const list = this.attempts.get(device) ?? [];
    list.push(t);
    this.attempts.set(device, list);
    if (action === "reboot") this.lastReboot = t;
  }

  /** The backoff after the n-th attempt (n >= 1): doubling, capped. */
  backoffMs(n: number): number {
    const l = this.config.ladder;
    return Math.min(l.backoffSeconds * 1000 * 2 ** Math.max(0, n - 1), l.backoffMaxSeconds * 1000);
  }

  /** What to do now for a wedged `device` whose event offered `offered` (known methods). */
  decide(device: string, offered: readonly Method[], now: number): Rung {
    const graceEnd = this.startedAt + this.config.ladder.graceSeconds * 1000;
    if (now < graceEnd) return { k: "wait", until: graceEnd, why: "start-up grace period" };
    const recent = this.attemptsIn(device, now);
    if (recent.length >= this.config.ladder.attemptsMax)
      return { k: "give-up", why: `${recent.length} attempts in ${this.config.ladder.windowSeconds} s` };
    const last = recent.at(-1);
    if (last !== undefined && now < last + this.backoffMs(recent.length))
      return { k: "wait", until: last + this.backoffMs(recent.length), why: `backoff after attempt ${recent.length}` };
    const rungs: Action[] = offered.filter((m) => m !== "none" && this.config.methods.enabled.includes(m));
    const attempt = recent.length + 1;
    const r = this.config.reboot;
    const rebootOk = r.allowed && (this.lastReboot === null || now - this.lastReboot >= r.minIntervalSeconds * 1000);
    if (rebootOk && (rungs.length === 0 || recent.length >= rungs.length)) return { k: "act", action: "reboot", attempt };
    if (rungs.length === 0) return { k: "give-up", why: `no enabled method among ${offered.join(",") || "the offered ones"}` };
    return { k: "act", action: rungs[Math.min(recent.length, rungs.length - 1)]!, attempt };
  }
}
