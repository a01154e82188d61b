/**
 * The parts of a `vdrm exec` run that keep the real process and the model in step, wired
 * together: the real program's lane, the bridge serving its calls, the mirrors of its
 * mappings, the wall-clock pump, and the model's uevents on their way to the testbed.
 */
import type { Uevent } from "../uapi/mod.js";
import type { World } from "../world/mod.js";
import { Bridge } from "./bridge.js";
import { RealProgramLane } from "./lane.js";
import { MappingMirrors } from "./mappings.js";
import type { NodeListener, Testbed } from "./testbed.js";
import { deviceBlock } from "./testbed_record.js";
import { WallClockPump } from "./wall_clock.js";

/** How often the mappings of a real process are synchronized when nothing else happens. */
const MAPPING_POLL_MS = 5;

export class ExecSession {
  readonly lane: RealProgramLane;
  readonly bridge: Bridge;
  readonly mirrors: MappingMirrors;
  readonly pump: WallClockPump;
  /** The model's uevents not yet given to the testbed, with an add's device record. */
  private readonly pending: { ev: Uevent; block: string | null }[] = [];
  private readonly unsubscribe: () => void;
  private readonly nodes: NodeListener;
  /** Sends a signal to the real process (set once it runs). */
  kill: (signal: NodeJS.Signals) => void = () => undefined;

  constructor(
    private readonly world: World,
    private readonly testbed: Testbed,
    program: string,
    stepsMax: number,
    onUevent: (ev: Uevent) => void = () => undefined,
  ) {
    const sysfs = world.kernel.sysfs;
    this.unsubscribe = world.kernel.uevents.subscribe({
      deliver: (ev) => {
        onUevent(ev);
        const dir = `/sys${ev.devpath}`;
        const block = ev.action === "add" ? world.sim.observe(() => deviceBlock(sysfs, dir)) : null;
        this.pending.push({ ev, block });
      },
    });
    this.lane = new RealProgramLane(world, program);
    this.pump = new WallClockPump(world, stepsMax, () => this.beforeRun(), () => this.afterRun());
    this.bridge = new Bridge(testbed.root, this.lane, this.pump.kick, world.sim);
    this.nodes = {
      nodeAdded: (devnode) => this.bridge.listen(devnode),
      nodeRemoved: (devnode) => this.bridge.unlisten(devnode),
    };
    const maps = `${testbed.root}/vdrm-maps`;
    this.mirrors = new MappingMirrors(maps, world.sim, () => this.lane.process,
      (fn) => this.bridge.run(fn), (signal) => this.kill(signal));
    this.bridge.shim = this.mirrors;
    // A kernel hang or a bug of the model ends the run: the real process would wait for ever.
    this.pump.onEnd = () => this.kill("SIGKILL");
  }

  /** The real process's writes to its mappings reach the model before the model runs on. */
  private beforeRun(): void {
    this.pump.pollMs = this.mirrors.active ? MAPPING_POLL_MS : null;
    if (this.mirrors.dirty()) void this.mirrors.push();
  }

  /** A zapped mapping is shown zapped before the uevents of the same steps are delivered. */
  private afterRun(): void {
    const synced = this.mirrors.afterRun();
    this.bridge.files.afterRun();
    for (const p of this.pending.splice(0)) this.testbed.uevent(p.ev, p.block, this.nodes, synced);
  }

  /** Puts the model's devices in the testbed, serving their nodes. */
  async attach(): Promise<void> {
    await this.bridge.start();
    await this.testbed.addModelDevices(this.world.sim, this.world.kernel.sysfs, this.nodes);
  }

  /**
   * The real process has exited: its connections end (its files close in the model), its
   * lane exits, the last uevents reach the testbed; the model then runs on its own clock.
   */
  async detach(): Promise<void> {
    await this.bridge.drained();
    this.lane.end();
    this.pump.kick();
    while (!this.lane.done && this.pump.outcome === null) {
      await new Promise((r) => setTimeout(r, 1));
    }
    this.pump.stop();
    this.unsubscribe();
    await this.testbed.settled();
    if (this.pump.error !== null) throw this.pump.error;
  }

  close(): void {
    this.mirrors.close();
    this.bridge.close();
  }
}
