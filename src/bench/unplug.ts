/**
 * Unplug with many open files: a program opens N files on the card (timed), then unbinds the
 * driver through sysfs (unbind_store -> the driver's remove() -> drm_dev_unplug() -> devres
 * release), timed for that write alone. The files stay open across the unplug and are closed
 * after it (timed too: the last close makes the final drm_dev_put()). The heap the open files
 * hold is measured after a full GC.
 *
 * The ratios compare the sizes within one run, so a slow moment of the machine shifts all
 * three sizes alike. Linear cost: 10x the files costs about 10x the time (at most 12x).
 */
import type { TraceLevel } from "../kernel/mod.js";
import type { Fd } from "../uapi/mod.js";
import { BENCH_BDF, BENCH_CARD, BENCH_DRIVER, bootBenchWorld } from "./_world.js";
import { exposedGc, startStopwatch, summarize, type Row } from "./measure.js";

/** 10x the files may cost at most this many times the time. */
export const UNPLUG_RATIO_10X_MAX = 12;

export interface UnplugOptions {
  readonly fileCounts: readonly [number, number, number];
  readonly runs: number;
  readonly trace: TraceLevel;
}

interface UnplugSample {
  readonly openNs: number;
  readonly unplugNs: number;
  readonly lateCloseNs: number;
  readonly heapBytesPerFile: number;
}

function runOnce(files: number, trace: TraceLevel, gc: () => void): UnplugSample {
  const { world } = bootBenchWorld(trace);
  let sample: UnplugSample | null = null;
  const program = world.spawnProgram("unplug_bench", function* (sys) {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const fds: Fd[] = [];
    const openStopwatch = startStopwatch();
    for (let i = 0; i < files; i++) {
      const r = yield* sys.open(BENCH_CARD);
      if (!r.ok) throw new Error(`Cannot bench unplug: open ${BENCH_CARD} failed with ${r.errno}`);
      fds.push(r.value);
    }
    const openNs = openStopwatch();
    gc();
    const heapBytesPerFile = (process.memoryUsage().heapUsed - heapBefore) / files;
    const unplugStopwatch = startStopwatch();
    const w = yield* sys.writeFile(`/sys/bus/pci/drivers/${BENCH_DRIVER}/unbind`, BENCH_BDF);
    const unplugNs = unplugStopwatch();
    if (!w.ok) throw new Error(`Cannot bench unplug: unbind failed with ${w.errno}`);
    const closeStopwatch = startStopwatch();
    for (const fd of fds) yield* sys.close(fd);
    const lateCloseNs = closeStopwatch();
    sample = { openNs, unplugNs, lateCloseNs, heapBytesPerFile };
  });
  world.run();
  if (program.task.error !== undefined) throw program.task.error;
  if (sample === null) throw new Error("Cannot bench unplug: the program did not finish");
  return sample;
}

interface Phase {
  readonly name: string;
  readonly ns: (s: UnplugSample) => number;
  readonly unit: string;
}

const PHASES: readonly Phase[] = [
  { name: "open", ns: (s) => s.openNs, unit: "us/all opens" },
  { name: "unplug", ns: (s) => s.unplugNs, unit: "us/unplug" },
  { name: "late close", ns: (s) => s.lateCloseNs, unit: "us/all closes" },
];

export function benchUnplug(o: UnplugOptions): Row[] {
  const gc = exposedGc();
  const [small, mid, large] = o.fileCounts;
  for (const n of o.fileCounts) runOnce(n, o.trace, gc); // warm-up
  // runs[r][i]: run r at o.fileCounts[i]; the sizes of one run are compared with each other.
  const runs: UnplugSample[][] = [];
  for (let r = 0; r < o.runs; r++) runs.push(o.fileCounts.map((n) => runOnce(n, o.trace, gc)));
  const rows: Row[] = [];
  for (const phase of PHASES) {
    o.fileCounts.forEach((n, i) => {
      const us = runs.map((run) => phase.ns(run[i]!) / 1000);
      const files = `${n.toLocaleString("en-US")} open file${n === 1 ? "" : "s"}`;
      rows.push({ name: `${phase.name}, ${files} (trace=${o.trace})`, summary: summarize(us), unit: phase.unit, target: null });
    });
    const ratio = (hi: number, lo: number): number[] => runs.map((run) => phase.ns(run[hi]!) / phase.ns(run[lo]!));
    rows.push({ name: `${phase.name} time ratio ${mid}/${small} files`, summary: summarize(ratio(1, 0)), unit: "x", target: null });
    rows.push({ name: `${phase.name} time ratio ${large}/${mid} files`, summary: summarize(ratio(2, 1)), unit: "x", target: { kind: "max", value: UNPLUG_RATIO_10X_MAX } });
  }
  const heap = runs.map((run) => run[2]!.heapBytesPerFile);
  rows.push({ name: `heap per open file (${large} files, trace=${o.trace})`, summary: summarize(heap), unit: "bytes/file", target: null });
  return rows;
}
