/**
 * The broken drivers found from generic scenarios (scenarios/explore: programs use the device
 * while an unplug may fire at any point, no scripted order), each with the finding its design
 * mistake makes, and their correct siblings explored clean within one preemption.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { explore, search } from "./mod.js";

const DIR = fileURLToPath(new URL("../../scenarios/explore/", import.meta.url));

function load(name: string): Scenario {
  const r = loadScenarioFile(join(DIR, `${name}.yaml`));
  assert.ok(r.ok, `${name} loads`);
  return r.scenario;
}

const BROKEN = [
  ["unplug-mmap-dma", "memory", "fatal-signal", "SIGBUS on a fault after unplug: the program dies"],
  ["unplug-reader-waitclose", "hang", "hang", "remove() waits for every file to close"],
  ["unplug-job-nosignal", "hang", "fence-never-signalled", "remove() leaves its job fences unsignalled"],
] as const;

describe("the experiments: broken drivers found from generic scenarios", () => {
  for (const [name, verdict, kind, what] of BROKEN) {
    it(`${name}: ${what} (${kind})`, () => {
      const r = explore(load(name), { mode: "dfs", preemptionsMax: 1 });
      const cx = r.counterexample;
      assert.ok(cx !== null, "a counterexample");
      assert.equal(cx.failure.verdict, verdict);
      assert.ok(cx.failure.kinds.includes(kind), cx.failure.kinds.join());
    });
  }

  for (const name of ["unplug-mmap-vdisp", "unplug-reader-vdisp"]) {
    it(`${name}: the correct driver explores clean within one preemption`, () => {
      const r = search(load(name), { mode: "dfs", preemptionsMax: 1 });
      assert.equal(r.stoppedBy, "complete");
      assert.equal(r.found, null);
    });
  }
});
