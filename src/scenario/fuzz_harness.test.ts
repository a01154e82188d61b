/**
 * The fuzz harness's replay (docs/fuzzing.md): a failing property prints a replay command whose
 * seed and path rerun exactly the failing case, first and alone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cpuMsSince, runFuzzProperty, type FuzzProperty } from "./_test_fuzz.js";

/** A property that fails for numbers from 300 on; records every value it checks. */
function failingFrom300(seen: number[]): FuzzProperty<number> {
  return {
    id: "harness",
    share: 1,
    arbitrary: fc.nat({ max: 1000 }),
    check: (n) => {
      seen.push(n);
      assert.ok(n < 300, `${n} is too big`);
      return "ok";
    },
  };
}

function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  assert.fail("the property passed");
}

describe("runFuzzProperty()", () => {
  it("prints a replay command whose seed and path rerun the shrunk case first and alone", () => {
    const quiet = (): void => {};
    const message = failure(() =>
      runFuzzProperty(failingFrom300([]), quiet, { runs: 200, seed: 42, caseMsMax: 10_000 }));
    assert.match(message, /Counterexample: \[300\]/);
    assert.match(message, /The case failed with: 300 is too big/);
    const m = /^replay: VDRM_FUZZ_ONLY=harness VDRM_FUZZ_SEED=(-?\d+) VDRM_FUZZ_PATH=(\S+) npm run fuzz$/m
      .exec(message);
    assert.ok(m !== null, message);

    const seen: number[] = [];
    const again = failure(() => runFuzzProperty(failingFrom300(seen), quiet,
      { runs: 200, seed: Number(m[1]), path: m[2]!, caseMsMax: 10_000 }));
    assert.deepEqual(seen, [300], "the replay checks the failing case only");
    assert.match(again, /Counterexample: \[300\]/);
  });

  it("names the liveness bound in the replay command when it is not the default", () => {
    const slow: FuzzProperty<number> = {
      id: "slow", share: 1, arbitrary: fc.nat(),
      check: () => {
        const c0 = process.cpuUsage();
        while (cpuMsSince(c0) < 3) { /* a case longer than the bound, in CPU time */ }
        return "ok";
      },
    };
    const message = failure(() =>
      runFuzzProperty(slow, () => {}, { runs: 5, seed: 1, caseMsMax: 1 }));
    assert.match(message, /more than the liveness bound of 1 ms/);
    assert.match(message, /replay: VDRM_FUZZ_ONLY=slow VDRM_FUZZ_SEED=1 VDRM_FUZZ_CASE_MS=1 /);
  });
});
