/**
 * The machines the benchmarks start from: one vdisp card at BENCH_BDF (most benchmarks), or
 * any list of cards (the unplug of a loaded machine: a vdisp card with buffers beside a
 * vtest card with fences), booted, FIFO-scheduled, with their drm_devices at hand.
 */
import { DrmDevice } from "../drm/mod.js";
import type { TraceLevel } from "../kernel/mod.js";
import { World, type DeviceSpec } from "../world/mod.js";

export const BENCH_BDF = "0000:01:00.0";
export const BENCH_DRIVER = "vdisp";
/** The primary node of the only DRM device. */
export const BENCH_CARD = "/dev/dri/card0";

export interface BenchWorld {
  readonly world: World;
  readonly dev: DrmDevice;
}

export interface BenchMachine {
  readonly world: World;
  /** The drm_device bound to each card, in the order of the specs. */
  readonly devs: readonly DrmDevice[];
}

/** Boots a world with `devices`; FIFO scheduling, so runs differ only in timing. */
export function bootBenchMachine(trace: TraceLevel, devices: readonly DeviceSpec[]): BenchMachine {
  const world = new World({ seed: 1, schedule: "fifo", trace, devices });
  world.bootSync();
  const devs = devices.map((d) => {
    const dev = world.bus.device(d.bdf)?.drvdata;
    if (!(dev instanceof DrmDevice)) throw new TypeError(`Cannot boot bench world: no drm_device at ${d.bdf}`);
    return dev;
  });
  return { world, devs };
}

/** Boots a one-card world. */
export function bootBenchWorld(trace: TraceLevel): BenchWorld {
  const { world, devs } = bootBenchMachine(trace, [{ bdf: BENCH_BDF, driver: BENCH_DRIVER }]);
  return { world, dev: devs[0]! };
}

/** The device node of a minor of `dev` ("card" or "render"), as a program opens it. */
export function nodeOf(dev: DrmDevice, minor: "card" | "render"): string {
  const m = minor === "card" ? dev.primary : dev.render;
  if (m === null) throw new Error(`Cannot bench: ${dev.label} has no ${minor} node`);
  return `/dev/dri/${m.name}`;
}
