/**
 * The system calls of a real program's lane, as the timeline prints them: each with its time,
 * the lane's name and the call as the trace records it (ioctl fields in and out, errno).
 */
import { formatCall, type CallRecord } from "../kernel/mod.js";
import { timelineTime, type ScenarioRun } from "../scenario/mod.js";

export function laneCalls(run: ScenarioRun, lane: string): CallRecord[] {
  const task = run.world.programs.find((p) => p.task.name === lane)?.task.id;
  return run.world.sim.trace.events.filter((e): e is CallRecord => e.t === "call" && e.task === task);
}

export function laneCallsText(run: ScenarioRun, lane: string): string {
  const lines = laneCalls(run, lane).map((c) => `${timelineTime(c.tick)} ${lane} ${formatCall(c)}`);
  return [`calls of the real program ${lane}:`, ...lines].join("\n");
}
