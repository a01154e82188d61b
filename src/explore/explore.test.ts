/**
 * The explorer's self-checks (issue 12, item 6) and its modes on the generic scenarios of
 * scenarios/explore: vdisp-devm's use-after-free is found from no scripted order in every
 * mode, vdisp explores clean; DPOR finds every failure plain DFS finds with no more
 * executions; the same choices give the same trace; shrinking keeps the failure.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { execute, explore, prefixChooser, search, traceHash, type ExploreOptions } from "./mod.js";

const DIR = fileURLToPath(new URL("../../scenarios/explore/", import.meta.url));

function load(name: string): Scenario {
  const r = loadScenarioFile(join(DIR, name));
  assert.ok(r.ok, `${name} loads`);
  return r.scenario;
}

const DEVM = load("unplug-ioctl-devm.yaml");
const VDISP = load("unplug-ioctl-vdisp.yaml");

function failureKeys(sc: Scenario, o: ExploreOptions): { keys: string[]; executions: number; complete: boolean } {
  const r = search(sc, { ...o, all: true });
  const keys = r.failures.map((f) => `${f.failure.verdict}:${f.failure.kinds.join(",")}`).sort();
  return { keys, executions: r.stats.executions, complete: r.stats.complete };
}

describe("vdrm explore's search", () => {
  for (const mode of ["dfs", "bfs", "random", "pct"] as const) {
    it(`${mode} finds vdisp-devm's use-after-free and shrinks it to a run that fails the same way`, () => {
      const r = explore(DEVM, { mode, preemptionsMax: 2, budget: 200 });
      const cx = r.counterexample;
      assert.ok(cx !== null, "a counterexample");
      assert.equal(cx.failure.verdict, "memory");
      assert.ok(cx.failure.kinds.includes("use-after-free"), cx.failure.kinds.join());
      assert.ok(cx.run.unexpected.some((f) => f.kind === "use-after-free"));
      assert.ok(r.shrinking !== null && r.shrinking.after <= r.shrinking.before);
      assert.ok(cx.token !== null && cx.token.startsWith("v1."));
    });
  }

  it("dfs explores vdisp's scenario to the end within two preemptions, with no failure", () => {
    const r = search(VDISP, { mode: "dfs", preemptionsMax: 2 });
    assert.equal(r.stoppedBy, "complete");
    assert.equal(r.found, null);
    assert.ok(r.stats.executions > 10, `${r.stats.executions} executions`);
    assert.ok(r.stats.faultPoints > 1, "the removal fell at several points");
  });

  for (const [name, sc] of [["vdisp-devm", DEVM], ["vdisp", VDISP]] as const) {
    it(`DPOR finds every failure plain DFS finds on ${name}, with no more executions`, () => {
      const plain = failureKeys(sc, { mode: "dfs", dpor: false, preemptionsMax: 1 });
      const dpor = failureKeys(sc, { mode: "dfs", preemptionsMax: 1 });
      assert.ok(plain.complete && dpor.complete);
      for (const k of plain.keys) assert.ok(dpor.keys.includes(k), `DPOR finds ${k}`);
      assert.ok(dpor.executions <= plain.executions, `${dpor.executions} <= ${plain.executions}`);
      if (sc === DEVM) assert.ok(plain.keys.some((k) => k.startsWith("memory:")), plain.keys.join());
    });
  }

  it("--states hashes the states, branches from each once, and still finds the failure", () => {
    const hashed = search(DEVM, { mode: "dfs", states: true, preemptionsMax: 1, all: true });
    const plain = search(DEVM, { mode: "dfs", dpor: false, preemptionsMax: 1, all: true });
    assert.ok(hashed.stats.states > 0);
    assert.ok(hashed.stats.states <= hashed.stats.transitions);
    assert.ok(hashed.stats.executions <= plain.stats.executions);
    assert.ok(hashed.failures.some((f) => f.failure.kinds.includes("use-after-free")));
  });

  it("the same choices always give the same trace; other choices another one", () => {
    const found = search(DEVM, { mode: "dfs", preemptionsMax: 1 }).found;
    assert.ok(found !== null);
    const hashOf = (d: readonly number[]): string => {
      const ex = execute(DEVM, prefixChooser(d), { trace: "steps" });
      assert.ok(ex.run !== null);
      return traceHash(ex.run.world.sim.trace.events);
    };
    assert.equal(hashOf(found.decisions), hashOf(found.decisions));
    assert.notEqual(hashOf(found.decisions), hashOf([]));
  });
});
