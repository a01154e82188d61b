/**
 * Unplug of loaded devices: a program fills a machine (dumb buffers, some mapped and written
 * through, and pending fences: see _load.ts), then unbinds the drivers through sysfs, then
 * unmaps and closes everything it holds. Timed: the unbind writes ("unplug": remove(), the
 * zap of the mappings, the scheduler and timeline teardown that signals every fence) and what
 * follows until the last reference to each device goes ("teardown": munmap, close, the final
 * drm_dev_put() and the drmm release). Not timed: boot and the loading.
 *
 * The whole load goes on one vtest device (it has dumb buffers in VRAM and a GPU scheduler);
 * each part is measured alone too, the buffers on a vdisp device (a display driver). Each load
 * is measured at full size and at a tenth, within one run, so that the ratio compares sizes at
 * the same moment of the machine. The heap the load holds is measured after a full GC, before
 * the unplug. */
import type { Process } from "../base/mod.js";
import { DrmFile, type DrmDevice } from "../drm/mod.js";
import { findingSummary, type TraceLevel } from "../kernel/mod.js";
import type { Call } from "../uapi/mod.js";
import type { DeviceSpec, World } from "../world/mod.js";
import { loadBuffers, loadFences, teardown, type Held, type Load } from "./_load.js";
import { bootBenchMachine, nodeOf } from "./_world.js";
import { exposedGc, row, startCpuStopwatch, summarize } from "./measure.js";
import type { Row, Summary, Target } from "./measure.js";

/** 10x the objects may cost at most this many times the time. */
export const LOADED_RATIO_10X_MAX = 12;
/** Steps a run may take: the full load takes about 1.5 million. */
const STEPS_MAX = 100_000_000;

const VDISP: DeviceSpec = { bdf: "0000:01:00.0", driver: "vdisp" };
const VTEST: DeviceSpec = { bdf: "0000:02:00.0", driver: "vtest" };

/**
 * A machine to load: its cards and what goes on them. The buffers go on the primary node of
 * the first card, the fences on the render node of the vtest card.
 */
export interface LoadCase {
  readonly name: string;
  readonly devices: readonly DeviceSpec[];
  readonly load: Load;
}

/**
 * The load (100,000 buffers, 10,000 mappings, 10,000 fences) on one vtest device, and
 * each part alone: the buffers on a vdisp device (a display driver's), the fences on vtest.
 */
export const LOAD_CASES: readonly LoadCase[] = [
  {
    name: "buffers+maps",
    devices: [VDISP],
    load: { buffers: 100_000, mappings: 10_000, fences: 0 },
  },
  { name: "fences", devices: [VTEST], load: { buffers: 0, mappings: 0, fences: 10_000 } },
  {
    name: "all, one device",
    devices: [VTEST],
    load: { buffers: 100_000, mappings: 10_000, fences: 10_000 },
  },
];

export interface UnplugLoadedOptions {
  readonly cases: readonly LoadCase[];
  readonly runs: number;
  readonly trace: TraceLevel;
}

export interface UnplugLoadedSample {
  readonly unplugNs: number;
  readonly teardownNs: number;
  readonly heapBytes: number;
}

/** A run's sizes: the tenth, then the full load. */
type SizePair = readonly [UnplugLoadedSample, UnplugLoadedSample];

function tenth(load: Load): Load {
  return { buffers: load.buffers / 10, mappings: load.mappings / 10, fences: load.fences / 10 };
}

/** Fences of the syncobjs of the process's DRM files still unsignalled. */
function pendingFences(p: Process): number {
  let n = 0;
  for (const kfile of p.fds.values()) {
    const file = kfile.privateData;
    if (!(file instanceof DrmFile)) continue;
    for (const s of file.syncobjs.values()) if (s.fence !== null && !s.fence.signaled) n++;
  }
  return n;
}

/** What the program is told of the machine (a program reads no kernel object itself). */
interface Machine {
  readonly world: World;
  readonly specs: readonly DeviceSpec[];
  /** The first card's primary node, and the vtest card's render node if there is one. */
  readonly card: string;
  readonly render: string | null;
}

