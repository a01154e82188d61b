/**
 * A split search (split.ts, combine.ts, pool.ts) gives the same result for any number of
 * shards or workers: the union of N shards' units is the search without a split (DFS without
 * reduction, random sampling: same executions, transitions, failures, first counterexample),
 * or, with DPOR and state hashing (whose top levels branch every option in a split), the
 * same for every N; two worker threads give what one thread gives.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import {
  combine, runUnits, search, shardUnits, split, UnitRunner, type ExploreOptions, type SearchResult,
  type UnitResult,
} from "./mod.js";

const DIR = fileURLToPath(new URL("../../scenarios/explore/", import.meta.url));
const file = (name: string): string => join(DIR, name);

function load(name: string): Scenario {
  const r = loadScenarioFile(file(name));
  assert.ok(r.ok, `${name} loads`);
  return r.scenario;
}

const DEVM = load("unplug-ioctl-devm.yaml");
const VDISP = load("unplug-ioctl-vdisp.yaml");

/** What must agree: counts, the distinct failures, the first failure and where it was. */
function summary(r: SearchResult): Record<string, unknown> {
  const s = r.stats;
  return {
    executions: s.executions, transitions: s.transitions, states: s.states, maxDepth: s.maxDepth,
    redundant: s.redundant, faultPoints: s.faultPoints, complete: s.complete, stoppedBy: r.stoppedBy,
    failures: r.failures.map((f) => `${f.failure.verdict}:${f.failure.kinds.join(",")}@${f.execution}`),
    found: r.found === null ? null : { execution: r.found.execution, decisions: r.found.decisions.join(",") },
  };
}

/** Every shard of N run here, one after the other, and their unit results merged. */
async function sharded(sc: Scenario, o: ExploreOptions, n: number, depth?: number): Promise<SearchResult> {
  const s = split(sc, o, depth);
  assert.ok(s.units.length >= n && s.units.length > 1, `${s.units.length} units for ${n} shards`);
  const runner = new UnitRunner(1, sc.file);
  const results: UnitResult[] = [];
  for (let i = 0; i < n; i++) results.push(...(await runUnits(sc, o, shardUnits(s, i, n), runner)).results);
  await runner.close();
  return combine(results, s.units.map((u) => u.index), o.all === true, 0);
}

describe("a split search", () => {
  it("dfs without reduction: the union of 1, 2 and 3 shards is the search without a split", async () => {
    const o: ExploreOptions = { mode: "dfs", dpor: false, preemptionsMax: 1 };
    const whole = summary(search(VDISP, o));
    assert.equal(whole.complete, true);
    for (const n of [1, 2, 3]) assert.deepEqual(summary(await sharded(VDISP, o, n, 4)), whole, `${n} shards`);
  });

  it("finds the same failures at the same executions, with --all and without", async () => {
    for (const all of [true, false]) {
      const o: ExploreOptions = { mode: "dfs", dpor: false, preemptionsMax: 1, all };
      const whole = summary(search(DEVM, o));
      assert.ok((whole.failures as string[]).some((f) => f.startsWith("memory:")), String(whole.failures));
      assert.deepEqual(summary(await sharded(DEVM, o, 2)), whole, `all=${all}`);
    }
  });

  it("random sampling split by execution numbers is the search without a split", async () => {
    const o: ExploreOptions = { mode: "random", budget: 120, preemptionsMax: 2, seed: 5, all: true };
    const whole = summary(search(DEVM, o));
    assert.equal(whole.executions, 120);
    assert.deepEqual(summary(await sharded(DEVM, o, 3)), whole);
  });

  it("DPOR and state hashing give the same result for every number of shards", async () => {
    for (const o of [
      { mode: "dfs", preemptionsMax: 1, all: true },
      { mode: "dfs", states: true, preemptionsMax: 1, all: true },
    ] as const) {
      const one = summary(await sharded(DEVM, o, 1, 4));
      assert.ok((one.executions as number) > 1);
      for (const n of [2, 3]) assert.deepEqual(summary(await sharded(DEVM, o, n, 4)), one, `${JSON.stringify(o)}, ${n} shards`);
      if (o.states === true) assert.ok((one.states as number) > 0, "distinct states counted");
    }
  });

  it("two worker threads give what one thread gives", async () => {
    const o: ExploreOptions = { mode: "dfs", preemptionsMax: 1, all: true };
    const s = split(VDISP, o, 4);
    const run = async (workers: number): Promise<Record<string, unknown>> => {
      const runner = new UnitRunner(workers, VDISP.file);
      try {
        return summary((await runUnits(VDISP, o, s.units, runner)).combined);
      } finally {
        await runner.close();
      }
    };
    const one = await run(1);
    assert.deepEqual(await run(2), one);
  });

  it("a split at depth 0 is one unit: the whole search", () => {
    const s = split(VDISP, { mode: "dfs", preemptionsMax: 1 }, 0);
    assert.deepEqual(s.units.map((u) => u.prefix), [[]]);
  });
});
