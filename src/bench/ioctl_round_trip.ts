/**
 * Simulated ioctl round trips through the whole stack: a userspace program in a World calls
 * ioctl(2) on an open card node; each call goes Process.ioctl (traced) -> the file's ops ->
 * drm_ioctl (the unplug gate) -> drm_ioctl_kernel (gate, permission) -> the handler -> back,
 * every kernel step a scheduling point of the Sim.
 */
import type { TraceLevel } from "../kernel/mod.js";
import { DRM_CAP, DRM_IOCTL_GET_CAP, DRM_IOCTL_VERSION, type AnyIoctlDef, type Fd, type IoctlFields } from "../uapi/mod.js";
import { BENCH_CARD, bootBenchWorld } from "./_world.js";
import { perSecond, row, startCpuStopwatch, startStopwatch, summarize } from "./measure.js";
import type { Row, Target } from "./measure.js";

export const IOCTL_ROUND_TRIPS_PER_SECOND_MIN = 1_000_000;
/**
 * The trace level the target is judged at: every event but the per-step ones, a documented
 * level users choose with WorldOptions.trace (or SimOptions.trace). At the default level,
 * "steps", each round trip also keeps two step events, which is reported without a target.
 */
export const IOCTL_TARGET_TRACE: TraceLevel = "events";

export interface IoctlRoundTripOptions {
  /** Round trips timed per run. */
  readonly calls: number;
  readonly runs: number;
  readonly trace: TraceLevel;
}

interface IoctlCase {
  readonly request: AnyIoctlDef;
  readonly arg: IoctlFields;
}

const CASES: readonly IoctlCase[] = [
  { request: DRM_IOCTL_VERSION, arg: {} },
  { request: DRM_IOCTL_GET_CAP, arg: { capability: DRM_CAP.DRM_CAP_DUMB_BUFFER } },
];

interface PerCall {
  readonly wallNs: number;
  readonly cpuNs: number;
}

/** One run: a fresh world, one program that opens the card and makes `calls` ioctls. */
function runOnce(c: IoctlCase, o: IoctlRoundTripOptions): PerCall {
  const { world } = bootBenchWorld(o.trace);
  let perCall: PerCall | null = null;
  const program = world.spawnProgram("ioctl_bench", function* (sys) {
    const opened = yield* sys.open(BENCH_CARD);
    if (!opened.ok) throw new Error(`Cannot bench ioctl: open ${BENCH_CARD} failed with ${opened.errno}`);
    const fd: Fd = opened.value;
    const wall = startStopwatch();
    const cpu = startCpuStopwatch();
    for (let i = 0; i < o.calls; i++) {
      const r = yield* sys.ioctl(fd, c.request, c.arg);
      if (!r.ok) throw new Error(`Cannot bench ioctl: ${c.request.name} failed with ${r.errno}`);
    }
    perCall = { cpuNs: cpu() / o.calls, wallNs: wall() / o.calls };
    yield* sys.close(fd);
  });
  world.run();
  if (program.task.error !== undefined) throw program.task.error;
  if (perCall === null) throw new Error("Cannot bench ioctl: the program did not finish");
  return perCall;
}

export function benchIoctlRoundTrip(o: IoctlRoundTripOptions): Row[] {
  const rows: Row[] = [];
  for (const c of CASES) {
    runOnce(c, o); // warm-up
    const runs: PerCall[] = [];
    for (let r = 0; r < o.runs; r++) runs.push(runOnce(c, o));
    const nsPerCall = summarize(runs.map((r) => r.wallNs));
    const label = `ioctl ${c.request.name.replace("DRM_IOCTL_", "")} round trip (trace=${o.trace})`;
    const judged = o.trace === IOCTL_TARGET_TRACE;
    const target: Target = { kind: "min", value: IOCTL_ROUND_TRIPS_PER_SECOND_MIN };
    rows.push(row(label, nsPerCall, "ns/call"));
    rows.push(row(label, perSecond(nsPerCall), "calls/s", judged ? target : null));
    rows.push(row(label, summarize(runs.map((r) => r.cpuNs)), "ns cpu/call"));
  }
  return rows;
}
