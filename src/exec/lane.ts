/**
 * The lane of a real program: a model process, with its own task, that makes in the model the
 * system calls a real process makes on the emulated nodes. The bridge queues each call as the
 * real process makes it; the task runs the queue in order (so the calls of one real process
 * are made one at a time, by one model task) and, asleep interruptibly while the queue is
 * empty, is not a hang. Its calls are traced as any program's, in a lane of their own.
 */
import type { Process } from "../base/mod.js";
import { WaitQueue, waitEventInterruptible } from "../kernel/mod.js";
import type { Program, World } from "../world/mod.js";

interface Work {
  readonly run: (sys: Process) => Generator<unknown, unknown, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: unknown) => void;
}

export class RealProgramLane {
  private readonly queue: Work[] = [];
  private readonly wq: WaitQueue;
  private ended = false;
  readonly program: Program;

  constructor(world: World, readonly name: string) {
    this.wq = new WaitQueue(world.sim, `system calls of the real program ${name}`);
    this.program = world.spawnProgram(name, (sys) => this.body(sys));
  }

  get process(): Process {
    return this.program.process;
  }

  /** Whether the lane's task has ended (the real process exited, or the model killed it). */
  get done(): boolean {
    return this.program.task.state === "done";
  }

  /**
   * Queues a call for the lane's task; the promise settles when the model has run it (the
   * caller runs the simulation). A call queued after the lane ended is rejected.
   */
  call<T>(run: (sys: Process) => Generator<unknown, T, unknown>): Promise<T> {
    if (this.done || this.ended) {
      return Promise.reject(new Error(`the lane of ${this.name} has ended`));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      this.wq.wakeUpAll();
    });
  }

  /** The real process has exited: the task runs what is queued, then its exit (do_exit()). */
  end(): void {
    this.ended = true;
    this.wq.wakeUpAll();
  }

  private *body(sys: Process): Generator<unknown, void, unknown> {
    for (;;) {
      const work = this.queue.shift();
      if (work === undefined) {
        if (this.ended) return;
        const ready = (): boolean => this.queue.length > 0 || this.ended;
        const r = yield* waitEventInterruptible(this.wq, this.wq.name, ready);
        if (r === "interrupted") break;
        continue;
      }
      try {
        work.resolve(yield* work.run(sys));
      } catch (e) {
        work.reject(e);
        throw e;
      }
    }
    // Killed by the model (shutdown's SIGKILL): what the real process still asks fails.
    for (const w of this.queue.splice(0)) w.reject(new Error(`the lane of ${this.name} was killed`));
  }
}
