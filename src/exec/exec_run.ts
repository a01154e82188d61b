/**
 * `vdrm exec`: a scenario run with one of its programs replaced by a real process. The other
 * programs run in the model as usual; the real process runs under umockdev's preload (after
 * vdrm's shim) against a testbed made from the model, and its calls on the DRM nodes are made
 * by its lane in the model (bridge.ts). While it runs, the model's clock follows the wall
 * clock: the simulation runs what is runnable at once, and a timer (a program's sleep, a
 * timeout) fires when its time has come in real time. Once the real process has exited, its
 * lane exits (closing what it left open) and the rest of the scenario runs on model time.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import type { RunOutcome } from "../kernel/mod.js";
import { finishRun, startRun, STEPS_MAX_DEFAULT, type RunOverrides, type Scenario, type ScenarioRun } from "../scenario/mod.js";
import type { Uevent } from "../uapi/mod.js";
import { World } from "../world/mod.js";
import { Bridge } from "./bridge.js";
import { RealProgramLane } from "./lane.js";
import { MappingMirrors } from "./mappings.js";
import { buildShim, checkSetup, UMOCKDEV_PRELOAD } from "./setup.js";
import { Testbed, type NodeListener } from "./testbed.js";
import { deviceBlock } from "./testbed_record.js";

export interface ExecRequest {
  readonly scenario: Scenario;
  /** The scenario program the real process replaces. */
  readonly program: string;
  readonly argv: readonly [string, ...string[]];
  readonly overrides?: RunOverrides;
  /** How the real process's stdio is connected. @default "inherit" */
  readonly stdio?: "inherit" | "pipe";
}

export interface ExecResult {
  readonly run: ScenarioRun;
  /** The real process's exit status (128 + the signal's number when a signal ended it). */
  readonly status: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Uevents the real process's monitors were sent. */
  readonly ueventsDelivered: number;
}

/** How often the mappings of a real process are synchronized when nothing else happens. */
const MAPPING_POLL_MS = 5;

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** Runs the simulation in step with the wall clock, whenever there is something to run. */
class WallClockPump {
  private readonly t0 = performance.now();
  private readonly tick0: number;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  steps = 0;
  /**
   * While set, the pump also runs this often (in ms) without an event: the real process's
   * writes to its mappings make none, and they must reach the model in time.
   */
  pollMs: number | null = null;
  error: unknown = null;
  outcome: RunOutcome | null = null;

  constructor(
    private readonly world: World,
    private readonly stepsMax: number,
    private readonly before: () => void,
    private readonly after: () => void,
  ) {
    this.tick0 = world.sim.now;
  }

  private target(): number {
    return Math.max(this.world.sim.now, this.tick0 + Math.floor((performance.now() - this.t0) * 1000));
  }

  /**
   * Runs the simulation now (a call of the real process waits for it); called while it runs
   * (a call queued from a hook), it runs once more after.
   */
  kick = (): void => {
    if (this.outcome !== null) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        this.pump();
      } while (this.again && this.outcome === null);
    } finally {
      this.running = false;
    }
  };

  private pump(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const sim = this.world.sim;
    try {
      this.before();
      const o = sim.run(this.stepsMax - this.steps, this.target());
      this.steps += o.steps;
      if (o.kind !== "quiescent") this.outcome = o;
    } catch (e) {
      this.error = e;
      this.outcome = { kind: "budget", steps: this.steps };
    }
    this.after();
    if (this.outcome !== null) return;
    const next = sim.nextTimerTick();
    const timerMs = next === null ? null : Math.max(0, (next - this.target()) / 1000);
    const ms = this.pollMs === null ? timerMs : Math.min(timerMs ?? this.pollMs, this.pollMs);
    if (ms !== null) this.timer = setTimeout(() => this.kick(), ms);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.outcome ??= { kind: "quiescent", steps: this.steps };
  }
}

