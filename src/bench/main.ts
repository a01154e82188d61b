/**
 * `npm run bench`: the model's performance figures, one table. Each figure is the median of
 * several runs (min and max beside it), with its unit, its target if it has one, and PASS or
 * MISS against that target. A MISS is printed, not turned into an exit code.
 */
import { benchDevEnter } from "./dev_enter.js";
import { benchExecBridge } from "./exec_bridge.js";
import { benchExploreWorkers } from "./explore_workers.js";
import { benchDporRatio, benchFirstCounterexample, benchTwin } from "./explore.js";
import { benchIoctlRoundTrip, IOCTL_TARGET_TRACE } from "./ioctl_round_trip.js";
import { benchMapWrites } from "./map_writes.js";
import { formatTable, verdictOf, type Row } from "./measure.js";
import { benchRecoveryd } from "./recoveryd.js";
import { benchUdev } from "./udev.js";
import { benchUnplug } from "./unplug.js";
import { benchUnplugLoaded, LOAD_CASES } from "./unplug_loaded.js";

const LEGEND = [
  "trace=steps: the default level, every kernel step recorded (the HTML timeline needs it).",
  "trace=events: every trace event but the per-step ones; chosen with WorldOptions.trace.",
  `The ioctl target is judged at trace=${IOCTL_TARGET_TRACE}; figures are the median of the runs.`,
  "cpu: CPU time of the process (process.cpuUsage(), every thread), not wall-clock time.",
  "Unplug of loaded devices: the unbind writes, then munmap and close until each device is freed.",
  "explore workers: one split DFS search timed whole (wall clock); speed-up is 1 worker's time over 2's; its target is 0.9 x the ceiling (2 whole searches side by side).",
  "Explorer: the twin's rate is per second of CPU (one core; SPIN's pan: 3.4 M/s); the DPOR",
  "ratio is a count within one preemption; first counterexample: budget 1000 executions (Infinity: none found).",
  "See docs/benchmarks.md.",
];

async function main(): Promise<void> {
  const rows: Row[] = [];
  rows.push(...benchDevEnter({ pairs: 2_000_000, runs: 7 }));
  for (const trace of ["events", "steps"] as const) rows.push(...benchIoctlRoundTrip({ calls: 200_000, runs: 7, trace }));
  rows.push(...benchUnplug({ fileCounts: [1, 1000, 10_000], runs: 5, trace: "steps" }));
  for (const trace of ["events", "steps"] as const) rows.push(...benchMapWrites({ writes: 100_000, runs: 5, trace }));
  rows.push(...benchUnplugLoaded({ cases: LOAD_CASES, runs: 3, trace: "events" }));
  rows.push(...benchUdev({ events: 20_000, rules: 1000, matches: 2000, runs: 5 }));
  for (const journalOn of ["disk", "tmpfs"] as const) rows.push(...(await benchRecoveryd({ events: 200, journalOn })));
  rows.push(...(await benchExploreWorkers({ scenario: "unplug-reader-vdisp.yaml", preemptionsMax: 5, runs: 3 })));
  const bridge = await benchExecBridge({ ioctls: 2000, runs: 3 });
  rows.push(...bridge.rows);
  rows.push(...benchTwin({ users: 5, ioctls: 5, runs: 3 }));
  rows.push(...benchDporRatio());
  rows.push(...benchFirstCounterexample({ runs: 3 }));
  const header = `vdrm bench (node ${process.version}, ${process.platform}/${process.arch})`;
  const legend = [...LEGEND, bridge.note];
  process.stdout.write(`${header}\n\n${formatTable(rows)}\n\n${legend.join("\n")}\n`);
  const missed = rows.filter((r) => verdictOf(r) === "MISS");
  const verdict = missed.length === 0 ? "All targets met." : `MISS: ${missed.map((r) => `${r.name} (${r.unit})`).join("; ")}`;
  process.stdout.write(`\n${verdict}\n`);
}

await main();
