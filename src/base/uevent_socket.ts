/**
 * A NETLINK_KOBJECT_UEVENT socket bound to group 1: a bounded receive queue. When the queue
 * is full further events are dropped and the next receive fails with ENOBUFS, as in Linux.
 */
import { KObject, step, WaitQueue, waitEventInterruptible, type Sim, type Task } from "../kernel/mod.js";
import { fail, ok, type SysResult, type Uevent } from "../uapi/mod.js";
import type { Kernel } from "./kernel.js";
import type { UeventHub, UeventListener } from "./uevent_hub.js";
import type { FileOps, KFile } from "./vfs.js";

export class UeventSocket extends KObject implements UeventListener {
  static readonly fixedFields = ["sim", "hub", "queueMax", "wq", "unsubscribe"];
  readonly sim: Sim;
  readonly hub: UeventHub;
  readonly queue: Uevent[] = [];
  overrun = false;
  readonly wq: WaitQueue;
  readonly unsubscribe: () => void;

  constructor(kernel: Kernel, label: string, readonly queueMax = 4096) {
    super(kernel.sim, kernel.sim.alloc("netlink_sock", { label }));
    this.sim = kernel.sim;
    this.hub = kernel.uevents;
    this.wq = new WaitQueue(kernel.sim, "uevent socket");
    this.unsubscribe = kernel.uevents.subscribe(this);
  }

  deliver(ev: Uevent): void {
    if (this.queue.length >= this.queueMax) {
      this.overrun = true;
      return;
    }
    this.queue.push(ev);
    this.wq.wakeUpAll();
  }

  *recv(timeoutTicks: number): Task<SysResult<Uevent>> {
    const recv = step("netlink_recvmsg", [], [this]);
    yield recv;
    if (this.overrun) {
      this.overrun = false;
      return fail("ENOBUFS");
    }
    // skb_recv_datagram() sleeps interruptibly: a signal ends the wait with EINTR.
    const queued = (): boolean => this.queue.length > 0;
    const reason = "recv on uevent socket";
    const waited = yield* waitEventInterruptible(this.wq, reason, queued, timeoutTicks, recv);
    if (waited === "interrupted") return fail("EINTR");
    if (waited === "timed-out") return fail("EAGAIN");
    return ok(this.queue.shift()!);
  }
}

export function ueventSocketOps(socket: UeventSocket): FileOps {
  return {
    name: "netlink_uevent",
    *release(_file: KFile) {
      yield step("netlink_release", [], [socket, socket.hub]);
      socket.unsubscribe();
      socket.sim.free(socket.mem, "netlink_release");
    },
  };
}