/** The program: loads the machine (not timed), unbinds every card, unmaps and closes all. */
function* loadedProgram(
  m: Machine,
  load: Load,
  gc: () => void,
  sys: Process,
): Call<UnplugLoadedSample> {
  const held: Held = { fds: [], maps: [] };
  const pending = (): number => m.world.sim.observe(() => pendingFences(sys));
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  if (load.buffers > 0) yield* loadBuffers(sys, m.card, load, held);
  if (m.render !== null && load.fences > 0) yield* loadFences(sys, m.render, load, held);
  if (pending() !== load.fences) throw new Error(`Cannot bench: ${pending()} fences pending`);
  gc();
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  const unplugStopwatch = startCpuStopwatch();
  for (const d of m.specs) {
    const w = yield* sys.writeFile(`/sys/bus/pci/drivers/${d.driver}/unbind`, d.bdf);
    if (!w.ok) throw new Error(`Cannot bench: unbind of ${d.bdf} failed with ${w.errno}`);
  }
  const unplugNs = unplugStopwatch();
  if (pending() !== 0) throw new Error(`Cannot bench: ${pending()} fences pending after unplug`);
  const teardownStopwatch = startCpuStopwatch();
  yield* teardown(sys, held);
  return { unplugNs, teardownNs: teardownStopwatch(), heapBytes };
}

/**
 * One run: boot, load, then the timed unplug and teardown. Throws if a fence is pending after
 * the unplug, a device is not freed after the teardown, or the run has a finding.
 */
export function unplugLoadedOnce(
  c: LoadCase,
  load: Load,
  trace: TraceLevel,
  gc: () => void,
): UnplugLoadedSample {
  const { world, devs } = bootBenchMachine(trace, c.devices);
  let sample: UnplugLoadedSample | null = null;
  const vtest = devs.find((d) => d.driver.name === "vtest");
  const render = vtest === undefined ? null : nodeOf(vtest, "render");
  const machine: Machine = { world, specs: c.devices, card: nodeOf(devs[0]!, "card"), render };
  const program = world.spawnProgram("unplug_loaded_bench", function* (sys) {
    sample = yield* loadedProgram(machine, load, gc, sys);
  });
  world.run(STEPS_MAX);
  if (program.task.error !== undefined) throw program.task.error;
  const where = `Cannot bench unplug of ${c.name}`;
  if (sample === null) throw new Error(`${where}: the program did not finish`);
  const findings = world.sim.findings.map(findingSummary);
  if (findings.length > 0) throw new Error(`${where}: ${findings.join("; ")}`);
  for (const dev of devs) {
    if (dev.mem.freeSite === null) throw new Error(`${where}: ${dev.mem.label} outlived it`);
  }
  return sample;
}

function describeLoad(load: Load): string {
  const parts: string[] = [];
  const n = (x: number): string => x.toLocaleString("en-US");
  if (load.buffers > 0) parts.push(`${n(load.buffers)} bufs, ${n(load.mappings)} maps`);
  if (load.fences > 0) parts.push(`${n(load.fences)} fences`);
  return parts.join(", ");
}

function rowsOf(c: LoadCase, runs: readonly SizePair[], trace: TraceLevel): Row[] {
  const rows: Row[] = [];
  const total = (s: UnplugLoadedSample): number => s.unplugNs + s.teardownNs;
  [tenth(c.load), c.load].forEach((load, i) => {
    const label = `${c.name} (${describeLoad(load)})`;
    const of = (f: (s: UnplugLoadedSample) => number): Summary =>
      summarize(runs.map((r) => f(r[i]!)));
    rows.push(row(`unplug, ${label}`, of((s) => s.unplugNs / 1e6), "ms cpu"));
    rows.push(row(`unplug+teardown, ${label}`, of((s) => total(s) / 1e6), "ms cpu"));
    rows.push(row(`heap held, ${label}`, of((s) => s.heapBytes / 2 ** 20), "MiB"));
  });
  const ratio = (f: (s: UnplugLoadedSample) => number): Summary =>
    summarize(runs.map(([s, l]) => f(l) / f(s)));
  const max: Target = { kind: "max", value: LOADED_RATIO_10X_MAX };
  rows.push(row(`${c.name}: unplug time ratio 10x/1x`, ratio((s) => s.unplugNs), "x"));
  const name = `${c.name}: unplug+teardown ratio 10x/1x (trace=${trace})`;
  rows.push(row(name, ratio(total), "x", max));
  rows.push(row(`${c.name}: heap ratio 10x/1x`, ratio((s) => s.heapBytes), "x"));
  return rows;
}

export function benchUnplugLoaded(o: UnplugLoadedOptions): Row[] {
  const gc = exposedGc();
  const rows: Row[] = [];
  for (const c of o.cases) {
    const once = (load: Load): UnplugLoadedSample => unplugLoadedOnce(c, load, o.trace, gc);
    once(tenth(c.load)); // warm-up
    const runs: SizePair[] = [];
    for (let r = 0; r < o.runs; r++) runs.push([once(tenth(c.load)), once(c.load)]);
    rows.push(...rowsOf(c, runs, o.trace));
  }
  return rows;
}
