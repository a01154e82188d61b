/**
 * drm_dev_enter()/drm_dev_exit() pairs on the model's own functions, on a plugged device:
 * the SRCU read lock, the sanitizer check and the unlock (with its wake-up of synchronize).
 */
import { drmDevEnter, drmDevExit } from "../drm/mod.js";
import { bootBenchWorld } from "./_world.js";
import { perSecond, sampleRuns, timeNs, type Row } from "./measure.js";

export interface DevEnterOptions {
  /** Pairs timed per run. */
  readonly pairs: number;
  readonly runs: number;
}

export function benchDevEnter(o: DevEnterOptions): Row[] {
  const { dev } = bootBenchWorld("steps");
  let entered = 0;
  const nsPerPair = sampleRuns(o.runs, () => {
    const ns = timeNs(() => {
      for (let i = 0; i < o.pairs; i++) {
        const token = drmDevEnter(dev);
        if (token === null) throw new Error("Cannot bench drm_dev_enter: device unplugged");
        entered++;
        drmDevExit(dev, token);
      }
    });
    return ns / o.pairs;
  });
  if (entered === 0) throw new Error("Cannot bench drm_dev_enter: no pair ran");
  return [
    { name: "drm_dev_enter+exit pair", summary: nsPerPair, unit: "ns/pair", target: null },
    { name: "drm_dev_enter+exit pairs", summary: perSecond(nsPerPair), unit: "pairs/s", target: null },
  ];
}
