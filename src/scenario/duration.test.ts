import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDurationUs, parseDurationUs } from "./duration.js";
import { runScenario } from "./run.js";
import { scenarioFrom } from "./_testing.js";
import { parseScenario } from "./load.js";

test("parseDurationUs() reads a unit, and a bare whole number as microseconds", () => {
  const cases: [number | string, number][] = [
    ["250us", 250],
    ["250µs", 250],
    ["10ms", 10_000],
    ["2s", 2_000_000],
    ["1.5ms", 1500],
    [" 3 ms ", 3000],
    [0, 0],
    [250, 250],
    [1_000_000, 1_000_000],
  ];
  for (const [text, us] of cases) assert.equal(parseDurationUs(text), us, String(text));
});

test("parseDurationUs() refuses what is not a duration: no unit in a string, another unit, a negative or fractional number", () => {
  for (const bad of [
    "10",
    "10 min",
    "ms",
    "-1ms",
    "1e3us",
    -1,
    2.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ])
    assert.equal(parseDurationUs(bad), null, String(bad));
});

test("formatDurationUs() prints the largest unit that is exact", () => {
  assert.deepEqual([0, 250, 1500, 10_000, 2_000_000, 2_500_000].map(formatDurationUs), [
    "0us",
    "250us",
    "1500us",
    "10ms",
    "2s",
    "2500ms",
  ]);
});

test("a scenario duration is refused with a message that names the units and what a bare number means", () => {
  const r = parseScenario("programs:\n  a:\n    - sleep: 10 min\n", "t.yaml");
  assert.equal(r.ok, false);
  assert.match(
    r.ok ? "" : r.errors.map((e) => e.message).join("\n"),
    /expected a duration with a unit, such as "250us", "10ms" or "2s" \(a bare number is whole microseconds\)/,
  );
});

test("a sleep lasts its duration in simulated microseconds, whatever unit the file wrote it in", () => {
  const run = runScenario(
    scenarioFrom(
      "programs:\n  a:\n    - sleep: 40000\n    - sleep: 2ms\n    - sleep: 1s\n    - sleep: 250us\n",
    ),
  );
  const lasted = run.steps.map((s) => s.endTick - s.startTick);
  assert.deepEqual(lasted, [40_000, 2000, 1_000_000, 250]);
  assert.deepEqual(
    run.steps.map((s) => s.text),
    ["sleep 40ms", "sleep 2ms", "sleep 1s", "sleep 250us"],
  );
});

test("poll and wait timeouts end after their duration in microseconds", () => {
  const run = runScenario(
    scenarioFrom(`
programs:
  a:
    - open: /dev/dri/card0
      as: card
    - poll: $card
      timeout: 1500us
      expect: { revents: 0 }
    - wait: late
      timeout: 300
      expect: ETIMEDOUT
  b:
    - sleep: 1s
    - signal: late
`),
  );
  assert.equal(
    run.verdict,
    "pass",
    run.steps.map((s) => `${s.text} ${JSON.stringify(s.outcome)}`).join("\n"),
  );
  const [, poll, wait] = run.steps.filter((s) => s.program === "a");
  assert.ok(
    poll!.endTick - poll!.startTick >= 1500 && poll!.endTick - poll!.startTick < 1600,
    `poll lasted ${poll!.endTick - poll!.startTick}`,
  );
  assert.ok(
    wait!.endTick - wait!.startTick >= 300 && wait!.endTick - wait!.startTick < 400,
    `wait lasted ${wait!.endTick - wait!.startTick}`,
  );
  assert.equal(poll!.text, "poll 3, POLLIN, 1500us");
});
