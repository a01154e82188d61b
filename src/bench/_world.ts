/**
 * The machine every benchmark starts from: one vdisp card at BENCH_BDF, booted, with its
 * drm_device at hand.
 */
import { DrmDevice } from "../drm/mod.js";
import type { TraceLevel } from "../kernel/mod.js";
import { World } from "../world/mod.js";

export const BENCH_BDF = "0000:01:00.0";
export const BENCH_DRIVER = "vdisp";
/** The primary node of the only DRM device. */
export const BENCH_CARD = "/dev/dri/card0";

export interface BenchWorld {
  readonly world: World;
  readonly dev: DrmDevice;
}

/** Boots a one-card world; FIFO scheduling, so runs differ only in timing. */
export function bootBenchWorld(trace: TraceLevel): BenchWorld {
  const world = new World({ seed: 1, schedule: "fifo", trace, devices: [{ bdf: BENCH_BDF, driver: BENCH_DRIVER }] });
  world.bootSync();
  const dev = world.bus.device(BENCH_BDF)?.drvdata;
  if (!(dev instanceof DrmDevice)) throw new TypeError(`Cannot boot bench world: no drm_device bound at ${BENCH_BDF}`);
  return { world, dev };
}
