/**
 * The uevent broadcaster: numbers every event with the global SEQNUM and hands it to every
 * listening socket (NETLINK_KOBJECT_UEVENT, group 1).
 *
 * @see kobject_uevent_net_broadcast() in lib/kobject_uevent.c
 */
import { KObject, lookupStep, type KStruct, type Sim, type Task } from "../kernel/mod.js";
import type { Uevent, UeventAction } from "../uapi/mod.js";

export interface UeventListener {
  deliver(ev: Uevent, tick: number): void;
}

export class UeventHub extends KObject {
  static readonly fixedFields = ["sim"];
  private seqnum: number;
  readonly log: { readonly ev: Uevent; readonly tick: number }[] = [];
  private readonly listeners = new Set<UeventListener>();

  constructor(private readonly sim: Sim, firstSeqnum = 1) {
    // uevent_seqnum and uevent_sock_list are kernel globals.
    super(sim, sim.alloc("uevent_sock_list", { kind: "static", label: "uevent_seqnum", persistent: true }));
    this.seqnum = firstSeqnum;
  }

  /** The listeners that are kernel objects (sockets): what a broadcast writes besides the hub. */
  private listeningSockets(): KStruct[] {
    const out: KStruct[] = [];
    for (const l of this.listeners) if (isKStruct(l)) out.push(l);
    return out;
  }

  subscribe(l: UeventListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * Appends SEQNUM to `env`, records the event and delivers it: a step that writes the
   * sequence number and every listening socket's queue.
   * @see kobject_uevent_env()
   */
  *send(action: UeventAction, devpath: string, env: readonly (readonly [string, string])[]): Task<Uevent> {
    yield lookupStep("kobject_uevent_env", () => ({ reads: [], writes: [this, ...this.listeningSockets()] }));
    const seqnum = this.seqnum++;
    const ev: Uevent = { action, devpath, env: [...env, ["SEQNUM", String(seqnum)]] };
    this.log.push({ ev, tick: this.sim.now });
    this.sim.trace.push({ t: "uevent", tick: this.sim.now, seqnum, action, devpath, env: ev.env });
    for (const l of this.listeners) l.deliver(ev, this.sim.now);
    return ev;
  }
}

function isKStruct(l: UeventListener): l is UeventListener & KStruct {
  return "mem" in l;
}
