/**
 * Programs that run as services (a daemon, a compositor): they wait for events for ever by
 * design, so the run does not wait for them to end. Once every other program has ended, each
 * service still running is stopped as systemd stops a unit: SIGTERM (which the program may
 * handle, to finish what it does and exit), then SIGKILL if it still runs when its stop
 * timeout (TimeoutStopSec) has passed.
 *
 * @see systemd.kill(5) (KillSignal=SIGTERM, FinalKillSignal=SIGKILL), systemd.service(5)
 *      (TimeoutStopSec=)
 */
import { step, type Task } from "../kernel/mod.js";
import type { Program, World } from "./world.js";

export interface Service {
  readonly program: Program;
  /** Ticks from SIGTERM to SIGKILL. */
  readonly stopTimeoutTicks: number;
}

/** Starts the service manager of `services` (nothing when there are none). */
export function manageServices(world: World, services: readonly Service[]): void {
  if (services.length === 0) return;
  // systemd waits for work for ever by design: it is never part of a hang.
  world.sim.spawn("systemd", stopServicesAtEnd(world, services), { kind: "user", daemon: true });
}

function* stopServicesAtEnd(world: World, services: readonly Service[]): Task<void> {
  yield step("systemd_manager");
  const isService = (p: Program): boolean => services.some((s) => s.program === p);
  const others = world.programs.filter((p) => !isService(p));
  yield* world.waitForExit(others, "the end of the programs that are not services", null);
  yield step("manager_stop_units");
  const running = services.filter((s) => s.program.task.state !== "done");
  for (const s of running) {
    const p = s.program.process;
    world.sim.note(`systemd: stopping ${p.comm} (pid ${p.pid}): SIGTERM`);
    world.sim.sendSignal(s.program.task, "SIGTERM");
  }
  const started = world.sim.now;
  for (const s of [...running].sort((a, b) => a.stopTimeoutTicks - b.stopTimeoutTicks)) {
    const left = Math.max(0, started + s.stopTimeoutTicks - world.sim.now);
    if (yield* world.waitForExit([s.program], `stop of ${s.program.process.comm}`, left)) continue;
    const p = s.program.process;
    world.sim.note(`systemd: ${p.comm} (pid ${p.pid}) did not stop in time: SIGKILL`);
    world.sim.sendFatalSignal(s.program.task);
  }
  yield* world.waitForExit(running.map((s) => s.program), "exit of the killed services", null);
}
