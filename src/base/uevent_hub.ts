/**
 * The uevent broadcaster: numbers every event with the global SEQNUM and hands it to every
 * listening socket (NETLINK_KOBJECT_UEVENT, group 1).
 *
 * @see kobject_uevent_net_broadcast() in lib/kobject_uevent.c
 */
import type { Sim } from "../kernel/mod.js";
import type { Uevent, UeventAction } from "../uapi/mod.js";

export interface UeventListener {
  deliver(ev: Uevent, tick: number): void;
}

export class UeventHub {
  private seqnum: number;
  readonly log: { readonly ev: Uevent; readonly tick: number }[] = [];
  private readonly listeners = new Set<UeventListener>();

  constructor(private readonly sim: Sim, firstSeqnum = 1) {
    this.seqnum = firstSeqnum;
  }

  subscribe(l: UeventListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Appends SEQNUM to `env`, records the event and delivers it. */
  send(action: UeventAction, devpath: string, env: readonly (readonly [string, string])[]): Uevent {
    const seqnum = this.seqnum++;
    const ev: Uevent = { action, devpath, env: [...env, ["SEQNUM", String(seqnum)]] };
    this.log.push({ ev, tick: this.sim.now });
    this.sim.trace.push({ t: "uevent", tick: this.sim.now, seqnum, action, devpath, env: ev.env });
    for (const l of this.listeners) l.deliver(ev, this.sim.now);
    return ev;
  }
}
