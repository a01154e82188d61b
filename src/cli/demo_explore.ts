/**
 * The demo's explorer part: each broken driver found by `vdrm explore` from a generic
 * scenario (scenarios/explore: an unplug that may fire at any point), and a correct driver's
 * scenario explored clean, within one preemption.
 */
import { join } from "node:path";
import { explore, replayLine, searchModel, spinTransitions, unplugTwin } from "../explore/mod.js";
import { loadScenarioFile } from "../scenario/mod.js";
import { SCENARIO_DIR, shownPath } from "./cmd_demo.js";
import type { Verdict } from "./exit.js";
import type { Io } from "./io.js";

/** Each generic scenario with the finding kind its driver must be caught with (null: clean). */
const EXPERIMENTS: readonly (readonly [string, string | null])[] = [
  ["unplug-ioctl-devm", "use-after-free"],
  ["unplug-mmap-dma", "fatal-signal"],
  ["unplug-reader-waitclose", "hang"],
  ["unplug-job-nosignal", "fence-never-signalled"],
  ["wedge-hang-early", "wedge-prerequisite"],
  ["bus-reset-fences-drain", "fence-never-signalled"],
  ["unplug-commit-noenter", "hardware-after-unplug"],
  ["unplug-ioctl-vdisp", null],
];

/** Prints one line per experiment; returns `expectation` for each that did not come out so. */
export function demoExplore(io: Io): Verdict[] {
  const failed: Verdict[] = [];
  io.out("");
  io.out("vdrm explore (dfs with DPOR, at most one preemption), on generic scenarios:");
  for (const [name, kind] of EXPERIMENTS) {
    const loaded = loadScenarioFile(shownPath(join(SCENARIO_DIR, "explore", `${name}.yaml`)));
    if (!loaded.ok) {
      failed.push("input");
      continue;
    }
    const r = explore(loaded.scenario, { mode: "dfs", preemptionsMax: 1 });
    const cx = r.counterexample;
    const n = r.search.stats.executions;
    const execs = `${n} execution${n === 1 ? "" : "s"}`;
    if (cx === null) {
      const clean = r.search.stoppedBy === "complete";
      io.out(`  ${name}: ${clean ? "clean, the whole bounded space" : r.search.stoppedBy} (${execs})`);
      if (kind !== null || !clean) failed.push("expectation");
      continue;
    }
    io.out(`  ${name}: ${cx.failure.verdict} (${cx.failure.kinds.join(", ")}) after ${execs}; ${replayLine(cx)}`);
    if (kind === null || !cx.failure.kinds.includes(kind)) failed.push("expectation");
  }
  return [...failed, ...demoTwin(io)];
}

/** The Promela twin at N=2 K=2: SPIN's counts (460 states), and each broken switch's shortest run. */
function demoTwin(io: Io): Verdict[] {
  const ok = searchModel(unplugTwin({ users: 2, ioctls: 2 }), { mode: "dfs" });
  io.out(`  unplug-twin (the Promela twin of unplug.pml, N=2 K=2): ${ok.stats.stored} states, ` +
    `${spinTransitions(ok.stats)} transitions (SPIN 6.5.2: 460, 1052)`);
  const failed: Verdict[] = ok.stats.stored === 460 && ok.violation === null ? [] : ["expectation"];
  for (const bug of ["bugDevm", "bugNoEnter", "bugWaitUsers"] as const) {
    const v = searchModel(unplugTwin({ users: 2, ioctls: 2, [bug]: true }), { mode: "bfs" }).violation;
    io.out(`    ${bug}: ${v === null ? "not found" : `${v.kind} after ${v.trail.length} transitions`}`);
    if (v === null) failed.push("expectation");
  }
  return failed;
}
