/**
 * Turns a finished world into a RunRecord for the HTML timeline. The trace says which device
 * each object belongs to (its owners), so the record is the trace and the run's header.
 */
import type { World } from "../world/mod.js";
import type { RunRecord } from "./run_record.js";

export function worldRunRecord(world: World, meta: { title: string; verdict: string; replay: string }): RunRecord {
  const p = world.kernel.profile;
  return {
    title: meta.title,
    seed: world.sim.seed,
    profile: `${p.name} ${p.version}`,
    verdict: meta.verdict,
    replay: meta.replay,
    events: world.sim.trace.events,
  };
}