function childEnv(root: string, shim: string): NodeJS.ProcessEnv {
  const preload = [shim, UMOCKDEV_PRELOAD, process.env["LD_PRELOAD"]].filter((x) => x).join(":");
  return { ...process.env, UMOCKDEV_DIR: root, LD_PRELOAD: preload };
}

export async function execScenario(req: ExecRequest): Promise<ExecResult> {
  checkSetup();
  const shim = buildShim();
  const sc = req.scenario;
  const o = req.overrides ?? {};
  const stepsMax = o.stepsMax ?? STEPS_MAX_DEFAULT;
  const world = new World({
    seed: o.seed ?? sc.world.seed ?? 1, devices: sc.world.devices, trace: o.trace ?? "steps",
    ...(o.profile ?? sc.world.profile ? { profile: (o.profile ?? sc.world.profile)! } : {}),
    ...(o.kernel ?? sc.world.kernel ? { kernel: (o.kernel ?? sc.world.kernel)! } : {}),
    ...(o.footprints !== undefined ? { footprints: o.footprints } : {}),
  });
  const started = startRun(sc, world, {}, new Set([req.program]));
  const testbed = await Testbed.start();
  const lane = new RealProgramLane(world, req.program);
  const pending: { ev: Uevent; block: string | null }[] = [];
  const unsubscribe = world.kernel.uevents.subscribe({
    deliver: (ev) => {
      const block = ev.action === "add" ? world.sim.observe(() => deviceBlock(world.kernel.sysfs, `/sys${ev.devpath}`)) : null;
      pending.push({ ev, block });
    },
  });
  let bridge: Bridge | null = null;
  const nodes: NodeListener = {
    nodeAdded: (devnode) => bridge!.listen(devnode),
    nodeRemoved: (devnode) => bridge!.unlisten(devnode),
  };
  let mirrors: MappingMirrors | null = null;
  let kill: (signal: NodeJS.Signals) => void = () => undefined;
  const pump = new WallClockPump(world, stepsMax, () => {
    pump.pollMs = mirrors?.active ? MAPPING_POLL_MS : null;
    if (mirrors?.dirty()) void mirrors.push();
  }, () => {
    const synced = mirrors?.afterRun() ?? Promise.resolve();
    for (const p of pending.splice(0)) testbed.uevent(p.ev, p.block, nodes, synced);
  });
  bridge = new Bridge(testbed.root, lane, pump.kick);
  mirrors = new MappingMirrors(`${testbed.root}/vdrm-maps`, world.sim, () => lane.process,
    (fn) => bridge!.run(fn), (signal) => kill(signal));
  bridge.shim = mirrors;
  try {
    await testbed.addModelDevices(world.sim, world.kernel.sysfs, nodes);
    const child = spawn(req.argv[0], req.argv.slice(1), { stdio: req.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit", env: childEnv(testbed.root, shim) });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => void (stdout += d.toString("utf8")));
    child.stderr?.on("data", (d: Buffer) => void (stderr += d.toString("utf8")));
    // A fault the model could not resolve: the real process gets the signal, as from the MMU.
    kill = (signal) => void child.kill(signal);
    pump.kick();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (c, s) => resolve([c, s]));
    });
    // The process is gone: its connections end (its files close in the model), then its lane.
    await bridge.drained();
    lane.end();
    pump.kick();
    while (!lane.done && pump.outcome === null) await new Promise((r) => setTimeout(r, 1));
    pump.stop();
    await testbed.settled();
    if (pump.error !== null) throw pump.error;
    unsubscribe();
    const rest = world.run(stepsMax - pump.steps);
    const run = finishRun(started, rest, stepsMax);
    const status = code ?? 128 + (SIGNAL_NUMBERS[signal ?? ""] ?? 0);
    return { run, status, signal, stdout, stderr, ueventsDelivered: testbed.delivered };
  } finally {
    mirrors.close();
    bridge.close();
    await testbed.close();
  }
}
