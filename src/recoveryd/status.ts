/**
 * `vdrm recoveryd status`: what the journal says about each device (its last event, the
 * last recovery and its outcome, the attempts in the ladder's window, given up or not) and
 * about the daemon (its last start, recoveries left unfinished). Read from the journal, so it
 * answers whether the daemon runs or not, and the metrics listener serves the same as JSON.
 */
import type { Config } from "./config.js";
import { unfinished, type JournalRecord } from "./journal.js";

export interface DeviceStatus {
  device: string;
  card: string;
  state: string;
  lastEvent: { t: number; wedged: string } | null;
  lastRecovery: { id: string; action: string; outcome: string; detail: string; t: number } | null;
  attemptsInWindow: number;
}

export interface DaemonStatus {
  readonly started: { readonly t: number; readonly pid: number; readonly mode: string } | null;
  readonly devices: readonly DeviceStatus[];
  readonly unfinished: readonly string[];
}

function deviceOf(map: Map<string, DeviceStatus>, device: string, card: string): DeviceStatus {
  let d = map.get(device);
  if (d === undefined) {
    d = { device, card, state: "wedged", lastEvent: null, lastRecovery: null, attemptsInWindow: 0 };
    map.set(device, d);
  }
  if (card !== "") d.card = card;
  return d;
}

export function daemonStatus(records: readonly JournalRecord[], config: Config, now: number): DaemonStatus {
  const devices = new Map<string, DeviceStatus>();
  let started: DaemonStatus["started"] = null;
  for (const r of records) {
    if (r.type === "start") started = { t: r.t, pid: r.pid, mode: r.mode };
    else if (r.type === "event") Object.assign(deviceOf(devices, r.device, r.card), { lastEvent: { t: r.t, wedged: r.wedged }, state: "wedged" });
    else if (r.type === "recovery") {
      const d = deviceOf(devices, r.device, r.card);
      d.state = "recovering";
      if (r.mode === "apply" && now - r.t < config.ladder.windowSeconds * 1000) d.attemptsInWindow++;
      d.lastRecovery = { id: r.id, action: r.action, outcome: "unfinished", detail: "", t: r.t };
    } else if (r.type === "outcome") {
      const d = deviceOf(devices, r.device, r.card ?? "");
      d.state = r.outcome === "recovered" ? "recovered" : r.outcome === "dry-run" || r.outcome === "telemetry" ? d.state === "recovering" ? "wedged" : d.state : r.outcome;
      d.lastRecovery = { id: r.id, action: r.action, outcome: r.outcome, detail: r.detail, t: r.t };
    } else if (r.type === "state") deviceOf(devices, r.device, "").state = r.state;
  }
  return { started, devices: [...devices.values()], unfinished: unfinished(records, "apply").map((u) => `${u.recovery.id} (${u.recovery.action} of ${u.recovery.device})`) };
}

export function formatStatus(s: DaemonStatus): string[] {
  const when = (t: number): string => new Date(t).toISOString();
  const lines = [s.started === null ? "daemon: never started with this journal" : `daemon: last started ${when(s.started.t)} (pid ${s.started.pid}, ${s.started.mode})`];
  if (s.devices.length === 0) lines.push("devices: no WEDGED event journaled");
  for (const d of s.devices) {
    lines.push(`${d.device} ${d.card}: ${d.state}; ${d.attemptsInWindow} applied attempt${d.attemptsInWindow === 1 ? "" : "s"} in the window`);
    if (d.lastEvent !== null) lines.push(`  last event ${when(d.lastEvent.t)}: WEDGED=${d.lastEvent.wedged}`);
    if (d.lastRecovery !== null) lines.push(`  last recovery ${d.lastRecovery.id} ${when(d.lastRecovery.t)}: ${d.lastRecovery.action}, ${d.lastRecovery.outcome}${d.lastRecovery.detail === "" ? "" : ` (${d.lastRecovery.detail})`}`);
  }
  for (const u of s.unfinished) lines.push(`unfinished: ${u}`);
  return lines;
}
