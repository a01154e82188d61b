/**
 * Interruptible sleeps that nothing can end. A task asleep interruptibly waits for something
 * that may never come (an event a program never asked for), which is the program's business,
 * not a kernel hang: the run ends with the program `blocked`. But when the queue's owner says
 * nothing will ever wake its sleepers (WaitQueue.neverWoken: the device behind a file is gone,
 * nothing the sleeper waits for can come any more, and the kernel does not hang the file up),
 * the kernel has left the task asleep for ever: a `wait-never-woken` finding (class hang).
 *
 * Asked when the run is over (nothing runnable, no timer left; Sim.run()), so "never" rests
 * on the owner's word about its own queue alone: nothing else will ever run. Linux has no such
 * detector; the model can have one because it knows who can wake each queue.
 */
import type { Sim, SimTask } from "./sim.js";

export interface NeverWoken {
  readonly task: SimTask;
  /** Why nothing can wake it, in the queue owner's words. */
  readonly why: string;
}

/** The non-daemon tasks asleep interruptibly on a queue whose owner says nothing will wake it. */
export function neverWokenTasks(sim: Sim): NeverWoken[] {
  const found: NeverWoken[] = [];
  for (const task of sim.allTasks) {
    const on = task.blockedOn;
    if (task.daemon || on === null || on.state !== "interruptible") continue;
    const check = on.wq.neverWoken;
    const why = check === null ? null : sim.observe(check);
    if (why !== null) found.push({ task, why });
  }
  return found;
}
