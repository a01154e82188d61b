/**
 * The kernel-wide state every subsystem shares: the simulation, the profile, fault injection,
 * the uevent broadcaster, sysfs, and the character-device table with devtmpfs.
 */
import type { Sim } from "../kernel/mod.js";
import { FaultInjector } from "./faults.js";
import type { Process } from "./process.js";
import type { KernelProfile } from "./profile.js";
import { Sysfs } from "./sysfs.js";
import { UeventHub } from "./uevent_hub.js";
import { Vfs } from "./vfs.js";

export class Kernel {
  readonly uevents: UeventHub;
  readonly sysfs: Sysfs;
  readonly vfs: Vfs;
  readonly faults = new FaultInjector();
  /** The processes by pid, from their start until their exit has run (what /proc lists). */
  readonly processes = new Map<number, Process>();
  private nextPid = 1000;
  /** The next fence context (dma_fence_context_counter starts at 1). */
  private nextFenceContext = 1n;
  /** The inode number of the next dma-buf's file (dmabuf_inode counts from 1). */
  private nextDmaBufIno = 1;

  constructor(
    readonly sim: Sim,
    readonly profile: KernelProfile,
    options: { firstSeqnum?: number } = {},
  ) {
    this.sysfs = new Sysfs(sim);
    this.uevents = new UeventHub(sim, options.firstSeqnum ?? 1);
    this.vfs = new Vfs(this);
  }

  allocPid(): number {
    return this.nextPid++;
  }

  /** The inode number of a new dma-buf. @see dma_buf_getfile() */
  allocDmaBufIno(): number {
    return this.nextDmaBufIno++;
  }

  /** The first of `num` new fence contexts. @see dma_fence_context_alloc() */
  allocFenceContexts(num: number): bigint {
    const first = this.nextFenceContext;
    this.nextFenceContext += BigInt(num);
    return first;
  }
}

/**
 * A getter of state a subsystem keeps once per kernel (a module's globals), made by `make` on
 * first use, as a module is initialised when it is loaded.
 */
export function perKernel<T>(make: (kernel: Kernel) => T): (kernel: Kernel) => T {
  const made = new WeakMap<Kernel, T>();
  return (kernel) => {
    let state = made.get(kernel);
    if (state === undefined) {
      state = make(kernel);
      made.set(kernel, state);
    }
    return state;
  };
}
