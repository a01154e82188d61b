/**
 * Turns a finished world into a RunRecord for the HTML timeline: one device lane per PCI
 * device and per drm_device. An object goes to its owner's lane when the model names one (an
 * object one device made for another's buffer, whose label names both: a PRIME import), else
 * to the device its label names.
 */
import type { World } from "../world/mod.js";
import type { RunRecord } from "./run_record.js";

export function worldRunRecord(world: World, meta: { title: string; verdict: string; replay: string }): RunRecord {
  const lanes = new Map<string, number[]>();
  const add = (name: string, id: number): void => {
    let ids = lanes.get(name);
    if (ids === undefined) lanes.set(name, (ids = []));
    ids.push(id);
  };
  for (const ev of world.sim.trace.events) {
    if (ev.t !== "alloc") continue;
    if (ev.owner !== undefined) {
      add(ev.owner, ev.id);
      continue;
    }
    const drm = /drm_device#\d+/.exec(ev.label);
    const pci = /\b[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\b/.exec(ev.label);
    if (drm) add(drm[0], ev.id);
    else if (pci) add(`pci ${pci[0]}`, ev.id);
  }
  const p = world.kernel.profile;
  return {
    title: meta.title,
    seed: world.sim.seed,
    profile: `${p.name} ${p.version}`,
    verdict: meta.verdict,
    replay: meta.replay,
    events: world.sim.trace.events,
    devices: [...lanes.entries()].map(([name, allocIds]) => ({ name, allocIds })),
  };
}
