/**
 * The simulation in step with the wall clock, while a real process is attached to it: the
 * model runs at once whatever is runnable (a call of the real process waits for it), and a
 * timer (a program's sleep, a timeout) fires when its time has come in real time. The clock
 * never goes back, and it may run ahead of the wall clock by the steps it takes.
 */
import { performance } from "node:perf_hooks";
import type { RunOutcome } from "../kernel/mod.js";
import type { World } from "../world/mod.js";

/** Runs the simulation in step with the wall clock, whenever there is something to run. */
export class WallClockPump {
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
  /** Called once when the simulation cannot go on (a kernel hang, the budget, a model bug). */
  onEnd: () => void = () => undefined;

  constructor(
    private readonly world: World,
    private readonly stepsMax: number,
    private readonly before: () => void,
    private readonly after: () => void,
  ) {
    this.tick0 = world.sim.now;
  }

  /** The tick the wall clock is at now. */
  private target(): number {
    const elapsedUs = Math.floor((performance.now() - this.t0) * 1000);
    return Math.max(this.world.sim.now, this.tick0 + elapsedUs);
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
      if (o.kind !== "quiescent") {
        this.outcome = o;
        this.onEnd();
      }
    } catch (e) {
      this.error = e;
      this.outcome = { kind: "budget", steps: this.steps };
      this.onEnd();
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
