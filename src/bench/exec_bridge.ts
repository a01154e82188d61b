/**
 * The bridge of `vdrm exec` (docs/real-programs.md), measured with real programs:
 * - the ioctl round trip: native/clients/ioctl_bench.c times DRM_IOCTL_GET_CAP through
 *   umockdev's preload and socket, the bridge, the lane's call in the model and back, on
 *   fixtures/exec/bridge-bench.yaml; median and p99 of each run (target: median below 60 µs);
 * - the uevent latency: from the model sending a uevent (in its simulation step) to the
 *   client's libudev monitor receiving it (native/clients/uevent_bench.c), on
 *   fixtures/exec/uevent-bench.yaml (20 rebinds, 100 ms apart, 9 events each). Both ends read
 *   CLOCK_MONOTONIC (Node's hrtime is that clock on Linux).
 * Skipped, with the reason, where umockdev or the C toolchain is missing.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { buildClient, clientsSkipReason, execScenario } from "../exec/mod.js";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { ueventSeqnum } from "../uapi/mod.js";
import { row, summarize, type Row } from "./measure.js";

export interface ExecBridgeBenchOptions {
  readonly ioctls: number;
  readonly runs: number;
}

export interface ExecBridgeBench {
  readonly rows: Row[];
  /** Why it was skipped, or null; the load average while it ran, as printed. */
  readonly note: string;
}

const ROOT = new URL("../../", import.meta.url).pathname;
const UEVENTS = 180;

function scenario(file: string): Scenario {
  const r = loadScenarioFile(join(ROOT, file));
  if (!r.ok) throw new Error(`Cannot load ${file}: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.scenario;
}

/** The "key value" figure a client printed. */
function figure(stdout: string, key: string): number {
  const m = new RegExp(`^${key} (\\S+)$`, "m").exec(stdout);
  if (m === null) throw new Error(`Cannot bench the exec bridge: the client printed no ${key}:\n${stdout}`);
  return Number(m[1]);
}

async function ioctlRun(client: string, ioctls: number): Promise<{ median: number; p99: number }> {
  const sc = scenario("fixtures/exec/bridge-bench.yaml");
  const r = await execScenario({ scenario: sc, program: "client", argv: [client, String(ioctls)], stdio: "pipe" });
  if (r.status !== 0) throw new Error(`Cannot bench the exec bridge: ioctl_bench exited ${r.status}: ${r.stderr}`);
  return { median: figure(r.stdout, "median_us"), p99: figure(r.stdout, "p99_us") };
}

/** Microseconds from each uevent's sending in the model to its receipt by the client. */
async function ueventLatencies(client: string): Promise<number[]> {
  const sent = new Map<number, bigint>();
  const sc = scenario("fixtures/exec/uevent-bench.yaml");
  const onModelUevent = (ev: Parameters<typeof ueventSeqnum>[0]): void =>
    void sent.set(ueventSeqnum(ev), process.hrtime.bigint());
  const argv: [string, string] = [client, String(UEVENTS)];
  const r = await execScenario({ scenario: sc, program: "client", argv, stdio: "pipe", onModelUevent });
  if (r.status !== 0) throw new Error(`Cannot bench the exec bridge: uevent_bench exited ${r.status}: ${r.stderr}`);
  const out: number[] = [];
  for (const m of r.stdout.matchAll(/^uevent (\d+) (\d+)$/gm)) {
    const at = sent.get(Number(m[1]));
    if (at !== undefined) out.push(Number(BigInt(m[2]!) - at) / 1000);
  }
  return out;
}

function p99(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

export async function benchExecBridge(o: ExecBridgeBenchOptions): Promise<ExecBridgeBench> {
  const skip = clientsSkipReason();
  if (skip !== null) return { rows: [], note: `The exec bridge benchmarks were skipped: vdrm exec ${skip}.` };
  const load = loadavg()[0]!.toFixed(2);
  const ioctlClient = buildClient("ioctl_bench");
  const runs: { median: number; p99: number }[] = [];
  for (let i = 0; i < o.runs; i++) runs.push(await ioctlRun(ioctlClient, o.ioctls));
  const latencies = await ueventLatencies(buildClient("uevent_bench"));
  const rows = [
    row(`exec bridge: ioctl round trip, median of ${o.ioctls}`, summarize(runs.map((r) => r.median)), "us",
      { kind: "max", value: 60 }),
    row(`exec bridge: ioctl round trip, p99 of ${o.ioctls}`, summarize(runs.map((r) => r.p99)), "us"),
    row(`exec bridge: uevent, model to client monitor (${latencies.length} events)`, summarize(latencies), "us"),
    row("exec bridge: uevent, model to client monitor, p99", summarize([p99(latencies)]), "us"),
  ];
  return { rows, note: `The exec bridge was measured at a load average of ${load} (1 min).` };
}
