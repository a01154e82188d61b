/**
 * The umockdev testbed of a `vdrm exec` run, kept in step with the model: it starts with the
 * model's devices (testbed_record.ts), and each model uevent, in the model's order, updates it
 * and then reaches the real process's libudev monitors as the libudev datagram of the model's
 * event, with its exact properties and SEQNUM. An `add` puts the device in the testbed first
 * (and the bridge starts serving its node); a `remove` takes it out first (its node with it),
 * as devtmpfs and sysfs lose a device before its remove event is read.
 * The testbed itself is umockdev's (native/testbed.py over GObject introspection).
 */
import { fileURLToPath } from "node:url";
import type { Sysfs } from "../base/mod.js";
import type { Sim } from "../kernel/mod.js";
import type { Uevent } from "../uapi/mod.js";
import { encodeLibudevDatagram } from "../udev/mod.js";
import { LineChild } from "./line_child.js";
import { deviceBlock, modelDevices } from "./testbed_record.js";

export const TESTBED_HELPER = fileURLToPath(new URL("../../native/testbed.py", import.meta.url));
/** Debian's interpreter, which has python3-gi (a python3 earlier on PATH may not). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/** What the testbed tells about its nodes: the bridge serves a node while it is there. */
export interface NodeListener {
  nodeAdded(devnode: string): Promise<void>;
  nodeRemoved(devnode: string): void;
}

export class Testbed {
  /** The devpaths in the testbed, with their nodes (/dev/dri/card0) if any. */
  private readonly devices = new Map<string, string | null>();
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private readonly answers = new Set<Promise<void>>();
  /** Uevents delivered to the monitors so far. */
  delivered = 0;

  private constructor(private readonly helper: LineChild, readonly root: string) {}

  static async start(): Promise<Testbed> {
    const helper = LineChild.start("the umockdev testbed helper", [SYSTEM_PYTHON, TESTBED_HELPER]);
    const hello = await helper.next();
    if (typeof hello["root"] !== "string") throw new Error("the umockdev testbed helper gave no directory");
    return new Testbed(helper, hello["root"]);
  }

  /** Puts every device the model has now in the testbed. */
  async addModelDevices(sim: Sim, sysfs: Sysfs, nodes: NodeListener): Promise<void> {
    const blocks = sim.observe(() => modelDevices(sysfs).map((dir) => [dir, deviceBlock(sysfs, dir)] as const));
    for (const [dir, block] of blocks) if (block !== null) await this.addBlock(dir, block, nodes);
  }

  private async addBlock(dir: string, block: string, nodes: NodeListener): Promise<void> {
    const devnode = this.noteAdded(dir, block);
    if (devnode === undefined) return;
    await this.helper.ask({ op: "add", record: block });
    if (devnode !== null) await nodes.nodeAdded(devnode);
  }

  /** Records a device as in the testbed; its node (or null), undefined if it was there. */
  private noteAdded(dir: string, block: string): string | null | undefined {
    const devpath = dir.slice("/sys".length);
    if (this.devices.has(devpath)) return undefined;
    const name = /^N: (.*)$/m.exec(block)?.[1];
    const devnode = name === undefined ? null : `/dev/${name}`;
    this.devices.set(devpath, devnode);
    return devnode;
  }

  /**
   * Takes the model's uevent: the testbed follows it, then the monitors get it. Called in the
   * model's order; the work is done in that order, after the simulation step that sent it.
   * `block` is the device's record as the model's sysfs has it at the event (for an add);
   * `after`: what must be done first (the mappings the same steps zapped, shown zapped).
   */
  uevent(ev: Uevent, block: string | null, nodes: NodeListener, after: Promise<void> = Promise.resolve()): void {
    this.chain = this.chain.then(() => after).then(() => this.follow(ev, block, nodes)).catch((e: unknown) => {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
    });
  }

  /**
   * Sends the helper what the event changes, then the event, without waiting for its answers:
   * the helper takes its commands in order, so the events of a burst go out one after the
   * other instead of a round trip each. A new node is served before its add event is sent.
   */
  private async follow(ev: Uevent, block: string | null, nodes: NodeListener): Promise<void> {
    if (ev.action === "add" && block !== null) {
      const devnode = this.noteAdded(`/sys${ev.devpath}`, block);
      if (devnode !== undefined) {
        if (devnode !== null) await nodes.nodeAdded(devnode);
        this.answer(this.helper.ask({ op: "add", record: block }));
      }
    }
    if (ev.action === "remove" && this.devices.has(ev.devpath)) {
      const devnode = this.devices.get(ev.devpath) ?? null;
      this.devices.delete(ev.devpath);
      if (devnode !== null) nodes.nodeRemoved(devnode);
      this.answer(this.helper.ask({ op: "remove", syspath: `/sys${ev.devpath}` }));
    }
    const datagram = encodeLibudevDatagram(ev).toString("base64");
    this.answer(this.helper.ask({ op: "uevent", datagram }).then(() => void this.delivered++));
  }

  /** An answer still to come; a failure is kept for settled(). */
  private answer(p: Promise<unknown>): void {
    const kept = p.then(() => undefined, (e: unknown) => {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
    });
    this.answers.add(kept);
    void kept.finally(() => this.answers.delete(kept));
  }

  /** Every uevent taken so far has been delivered; throws what went wrong on the way. */
  async settled(): Promise<void> {
    await this.chain;
    while (this.answers.size > 0) await Promise.all([...this.answers]);
    if (this.failure !== null) throw this.failure;
  }

  async close(): Promise<void> {
    await this.helper.close({ op: "quit" });
  }
}
