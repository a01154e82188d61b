/**
 * A uevent as the daemon reads it: a `change` of a DRM card with a `WEDGED=` key (R66), its
 * methods, and the optional `PID=`/`TASK=` of the task involved (R71, R72). Everything else is
 * not for the daemon.
 */
import type { Uevent } from "../uapi/mod.js";
import { parseWedged, type WedgedMethods } from "./methods.js";

export interface WedgedEvent {
  readonly devpath: string;
  readonly wedged: WedgedMethods;
  readonly seqnum?: string;
  readonly pid?: string;
  readonly task?: string;
}

function last(ev: Uevent, key: string): string | undefined {
  let v: string | undefined;
  for (const [k, val] of ev.env) if (k === key) v = val;
  return v;
}

/** The event's wedged facts, or null when it is not a WEDGED event of a DRM device. */
export function wedgedEventOf(ev: Uevent): WedgedEvent | null {
  const wedged = last(ev, "WEDGED");
  if (wedged === undefined || ev.action !== "change" || last(ev, "SUBSYSTEM") !== "drm") return null;
  const seqnum = last(ev, "SEQNUM");
  const pid = last(ev, "PID");
  const task = last(ev, "TASK");
  return {
    devpath: last(ev, "DEVPATH") ?? ev.devpath,
    wedged: parseWedged(wedged),
    ...(seqnum === undefined ? {} : { seqnum }),
    ...(pid === undefined ? {} : { pid }),
    ...(task === undefined ? {} : { task }),
  };
}

/** The facts a handler or hook gets in its environment. */
export function eventFacts(ev: WedgedEvent, bdf: string, driver: string | null, card: string): Record<string, string> {
  return {
    DEVPATH: ev.devpath,
    WEDGED: ev.wedged.raw,
    BUS_ID: bdf,
    DRIVER: driver ?? "",
    CARD: card,
    ...(ev.pid === undefined ? {} : { PID: ev.pid }),
    ...(ev.task === undefined ? {} : { TASK: ev.task }),
  };
}
